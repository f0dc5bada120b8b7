"""Notebook 06 helpers: exercise checks (right answers pass, typical mistakes get a hint,
placeholders are "not attempted") and the full-profile Oxford-IIIT Pet table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from checkutil import passed

from course_utils.exercises import nb06


def test_always_cat_accepts_right_answer_and_explains_swapped_classes(capsys):
    labels = {"emoji": np.array([0, 0, 0, 1]), "clipart": np.array([0, 1, 1, 1, 1])}
    right = {"emoji": (0.75, 0.5), "clipart": (0.2, 0.5)}
    assert passed(nb06.check_always_cat, right, labels, strict=True)
    swapped = {"emoji": (0.25, 0.5), "clipart": (0.2, 0.5)}
    assert not passed(nb06.check_always_cat, swapped, labels)
    assert "share of dogs" in capsys.readouterr().out
    assert not passed(nb06.check_always_cat, {"emoji": (..., ...), "clipart": (..., ...)}, labels)
    assert "not attempted" in capsys.readouterr().out


def _early_stopping(val_losses, patience):
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def test_early_stopping_check(capsys):
    assert passed(nb06.check_early_stopping, _early_stopping, strict=True)

    def one_late(val_losses, patience):
        best, stop = _early_stopping(val_losses, patience)
        return best, min(stop + 1, len(val_losses) - 1) if stop < len(val_losses) - 1 else stop

    assert not passed(nb06.check_early_stopping, one_late)
    assert "not one later" in capsys.readouterr().out
    assert not passed(nb06.check_early_stopping, lambda v, p: (..., ...))
    assert "not attempted" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        nb06.check_early_stopping(one_late, strict=True)


def test_l2_penalty_check_wants_the_half(capsys):
    def right(logits, targets, params, wd):
        return F.cross_entropy(logits, targets) + wd / 2 * sum((p**2).sum() for p in params)

    def no_half(logits, targets, params, wd):
        return F.cross_entropy(logits, targets) + wd * sum((p**2).sum() for p in params)

    def placeholder(logits, targets, params, wd):
        penalty = ...
        return F.cross_entropy(logits, targets) + penalty

    assert passed(nb06.check_l2_penalty, right, strict=True)
    assert not passed(nb06.check_l2_penalty, no_half)
    assert "1/2" in capsys.readouterr().out
    assert not passed(nb06.check_l2_penalty, placeholder)
    assert "not attempted" in capsys.readouterr().out


def test_l2_penalty_matches_sgd_weight_decay_step():
    """The lesson's claim: one SGD step with weight_decay equals one step on loss + L2/2."""
    torch.manual_seed(0)
    x, y = torch.randn(8, 5), torch.randint(0, 2, (8,))
    a, b = torch.nn.Linear(5, 2), torch.nn.Linear(5, 2)
    b.load_state_dict(a.state_dict())
    opt_a = torch.optim.SGD(a.parameters(), lr=0.1, weight_decay=0.2)
    opt_b = torch.optim.SGD(b.parameters(), lr=0.1)
    F.cross_entropy(a(x), y).backward()
    opt_a.step()
    (F.cross_entropy(b(x), y) + 0.1 * sum((p**2).sum() for p in b.parameters())).backward()
    opt_b.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.allclose(p, q, atol=1e-6)


def test_sweep_choice_check_ranks_validation_then_loss(capsys):
    sweep = pd.DataFrame({"train_loss": [0.01, 0.2, 0.3], "val_loss": [0.9, 0.3, 0.5],
                          "val_bal_acc": [0.8, 0.9, 0.9]}, index=["a", "b", "c"])
    assert passed(nb06.check_sweep_choice, "b", sweep, strict=True)
    assert not passed(nb06.check_sweep_choice, "a", sweep)
    assert "TRAINING loss" in capsys.readouterr().out
    assert not passed(nb06.check_sweep_choice, "c", sweep)
    assert "Tie" in capsys.readouterr().out
    assert not passed(nb06.check_sweep_choice, ..., sweep)
    assert "not attempted" in capsys.readouterr().out


def test_pets_table_reads_annotations(tmp_path):
    (tmp_path / "annotations").mkdir()
    lines = ["#Image CLASS-ID SPECIES BREED ID"]
    for i in range(6):
        lines.append(f"Abyssinian_{i} 1 1 1")
        lines.append(f"great_pyrenees_{i} 2 2 1")
    (tmp_path / "annotations" / "test.txt").write_text("\n".join(lines) + "\n")
    table = nb06.pets_table(tmp_path, "test", n_per_class=4, seed=0)
    assert list(table.columns) == ["file", "label", "style"]
    assert table["label"].value_counts().to_dict() == {"cat": 4, "dog": 4}
    assert set(table.loc[table["label"] == "dog", "style"]) == {"great_pyrenees"}
    assert all(f.endswith(".jpg") and "/images/" in f for f in table["file"])
    again = nb06.pets_table(tmp_path, "test", n_per_class=4, seed=0)
    pd.testing.assert_frame_equal(table, again)
    with pytest.raises(FileNotFoundError, match="prefetch_full"):
        nb06.pets_table(tmp_path, "trainval", n_per_class=4)
