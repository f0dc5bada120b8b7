"""Checks for the exercises of notebook 06 (challenges), plus its full-profile image table.

Each check prints what is wrong (or "not attempted yet") and returns True/False; with
``strict=True`` (used by the solution cells) a wrong answer raises instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from ..checks import NotAttempted, check, expect_close, require_attempt

# --------------------------------------------------------------------------------------------
# Exercise 1: the always-"cat" baseline in two domains


def _baseline_scores(labels: Sequence[int]) -> tuple[float, float]:
    y = np.asarray(labels, dtype=int)
    accuracy = float(np.mean(y == 0))  # always predicting class 0 = cat
    present = np.unique(y)
    recalls = [1.0 if c == 0 else 0.0 for c in present]  # recall is 1 for cat, 0 for dog
    return accuracy, float(np.mean(recalls))


def check_always_cat(answers: Mapping[str, Any] | Any, labels: Mapping[str, Sequence[int]], *,
                     strict: bool = False) -> None:
    """Exercise 1: accuracy and balanced accuracy of a model that always answers "cat".

    ``answers`` maps each domain name to ``(accuracy, balanced_accuracy)``; ``labels`` maps the same
    names to the true labels (0 = cat, 1 = dog).
    """

    def test() -> None:
        require_attempt(answers)
        assert isinstance(answers, Mapping), "answers should be a dict {domain: (acc, bal_acc)}."
        for domain, y in labels.items():
            assert domain in answers, f"no answer for the domain {domain!r}."
            pair = answers[domain]
            require_attempt(pair)
            if isinstance(pair, tuple | list):
                require_attempt(*pair)
            assert isinstance(pair, tuple | list) and len(pair) == 2, (
                f"answers[{domain!r}] should be a pair (accuracy, balanced_accuracy)."
            )
            acc, bal = (float(v) for v in pair)
            want_acc, want_bal = _baseline_scores(y)
            hint = ""
            if abs(acc - (1 - want_acc)) < 1e-3 and abs(want_acc - 0.5) > 1e-3:
                hint = "That is the share of dogs: label 0 is cat."
            expect_close(f"accuracy on {domain}", acc, want_acc, 1e-3, hint)
            hint = ("Balanced accuracy is the mean of the per-class recalls: the cat recall is 1, "
                    "the dog recall is 0.")
            expect_close(f"balanced accuracy on {domain}", bal, want_bal, 1e-3, hint)

    check("Exercise 1 (the always-cat baseline)", test, strict=strict)


# --------------------------------------------------------------------------------------------
# Exercise 2: early stopping with patience


def _reference_early_stopping(val_losses: Sequence[float], patience: int) -> tuple[int, int]:
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def _loss_curves(seed: int = 6) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    curves = [[1.0, 0.8, 0.6, 0.7, 0.65, 0.62, 0.61, 0.9], [0.5, 0.5, 0.5, 0.5, 0.5],
              [0.9, 0.8, 0.7, 0.6, 0.5], [0.3, 0.4, 0.5, 0.6, 0.2, 0.1]]
    for _ in range(40):
        n = int(rng.integers(5, 40))
        t = np.arange(n)
        u_shape = 1.0 / (1 + t) + 0.002 * t**2 * rng.uniform(0.1, 1)
        curves.append((u_shape + rng.normal(0, 0.03, n)).round(3).tolist())
    return curves


def check_early_stopping(early_stopping: Callable[[Sequence[float], int], tuple[int, int]] | Any,
                         *, strict: bool = False) -> None:
    """Exercise 2: ``early_stopping(val_losses, patience) -> (best_epoch, stop_epoch)``."""

    def test() -> None:
        require_attempt(early_stopping)
        assert callable(early_stopping), "early_stopping should be a function."
        probe = early_stopping([1.0, 0.5, 0.7], 1)
        if probe is Ellipsis or (isinstance(probe, tuple) and Ellipsis in probe):
            raise NotAttempted
        for patience in (1, 2, 3, 5):
            for curve in _loss_curves():
                want = _reference_early_stopping(curve, patience)
                got = early_stopping(list(curve), patience)
                assert isinstance(got, tuple | list) and len(got) == 2, (
                    "return a pair (best_epoch, stop_epoch)."
                )
                got = (int(got[0]), int(got[1]))
                if got == want:
                    continue
                hint = ""
                if got[0] == want[0] and got[1] == want[1] + 1:
                    hint = (" Stop at the epoch where `patience` epochs have passed without a "
                            "new best, not one later.")
                elif got[0] != want[0] and curve.count(min(curve)) > 1:
                    hint = " A tie is not an improvement: keep the first epoch with the best loss."
                raise AssertionError(
                    f"for val_losses={curve} and patience={patience} you returned {got}, "
                    f"expected {want} (epochs count from 0).{hint}"
                )

    check("Exercise 2 (early stopping with patience)", test, strict=strict)


# --------------------------------------------------------------------------------------------
# Exercise 3: weight decay is an L2 penalty


def check_l2_penalty(loss_with_l2: Callable[..., torch.Tensor] | Any, *,
                     strict: bool = False) -> None:
    """Exercise 3: ``loss_with_l2(logits, targets, params, weight_decay)`` whose gradient equals
    the cross-entropy gradient plus ``weight_decay * w`` (what ``SGD(weight_decay=...)`` adds)."""

    def test() -> None:
        require_attempt(loss_with_l2)
        assert callable(loss_with_l2), "loss_with_l2 should be a function."
        gen = torch.Generator().manual_seed(3)
        for weight_decay in (0.0, 0.01, 0.3):
            layer = torch.nn.Linear(6, 2)
            with torch.no_grad():
                for p in layer.parameters():
                    p.copy_(torch.randn(p.shape, generator=gen))
            x = torch.randn(10, 6, generator=gen)
            targets = torch.randint(0, 2, (10,), generator=gen)
            params = list(layer.parameters())
            try:
                loss = loss_with_l2(layer(x), targets, params, weight_decay)
            except TypeError as exc:
                if "ellipsis" in str(exc):  # the placeholder `penalty = ...` was added to a tensor
                    raise NotAttempted from None
                raise AssertionError(f"calling loss_with_l2 failed: {exc}") from None
            if loss is Ellipsis:
                raise NotAttempted
            assert isinstance(loss, torch.Tensor) and loss.dim() == 0, (
                "return the loss as a scalar tensor (so that .backward() works)."
            )
            got = torch.autograd.grad(loss, params)
            base = torch.autograd.grad(F.cross_entropy(layer(x), targets), params)
            want = [g + weight_decay * p for g, p in zip(base, params, strict=True)]
            if all(torch.allclose(a, b, atol=1e-5) for a, b in zip(got, want, strict=True)):
                continue
            double = [g + 2 * weight_decay * p for g, p in zip(base, params, strict=True)]
            hint = ""
            if all(torch.allclose(a, b, atol=1e-5) for a, b in zip(got, double, strict=True)):
                hint = (" Your penalty's gradient is twice too large: the derivative of "
                        "w^2 is 2w, so the penalty needs a factor 1/2.")
            elif all(torch.allclose(a, b, atol=1e-5) for a, b in zip(got, base, strict=True)):
                hint = " The penalty has no effect on the gradient: is it added to the loss?"
            raise AssertionError(
                f"with weight_decay={weight_decay} the gradient differs from "
                f"cross-entropy gradient + weight_decay * w.{hint}"
            )

    check("Exercise 3 (weight decay as an L2 penalty)", test, strict=strict)


# --------------------------------------------------------------------------------------------
# Exercise 4: choose on validation


def check_sweep_choice(chosen: Any, sweep: pd.DataFrame, *, strict: bool = False) -> None:
    """Exercise 4: the row label of ``sweep`` with the highest ``val_bal_acc``, ties broken by the
    lower ``val_loss``."""

    def test() -> None:
        require_attempt(chosen)
        assert chosen in sweep.index, f"{chosen!r} is not a row label of the sweep table."
        order = sweep.sort_values(["val_bal_acc", "val_loss"], ascending=[False, True])
        want = order.index[0]
        if chosen == want:
            return
        row = sweep.loc[chosen]
        hint = ""
        if "train_loss" in sweep and chosen == sweep["train_loss"].idxmin():
            hint = (" You chose the lowest TRAINING loss: that rewards memorising the training "
                    "set. Use the validation columns.")
        elif chosen == sweep["val_loss"].idxmin():
            hint = " That is the lowest validation loss; the task ranks by val_bal_acc first."
        elif row["val_bal_acc"] == sweep.loc[want, "val_bal_acc"]:
            hint = " Tie on val_bal_acc: break it with the lower val_loss."
        raise AssertionError(f"you chose {chosen!r}, expected {want!r}.{hint}")

    check("Exercise 4 (choose on validation)", test, strict=strict)


# --------------------------------------------------------------------------------------------
# Full profile: an image table over Oxford-IIIT Pet


def pets_table(root: str | Path, split: str, n_per_class: int, seed: int = 0) -> pd.DataFrame:
    """Rows (file, label cat|dog, style = breed) of an Oxford-IIIT Pet split, ``n_per_class``
    random images per species (all when fewer), read from the dataset's annotation list.

    ``root`` holds ``images/`` and ``annotations/{trainval,test}.txt`` (torchvision's layout).
    """
    root = Path(root)
    listing = root / "annotations" / f"{split}.txt"
    if not listing.exists():
        raise FileNotFoundError(
            f"{listing.name} is missing under the Oxford-IIIT Pet folder: fetch the dataset with "
            "data_scripts/prefetch_full.py or use PROFILE='offline'."
        )
    rows = []
    for line in listing.read_text().splitlines():
        parts = line.split()
        if len(parts) < 3 or line.startswith("#"):
            continue
        image_id, species = parts[0], int(parts[2])  # species: 1 = cat, 2 = dog
        rows.append({"file": str(root / "images" / f"{image_id}.jpg"),
                     "label": "cat" if species == 1 else "dog",
                     "style": image_id.rsplit("_", 1)[0]})
    table = pd.DataFrame(rows)
    picked = [group.sample(min(n_per_class, len(group)), random_state=seed)
              for _, group in table.groupby("label")]
    return pd.concat(picked).sort_values("file").reset_index(drop=True)
