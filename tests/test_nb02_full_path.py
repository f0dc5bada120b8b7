"""Notebook 02's full profile, tested against a local fake mirror (never the network).

* ResNet-18: a randomly initialised state_dict saved under torchvision's official file name in
  ``$TORCH_HOME/hub/checkpoints`` (``$TORCH_HOME`` inside ``$COURSE_CACHE``), with the registry's
  checksum swapped for the fake file's sha256 (``dataclasses.replace``).
* Oxford-IIIT Pet: a miniature folder in the real layout (tiny JPEGs, ``annotations/trainval.txt``
  and ``test.txt`` with ``name class species breed`` lines), parsed by torchvision itself; and the
  same folder packed as the two official archives on a local mirror, to test fetch + extract.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import NOTEBOOK_DIR
from PIL import Image

from course_utils import assets, full_assets
from course_utils.data import pets
from course_utils.models import cnn

NOTEBOOK = NOTEBOOK_DIR / "02_cats_vs_dogs_transfer.ipynb"
# (breed name, class id 1-37, species 1 = cat / 2 = dog, breed id within the species)
BREEDS = [("Abyssinian", 1, 1, 1), ("Bengal", 6, 1, 2),
          ("american_bulldog", 2, 2, 1), ("beagle", 11, 2, 3)]
PER_BREED = {"trainval": 6, "test": 2}


def write_mini_pets(base: Path, seed: int = 0) -> dict[str, list[int]]:
    """A miniature ``oxford-iiit-pet`` folder; returns the 0/1 labels of each official split."""
    rng = np.random.default_rng(seed)
    (base / "images").mkdir(parents=True)
    (base / "annotations").mkdir()
    labels: dict[str, list[int]] = {}
    n = 0
    for split, per_breed in PER_BREED.items():
        lines, labels[split] = [], []
        for breed, class_id, species, breed_id in BREEDS:
            for _ in range(per_breed):
                n += 1
                name = f"{breed}_{n}"
                tint = np.array([200, 90, 60] if species == 1 else [60, 90, 200])
                pixels = np.clip(tint + rng.normal(0, 30, (40, 48, 3)), 0, 255).astype(np.uint8)
                Image.fromarray(pixels).save(base / "images" / f"{name}.jpg", quality=85)
                lines.append(f"{name} {class_id} {species} {breed_id}")
                labels[split].append(species - 1)
        (base / "annotations" / f"{split}.txt").write_text("\n".join(lines) + "\n")
    return labels


@pytest.fixture
def mini_pets(course_env):
    return write_mini_pets(course_env / "torchvision" / "oxford-iiit-pet")


@pytest.fixture
def fake_resnet18(course_env, monkeypatch):
    """A seeded random ResNet-18 in the torch hub cache, accepted by the asset registry."""
    from torchvision.models import resnet18

    torch_home = course_env / "torch"
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    path = torch_home / "hub" / "checkpoints" / cnn.RESNET18.filename
    path.parent.mkdir(parents=True)
    torch.manual_seed(123)
    state = resnet18(weights=None).state_dict()
    torch.save(state, path)
    assert path == cnn.RESNET18.path  # where the registry and torchvision both look
    fake = dataclasses.replace(cnn.RESNET18, sha256=assets.sha256_file(path))
    monkeypatch.setattr(cnn, "RESNET18", fake)
    return state


def test_full_profile_loads_resnet18_weights_from_the_hub_cache(fake_resnet18):
    loaded = cnn.load_pretrained_cnn("full")
    assert (loaded.name, loaded.head_attr) == ("ResNet-18", "fc")
    assert loaded.mean == cnn.IMAGENET_MEAN and loaded.std == cnn.IMAGENET_STD
    for key, value in fake_resnet18.items():
        assert torch.equal(loaded.model.state_dict()[key], value), key


def test_a_corrupt_cached_checkpoint_is_refused(fake_resnet18, monkeypatch):
    monkeypatch.setattr(cnn, "RESNET18", dataclasses.replace(cnn.RESNET18, sha256="0" * 64))
    monkeypatch.setenv(assets.MIRROR_ENV, str(Path(cnn.RESNET18.path).parent / "no-mirror"))
    with pytest.raises(assets.AssetError):
        cnn.load_pretrained_cnn("full")


def test_torchvision_parses_the_miniature_folder_with_binary_labels(mini_pets):
    for split in ("trainval", "test"):
        ds = pets.load_pets(split, download=False)
        assert [ds[i][1] for i in range(len(ds))] == mini_pets[split]
        assert pets.binary_labels(split).tolist() == mini_pets[split]
    image, label = pets.load_pets("test")[0]
    assert image.size == (48, 40) and label == 0


def test_validation_is_carved_from_trainval_stratified_and_seeded(mini_pets):
    splits = pets.PetSplits(val_fraction=0.25, seed=0)
    tr, va = splits.indices["train"], splits.indices["val"]
    assert len(tr) + len(va) == len(mini_pets["trainval"]) and not set(tr) & set(va)
    assert np.bincount(splits.labels("val")).tolist() == [3, 3]  # 25 % of 12 per class
    assert splits.labels("test").tolist() == mini_pets["test"]  # the official test, whole
    again = pets.PetSplits(val_fraction=0.25, seed=0)
    assert np.array_equal(again.indices["val"], va)
    other = pets.PetSplits(val_fraction=0.25, seed=1)
    assert not np.array_equal(other.indices["val"], va)
    ds = splits.dataset("val")
    assert [ds[i][1] for i in range(len(ds))] == splits.labels("val").tolist()
    assert len(splits.file_ids("train")) == len(tr)
    capped = pets.PetSplits(val_fraction=0.25, seed=0, max_train=8)
    assert np.bincount(capped.labels("train")).tolist() == [4, 4]
    with pytest.raises(ValueError, match="split must be one of"):
        splits.dataset("trainval")


def _pack(folder: Path, archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)


def test_archives_are_fetched_from_a_mirror_verified_and_extracted(course_env, tmp_path,
                                                                  monkeypatch):
    source = tmp_path / "pets_source"
    labels = write_mini_pets(source)
    mirror = tmp_path / "mirror"
    for asset_name, folder in (("PETS_IMAGES", "images"), ("PETS_ANNOTATIONS", "annotations")):
        asset = getattr(full_assets, asset_name)
        archive = mirror / asset.subdir / asset.filename
        _pack(source / folder, archive)
        monkeypatch.setattr(full_assets, asset_name, dataclasses.replace(
            asset, md5=None, sha256=assets.sha256_file(archive)))
    monkeypatch.setenv(assets.MIRROR_ENV, str(mirror))
    assert not pets.pets_ready()
    root = pets.ensure_pets()
    assert pets.pets_ready() and root == course_env / "torchvision"
    assert assets.is_valid(full_assets.PETS_IMAGES)  # the archive stays in the cache, checked
    assert pets.binary_labels("trainval").tolist() == labels["trainval"]
    leftovers = [p.name for p in (root / "oxford-iiit-pet").iterdir() if p.name.startswith(".")]
    assert not leftovers  # the temporary extraction folders are gone


def test_missing_dataset_gives_clear_advice(course_env, tmp_path, monkeypatch):
    with pytest.raises(pets.PetsUnavailable, match="prefetch_full.py"):
        pets.ensure_pets(download=False)
    monkeypatch.setenv(assets.MIRROR_ENV, str(tmp_path / "empty-mirror"))
    with pytest.raises(assets.AssetError, match="offline profile"):
        pets.ensure_pets()
    assert not pets.pets_ready()


def run_notebook_in_process(path: Path, overrides: dict) -> str:
    """Execute the notebook's code cells here (so monkeypatches apply); return their stdout.

    The ``parameters`` cell runs first as written, then ``overrides``, as papermill would.
    """
    import matplotlib
    import nbformat

    matplotlib.use("Agg")
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                exec(compile(cell.source, f"<cell {index}>", "exec"), namespace)
                if "parameters" in cell.metadata.get("tags", []):
                    namespace.update(overrides)
            except Exception as exc:
                raise AssertionError(f"cell {index} failed: {exc!r}\n{cell.source}") from exc
            finally:
                import matplotlib.pyplot as plt

                plt.close("all")
    return out.getvalue()


@pytest.mark.slow
def test_notebook_runs_the_full_profile_on_the_fake_mirror(course_env, mini_pets, fake_resnet18,
                                                          tmp_path, monkeypatch):
    from course_utils.predictions import load_predictions

    monkeypatch.setenv("COURSE_FORCE_OFFLINE", "1")  # the probe says "no hub": nothing fetched
    # setup() writes these variables; set them here so monkeypatch restores them afterwards
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.setenv(var, "0")
    monkeypatch.setenv("HF_HOME", str(course_env / "huggingface"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(NOTEBOOK_DIR)
    threads = torch.get_num_threads()
    try:
        text = run_notebook_in_process(NOTEBOOK, {
            "PROFILE": "full", "QUICK": True, "IMAGE_SIZE": 64, "BATCH_SIZE": 8,
            "CHECK_PREPROCESSING": False, "N_RESPLITS": 2})
    finally:
        torch.set_num_threads(threads)
    assert "profile=full" in text and "ResNet-18" in text
    # 12 trainval photos per class, 20 % of each held out for validation; the official test
    for split, n_per_class in (("train", 10), ("val", 2), ("test", 4)):
        assert re.search(rf"{split}\s+{n_per_class}\s+{n_per_class}\s+{2 * n_per_class}\n",
                         text), f"counts of {split}"
    assert "trainable parameters:     1,026" in text  # 512 -> 2 head
    assert "speed-up:" in text and "(extrapolated)" in text
    for model in ("pretrained, head only", "pretrained, fine-tuned", "from scratch"):
        assert model in text
    saved = load_predictions("nb02_cats_dogs")
    assert saved is not None and saved["y_true"].tolist() == mini_pets["test"]
    assert saved["class_names"] == ["cat", "dog"] and "ResNet-18" in saved["note"]
    assert str(tmp_path) not in text and str(course_env) not in text
