"""Unit tests for notebook 01's plumbing: the digits/CIFAR-10 loaders and the exercise checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from checkutil import passed

from course_utils.data import digits
from course_utils.exercises import nb01

# ---------------------------------------------------------------------------------------------
# data


def test_digits_split_sizes_shapes_and_standardisation():
    d = digits.load_digits_splits(image_size=16, seed=0)
    assert d.x_train.shape == (1437, 1, 16, 16)
    assert d.x_val.shape == (360, 1, 16, 16)
    assert d.in_channels == 1 and d.image_size == 16
    assert abs(float(d.x_train.mean())) < 1e-4
    assert abs(float(d.x_train.std()) - 1.0) < 1e-3
    assert "1437 training / 360 validation" in d.describe()


def test_digits_split_is_stratified_and_seeded():
    a = digits.load_digits_splits(seed=0)
    b = digits.load_digits_splits(seed=0)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_val, b.y_val)
    val_counts = np.bincount(a.y_val.numpy(), minlength=10)
    assert val_counts.min() >= 35 and val_counts.max() <= 37  # 360 / 10 per class, +-1


def test_digits_rejects_images_smaller_than_the_scans():
    with pytest.raises(ValueError, match="at least 8"):
        digits.load_digits_splits(image_size=4)


def test_offline_profile_never_touches_cifar(monkeypatch):
    import torchvision.datasets

    def boom(*args, **kwargs):
        raise AssertionError("the offline profile must not construct CIFAR10")

    monkeypatch.setattr(torchvision.datasets, "CIFAR10", boom)
    d = digits.load_profile_images("offline", max_train=200)
    assert len(d.y_train) == 200 and d.x_train.shape[1:] == (1, 16, 16)


def test_profile_must_be_resolved():
    with pytest.raises(ValueError, match="resolved by setup"):
        digits.load_profile_images("auto")


class _FakeCIFAR:
    """Stands in for torchvision's CIFAR10: records its arguments, holds tiny random data."""

    calls: list[dict] = []

    def __init__(self, root, train, download):
        self.calls.append({"root": root, "train": train, "download": download})
        n = 50 if train else 20
        rng = np.random.default_rng(0 if train else 1)
        self.data = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
        self.targets = list(rng.integers(0, 10, size=n))

    def __len__(self):
        return len(self.targets)


def test_full_profile_loads_cifar_into_the_course_cache(monkeypatch, tmp_path):
    import torchvision.datasets

    from course_utils import assets

    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    monkeypatch.delenv("COURSE_ASSETS", raising=False)
    fetched = []

    def fake_fetch(asset, **kwargs):  # the asset registry's download, faked: a real tar layout
        import tarfile

        fetched.append(asset.name)
        src = tmp_path / "src" / "cifar-10-batches-py"
        src.mkdir(parents=True)
        (src / "batches.meta").write_bytes(b"")
        archive = tmp_path / "cifar-10-python.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(src, arcname="cifar-10-batches-py")
        return archive

    _FakeCIFAR.calls = []
    monkeypatch.setattr(assets, "fetch", fake_fetch)
    monkeypatch.setattr(torchvision.datasets, "CIFAR10", _FakeCIFAR)
    d = digits.load_profile_images("full", max_train=30, max_val=10)
    assert fetched == ["cifar-10"]
    assert (tmp_path / "torchvision" / "cifar-10-batches-py" / "batches.meta").exists()
    assert d.x_train.shape == (30, 3, 32, 32) and d.x_val.shape == (10, 3, 32, 32)
    assert d.classes[0] == "airplane"
    assert all(c["root"] == str(tmp_path / "torchvision") and c["download"] is False
               for c in _FakeCIFAR.calls)
    assert [c["train"] for c in _FakeCIFAR.calls] == [True, False]
    means = d.x_train.mean(dim=(0, 2, 3))
    assert torch.allclose(means, torch.zeros(3), atol=1e-4)


def test_cifar_failure_gives_an_actionable_message(monkeypatch, tmp_path):
    from course_utils import assets
    from course_utils.errors import AssetError

    def offline(*args, **kwargs):
        raise AssetError("no network. Try later")

    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    monkeypatch.delenv("COURSE_ASSETS", raising=False)
    monkeypatch.setattr(assets, "fetch", offline)
    with pytest.raises(digits.CifarUnavailable, match="PROFILE='offline'"):
        digits.load_cifar10_splits()


# ---------------------------------------------------------------------------------------------
# Exercise 2: projection shortcut


def _good_projection(i, o, s):
    return nn.Sequential(nn.Conv2d(i, o, 1, stride=s, bias=False), nn.BatchNorm2d(o))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda i, o, s: nn.Sequential(nn.Conv2d(i, o, 3, s, 1, bias=False), nn.BatchNorm2d(o)),
         "1x1"),
        (lambda i, o, s: nn.Sequential(nn.Conv2d(i, o, 1, stride=1, bias=False),
                                       nn.BatchNorm2d(o)), "stride"),
        (lambda i, o, s: nn.Sequential(nn.Conv2d(i, o, 1, stride=s), nn.BatchNorm2d(o)),
         "bias=False"),
        (lambda i, o, s: nn.Conv2d(i, o, 1, stride=s, bias=False), "BatchNorm2d"),
        (lambda i, o, s: nn.Sequential(nn.Conv2d(i, i, 1, stride=s, bias=False),
                                       nn.BatchNorm2d(i)), "channels"),
    ],
)
def test_projection_check_names_the_mistake(make, expected, capsys):
    assert not passed(nb01.check_projection_shortcut, make)
    out = capsys.readouterr().out
    assert "not quite" in out and expected in out


def test_projection_check_accepts_the_solution_and_flags_placeholders(capsys):
    assert passed(nb01.check_projection_shortcut, _good_projection, strict=True)
    assert not passed(nb01.check_projection_shortcut, lambda i, o, s: ...)
    assert "not attempted" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        nb01.check_projection_shortcut(lambda i, o, s: ..., strict=True)


# ---------------------------------------------------------------------------------------------
# Exercise 3: bottleneck parameter count


def test_bottleneck_check(capsys):
    assert passed(nb01.check_bottleneck_params, 69_632, 1_179_648, strict=True)
    assert passed(nb01.check_bottleneck_params, 69_632 + 768, 1_179_648 + 1024)  # BN too: fine
    assert not passed(nb01.check_bottleneck_params, 256 * 64 * 9 * 2 + 64 * 64 * 9, 1_179_648)
    assert "3x3 for all three" in capsys.readouterr().out
    assert not passed(nb01.check_bottleneck_params, ..., ...)


# ---------------------------------------------------------------------------------------------
# Exercise 4: gradient prediction


RATIOS = {"plain56_bn": 800.0, "residual56_bn": 4.0, "plain56_no_bn": 1e-24,
          "residual56_no_bn": 0.9}
TRUTH = {"plain56_bn": "explode", "residual56_bn": "flat", "plain56_no_bn": "vanish",
         "residual56_no_bn": "flat"}


def test_gradient_profile_thresholds():
    assert nb01.gradient_profile(31) == "explode"
    assert nb01.gradient_profile(1 / 31) == "vanish"
    assert nb01.gradient_profile(0.0) == "vanish"
    assert nb01.gradient_profile(float("nan")) == "vanish"
    assert nb01.gradient_profile(5) == "flat"


def test_gradient_prediction_check(capsys):
    assert passed(nb01.check_gradient_prediction, TRUTH, RATIOS.__getitem__, strict=True)
    wrong = dict(TRUTH, plain56_bn="vanish")
    assert not passed(nb01.check_gradient_prediction, wrong, RATIOS.__getitem__)
    out = capsys.readouterr().out
    assert "plain56_bn" in out and "explode" in out and "residual56_bn" not in out.split(".")[0]
    assert not passed(nb01.check_gradient_prediction, dict(TRUTH, plain56_bn="big"),
                      RATIOS.__getitem__)
    assert "choose one of" in capsys.readouterr().out
    assert not passed(nb01.check_gradient_prediction, dict.fromkeys(TRUTH, ...),
                      RATIOS.__getitem__)
    assert "not attempted" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Exercise 5: remove the identity path


class _Residual(nn.Module):
    def __init__(self, in_ch, out_ch, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + x)


class _NoIdentity(_Residual):
    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class _Placeholder(_Residual):
    def forward(self, x):
        ...


def test_no_identity_check(capsys):
    assert passed(nb01.check_no_identity_block, _NoIdentity, _Residual, "B", strict=True)
    assert not passed(nb01.check_no_identity_block, _Residual, _Residual, "B")
    assert "still adds the input" in capsys.readouterr().out
    assert not passed(nb01.check_no_identity_block, _NoIdentity, _Residual, "A")
    assert "overfitting" in capsys.readouterr().out
    assert not passed(nb01.check_no_identity_block, _NoIdentity, _Residual, "C")
    assert "no parameters" in capsys.readouterr().out
    assert not passed(nb01.check_no_identity_block, _Placeholder, _Residual, "B")
    assert "not attempted" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Exercise 1: write the residual block


def _branch(b, x):
    return b.bn2(b.conv2(F.relu(b.bn1(b.conv1(x)))))


class _NoSkip(_Residual):
    def forward(self, x):
        return F.relu(_branch(self, x))


class _NoFinalRelu(_Residual):
    def forward(self, x):
        return _branch(self, x) + x


class _ReluBeforeAdd(_Residual):
    def forward(self, x):
        return F.relu(_branch(self, x)) + x


class _AddBeforeBn2(_Residual):
    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))) + x))


class _Raises(_Residual):
    def forward(self, x):
        return self.conv3(x)


def test_residual_block_check_accepts_the_solution_and_flags_placeholders(capsys):
    assert passed(nb01.check_residual_block, _Residual, strict=True)
    assert not passed(nb01.check_residual_block, _Placeholder)
    assert "not attempted" in capsys.readouterr().out
    assert not passed(nb01.check_residual_block, None)
    assert "not attempted" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        nb01.check_residual_block(_Placeholder, strict=True)


@pytest.mark.parametrize(
    ("block", "expected"),
    [(_NoSkip, "no `+ x`"), (_NoFinalRelu, "last ReLU is missing"),
     (_ReluBeforeAdd, "ReLU comes before the addition"), (_AddBeforeBn2, "after the second"),
     (_Raises, "your code raised AttributeError")],
)
def test_residual_block_check_names_the_mistake(block, expected, capsys):
    assert not passed(nb01.check_residual_block, block)
    out = capsys.readouterr().out
    assert "not quite" in out and expected in out
