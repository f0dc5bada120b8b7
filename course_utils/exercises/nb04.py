"""Checks for notebook 04 (BERT sentiment fine-tuning). Each says what is wrong, never raises
for a learner (``strict=True`` is for the solution cells)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ..checks import NotAttempted, check, require_attempt

CLASS_NAMES = ("negative", "neutral", "positive")


def _reference_label(rating: float, low: float, high: float) -> str:
    if rating < low:
        return "negative"
    if rating > high:
        return "positive"
    return "neutral"


def check_rating_to_label(fn: Callable[[float], str], *, strict: bool = False) -> None:
    """Exercise 1: a stricter labelling rule (|rating| > 1.0 needed for a polar label)."""

    def test() -> None:
        require_attempt(fn)
        cases = [-3.2, -1.5, -1.0, -0.99, -0.3, 0.0, 0.7, 1.0, 1.01, 2.4]
        first = fn(cases[0])
        require_attempt(first)
        for r in cases:
            got, want = fn(r), _reference_label(r, -1.0, 1.0)
            assert got in CLASS_NAMES, (
                f"rating_to_label({r}) returned {got!r}; return one of {CLASS_NAMES}.")
            hint = (" The thresholds are strict: exactly -1.0 and +1.0 stay neutral."
                    if abs(r) == 1.0 else "")
            assert got == want, f"rating_to_label({r}) gave {got!r}, expected {want!r}.{hint}"

    check("Exercise 1 (labelling rule)", test, strict=strict)


def check_cross_entropy(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], *,
                        strict: bool = False) -> None:
    """Exercise 2: mean cross-entropy from logits, numerically stable for large logits."""

    def test() -> None:
        require_attempt(fn)
        gen = torch.Generator().manual_seed(4)
        logits = torch.randn(8, 3, generator=gen) * 2
        labels = torch.randint(0, 3, (8,), generator=gen)
        got = fn(logits, labels)
        require_attempt(got)
        got = torch.as_tensor(got, dtype=torch.float32)
        assert got.numel() == 1, (
            f"return one number (the mean over the batch), got shape {tuple(got.shape)}.")
        want = F.cross_entropy(logits, labels)
        assert torch.isclose(got.reshape(()), want, atol=1e-5), (
            f"got {got.item():.5f}, F.cross_entropy gives {want.item():.5f}. The loss of one "
            "example is -log softmax(logits)[true class]; average over the batch.")
        big = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]])
        big_labels = torch.tensor([1, 1])
        got_big = torch.as_tensor(fn(big, big_labels), dtype=torch.float32).reshape(())
        want_big = F.cross_entropy(big, big_labels)
        assert torch.isfinite(got_big), (
            "with logits around 1000 your loss is inf or nan: exp(1000) overflows. Subtract "
            "the row maximum before exponentiating (that is what log_softmax does).")
        assert torch.isclose(got_big, want_big, rtol=1e-4), (
            f"large logits: got {got_big.item():.3f}, expected {want_big.item():.3f}.")

    check("Exercise 2 (cross-entropy by hand)", test, strict=strict)


def reference_lr(step: int, total_steps: int, warmup_steps: int, peak_lr: float) -> float:
    """Linear warm-up from 0 to ``peak_lr``, then linear decay to 0 at ``total_steps``."""
    if step < warmup_steps:
        return peak_lr * step / max(1, warmup_steps)
    return peak_lr * max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


def check_lr_schedule(fn: Callable[[int, int, int, float], float], *,
                      strict: bool = False) -> None:
    """Exercise 3: the warm-up-then-linear-decay learning rate at a given optimizer step."""

    def test() -> None:
        require_attempt(fn)
        total, warm, peak = 100, 10, 5e-5
        first = fn(0, total, warm, peak)
        require_attempt(first)
        for step in (0, 1, 5, 10, 11, 50, 99, 100):
            got, want = float(fn(step, total, warm, peak)), reference_lr(step, total, warm, peak)
            where = "during warm-up" if step < warm else "during the decay"
            assert math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-12), (
                f"at step {step} ({where}) you give {got:.3g}, expected {want:.3g}. The rate "
                f"climbs linearly from 0 to peak_lr over {warm} steps, then falls linearly to 0 "
                f"at step {total}.")

    check("Exercise 3 (learning-rate schedule)", test, strict=strict)


def check_macro_f1(fn: Callable[[np.ndarray], float], *, strict: bool = False) -> None:
    """Exercise 4: macro-F1 from a confusion matrix (rows = true class, columns = predicted)."""

    def test() -> None:
        from sklearn.metrics import f1_score

        require_attempt(fn)
        cm = np.array([[50, 8, 2], [12, 9, 9], [3, 6, 61]])
        got = fn(cm)
        require_attempt(got)
        y_true = np.repeat(np.arange(3), cm.sum(axis=1))
        y_pred = np.concatenate([np.repeat(np.arange(3), row) for row in cm])
        want = f1_score(y_true, y_pred, average="macro")
        micro = np.trace(cm) / cm.sum()
        if math.isclose(float(got), micro, abs_tol=1e-6):
            raise AssertionError("that is accuracy (= micro-F1). Macro-F1 is the unweighted mean "
                                 "of the per-class F1 scores.")
        assert math.isclose(float(got), want, abs_tol=1e-6), (
            f"got {float(got):.4f}, expected {want:.4f}. Per class k: precision = "
            "cm[k,k] / column sum, recall = cm[k,k] / row sum, F1 = their harmonic mean; then "
            "average the three F1 scores.")

    check("Exercise 4 (macro-F1 from a confusion matrix)", test, strict=strict)


__all__ = ["NotAttempted", "check_cross_entropy", "check_lr_schedule", "check_macro_f1",
           "check_rating_to_label", "reference_lr"]
