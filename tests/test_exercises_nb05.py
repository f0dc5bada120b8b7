"""Notebook 05's exercise checks: right answers pass, typical mistakes get a specific hint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from checkutil import passed

from course_utils.exercises import nb05


def good_f_beta(tp, fp, fn, beta):
    b2 = beta**2
    denom = (1 + b2) * tp + b2 * fn + fp
    return 0.0 if denom == 0 else (1 + b2) * tp / denom


def test_placeholders_are_reported_as_not_attempted(capsys):
    assert not passed(nb05.check_f_beta, ...)
    assert not passed(nb05.check_f_beta, lambda tp, fp, fn, beta: ...)
    assert not passed(nb05.check_balanced_accuracy, lambda cm: ...)
    assert not passed(nb05.check_recall_threshold, ..., np.array([0, 1]), np.array([0.2, 0.8]))
    assert not passed(nb05.check_selection, ..., ..., {"config": [], "val_accuracy": [],
                                                       "test_accuracy": []})
    assert capsys.readouterr().out.count("not attempted yet") == 5


def test_f_beta_accepts_the_formula_and_names_typical_mistakes(capsys):
    assert passed(nb05.check_f_beta, good_f_beta, strict=True)
    assert not passed(nb05.check_f_beta, lambda tp, fp, fn, beta: good_f_beta(tp, fn, fp, beta))
    assert "swapped" in capsys.readouterr().out
    assert not passed(nb05.check_f_beta, lambda tp, fp, fn, beta: good_f_beta(tp, fp, fn, 1.0))
    assert "beta is ignored" in capsys.readouterr().out
    assert not passed(nb05.check_f_beta, lambda tp, fp, fn, beta: 2 * tp / (2 * tp + fp + fn))
    assert "divided by zero" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        nb05.check_f_beta(lambda tp, fp, fn, beta: 0.5, strict=True)


def test_balanced_accuracy_hints_at_accuracy_and_precision(capsys):
    def mean_recall(cm):
        return float(np.mean(np.diag(cm) / cm.sum(axis=1)))

    assert passed(nb05.check_balanced_accuracy, mean_recall, strict=True)
    assert not passed(nb05.check_balanced_accuracy, lambda cm: np.trace(cm) / cm.sum())
    assert "plain accuracy" in capsys.readouterr().out
    assert not passed(nb05.check_balanced_accuracy,
                      lambda cm: np.mean(np.diag(cm) / cm.sum(axis=0)))
    assert "precision" in capsys.readouterr().out


def test_recall_threshold_must_reach_the_target_and_be_the_highest(capsys):
    y = np.array([1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    s = np.array([.95, .9, .85, .8, .75, .7, .6, .55, .5, .45, .4, .3, .2])
    # 10 positives: recall 0.9 needs 9 of them; the 9th highest positive score is 0.3
    assert passed(nb05.check_recall_threshold, 0.3, y, s, 0.9, strict=True)
    assert not passed(nb05.check_recall_threshold, 0.35, y, s, 0.9)
    assert "lower it" in capsys.readouterr().out
    assert not passed(nb05.check_recall_threshold, 0.25, y, s, 0.9)
    assert "higher threshold" in capsys.readouterr().out


def test_selection_rejects_choosing_on_test_and_reporting_validation(capsys):
    trial = pd.DataFrame({"config": ["a", "b", "c"], "val_accuracy": [0.80, 0.90, 0.85],
                          "test_accuracy": [0.95, 0.84, 0.86]})
    assert passed(nb05.check_selection, "b", 0.84, trial, strict=True)
    assert not passed(nb05.check_selection, "a", 0.95, trial)
    assert "best TEST score" in capsys.readouterr().out
    assert not passed(nb05.check_selection, "b", 0.90, trial)
    assert "validation accuracy 0.900: it was used to choose" in capsys.readouterr().out
    assert not passed(nb05.check_selection, "z", 0.9, trial)
    assert "not one of the configurations" in capsys.readouterr().out


def test_recall_threshold_is_chosen_on_validation_and_a_test_choice_is_named(capsys):
    y_val = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
    s_val = np.array([.95, .9, .85, .8, .7, .6, .5, .45, .4, .2, .3, .1])
    y_te = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
    s_te = np.array([.99, .97, .93, .9, .88, .86, .84, .82, .8, .1, .5, .2])
    # validation: 9 of 10 positives needed, the 9th highest positive score is 0.4
    assert passed(nb05.check_recall_threshold, 0.4, y_val, s_val, 0.9, test=(y_te, s_te),
                  strict=True)
    out = capsys.readouterr().out
    assert "untouched test half" in out
    assert not passed(nb05.check_recall_threshold, 0.8, y_val, s_val, 0.9, test=(y_te, s_te))
    assert "TEST half would pick" in capsys.readouterr().out


def test_selection_rejects_breaking_a_validation_tie_with_the_test_column(capsys):
    trial = pd.DataFrame({"config": ["a", "b", "c", "d"],
                          "val_accuracy": [0.80, 0.90, 0.85, 0.90],
                          "test_accuracy": [0.95, 0.82, 0.86, 0.88]})
    assert passed(nb05.check_selection, "b", 0.82, trial, strict=True)
    assert not passed(nb05.check_selection, "d", 0.88, trial)
    assert "broke the tie with the test column" in capsys.readouterr().out
    assert not passed(nb05.check_selection, "b", 0.90, trial)
    assert "it was used to choose" in capsys.readouterr().out
    assert not passed(nb05.check_selection, "b", 0.86, trial)
    assert "reported 0.860" in capsys.readouterr().out
