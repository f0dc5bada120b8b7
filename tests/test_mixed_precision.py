"""Mixed precision (course_utils.device.MixedPrecision): off on a CPU, where the training loops
of notebooks 02 and 04 must run exactly as plain float32 code; on a CUDA GPU, bfloat16 when the
GPU has it, else float16 with loss scaling. The GPU branch is checked by its choices here (no GPU
on the test machines); a GPU run is what would show the speed-up."""

from __future__ import annotations

import contextlib

import pytest
import torch
from torch import nn

from course_utils.device import MixedPrecision


def _train_steps(amp: MixedPrecision | None, steps: int = 3) -> list[torch.Tensor]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    x, y = torch.randn(32, 8), torch.randint(3, (32,))
    for _ in range(steps):
        if amp is None:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        else:
            with amp.autocast():
                loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            amp.scaler.scale(loss).backward()
            amp.scaler.step(optimizer)
            amp.scaler.update()
    return [p.detach().clone() for p in model.parameters()]


def test_on_a_cpu_mixed_precision_changes_nothing():
    amp = MixedPrecision(torch.device("cpu"))
    assert not amp.enabled and amp.dtype == torch.float32 and not amp.loss_scaling
    assert isinstance(amp.autocast(), contextlib.nullcontext)
    assert "float32" in amp.describe()
    for got, want in zip(_train_steps(amp), _train_steps(None), strict=True):
        assert torch.equal(got, want), "the amp loop must equal the plain loop bit for bit"


@pytest.mark.parametrize(("bf16", "dtype", "scaling"), [(True, torch.bfloat16, False),
                                                        (False, torch.float16, True)])
def test_on_a_gpu_it_picks_bfloat16_else_float16_with_loss_scaling(monkeypatch, bf16, dtype,
                                                                     scaling):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: bf16)
    with pytest.warns(UserWarning) if scaling and not torch.cuda.is_available() else \
            contextlib.nullcontext():  # GradScaler warns and disables itself without a GPU
        amp = MixedPrecision(torch.device("cuda"))
    assert amp.enabled and amp.dtype == dtype and amp.loss_scaling is scaling
    assert str(dtype).removeprefix("torch.") in amp.describe()
    assert MixedPrecision(torch.device("cuda"), enabled=False).dtype == torch.float32


def test_the_course_hands_out_a_fresh_helper_per_training_run(course_env):
    from course_utils import setup

    course = setup("offline", seed=0)
    first, second = course.mixed_precision(), course.mixed_precision()
    assert first is not second and first.scaler is not second.scaler
    assert first.device == course.device
