"""The from-scratch metrics of notebook 05 agree with scikit-learn (property tests).

The functions are not copied here: the test executes the notebook's own cells tagged
``from-scratch-metrics`` (they only need numpy), so the code learners read is the code tested.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_evaluating_models.ipynb"
TAG = "from-scratch-metrics"
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
AVERAGES = (None, "macro", "micro", "weighted")
# one-class cases are valid here; scikit-learn's confusion_matrix only reminds us to pass labels
pytestmark = pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")


def _load_notebook_functions() -> dict:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and TAG in c.metadata.get("tags", [])]
    assert len(cells) >= 3, f"expected the {TAG!r} cells in {NOTEBOOK.name}"
    namespace: dict = {"np": np}
    for cell in cells:
        exec(compile(cell.source, f"{NOTEBOOK.name}:{cell.id}", "exec"), namespace)
    return namespace


NB = _load_notebook_functions()
confusion_matrix = NB["confusion_matrix"]
accuracy = NB["accuracy"]
precision_recall_f1 = NB["precision_recall_f1"]
pr_curve = NB["pr_curve"]


@st.composite
def labelled_cases(draw, min_classes: int = 1, max_classes: int = 6):
    """(y_true, y_pred, n_classes, zero_division), small enough that empty classes are common."""
    k = draw(st.integers(min_classes, max_classes))
    n = draw(st.integers(1, 40))
    labels = st.lists(st.integers(0, k - 1), min_size=n, max_size=n)
    y_true, y_pred = np.array(draw(labels)), np.array(draw(labels))
    return y_true, y_pred, k, draw(st.sampled_from([0.0, 1.0]))


def _sklearn_prf(y_true, y_pred, k, average, zd, pos_label=1):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # with an explicit zero_division nothing should warn
        return skm.precision_recall_fscore_support(
            y_true, y_pred, labels=list(range(k)), average=average, zero_division=zd,
            pos_label=pos_label)[:3]


def _assert_same(ours, theirs, what):
    for name, a, b in zip(("precision", "recall", "F1"), ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12, err_msg=f"{what}: {name}")


@PROPERTY
@given(labelled_cases())
def test_confusion_matrix_and_accuracy_match_sklearn(case):
    y_true, y_pred, k, _ = case
    cm = confusion_matrix(y_true, y_pred, k)
    np.testing.assert_array_equal(cm, skm.confusion_matrix(y_true, y_pred, labels=range(k)))
    assert np.isclose(accuracy(cm), skm.accuracy_score(y_true, y_pred))


@PROPERTY
@given(labelled_cases())
def test_multiclass_precision_recall_f1_match_sklearn_for_every_average(case):
    y_true, y_pred, k, zd = case
    cm = confusion_matrix(y_true, y_pred, k)
    for average in AVERAGES:
        ours = precision_recall_f1(cm, average=average, zero_division=zd)
        _assert_same(ours, _sklearn_prf(y_true, y_pred, k, average, zd), f"average={average}")


@PROPERTY
@given(labelled_cases(min_classes=2, max_classes=2), st.sampled_from([0, 1]))
def test_binary_scores_of_the_positive_class_match_sklearn(case, pos_label):
    y_true, y_pred, _, zd = case
    cm = confusion_matrix(y_true, y_pred, 2)
    ours = precision_recall_f1(cm, average="binary", pos_label=pos_label, zero_division=zd)
    theirs = _sklearn_prf(y_true, y_pred, 2, "binary", zd, pos_label=pos_label)
    _assert_same(ours, theirs, f"binary, pos_label={pos_label}")


@PROPERTY
@given(labelled_cases())
def test_metric_identities_hold(case):
    y_true, y_pred, k, zd = case
    cm = confusion_matrix(y_true, y_pred, k)
    assert cm.sum() == len(y_true)
    micro = precision_recall_f1(cm, average="micro", zero_division=zd)
    assert np.allclose(micro, accuracy(cm)), "single-label micro P/R/F1 equal accuracy"
    p, r, f = precision_recall_f1(cm, zero_division=zd)
    for values in (p, r, f):
        assert np.all((values >= 0) & (values <= 1))
    macro_f1 = precision_recall_f1(cm, average="macro", zero_division=zd)[2]
    assert f.min() - 1e-12 <= macro_f1 <= f.max() + 1e-12


# Hand-picked edge cases: (y_true, y_pred, n_classes)
EDGE_CASES = {
    "a class never predicted": ([0, 1, 2, 2, 1], [0, 0, 2, 2, 0], 3),
    "a class absent from the true labels": ([0, 0, 2, 2], [0, 1, 2, 1], 3),
    "a class absent from truth and predictions": ([0, 2, 2], [0, 2, 0], 3),
    "every prediction right": ([0, 1, 2, 3], [0, 1, 2, 3], 4),
    "every prediction wrong": ([0, 1, 2], [1, 2, 0], 3),
    "a single example": ([1], [1], 2),
    "binary, no positives anywhere": ([0, 0, 0], [0, 0, 0], 2),
    "binary, positives never predicted": ([1, 1, 0], [0, 0, 0], 2),
    "binary, positives only predicted": ([0, 0, 0], [1, 0, 1], 2),
    "one class only": ([0, 0], [0, 0], 1),
}


@pytest.mark.parametrize("zd", [0.0, 1.0])
@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases_match_sklearn(name, zd):
    y_true, y_pred, k = (np.array(v) if isinstance(v, list) else v for v in EDGE_CASES[name])
    cm = confusion_matrix(y_true, y_pred, k)
    for average in AVERAGES + (("binary",) if k == 2 else ()):
        ours = precision_recall_f1(cm, average=average, zero_division=zd)
        _assert_same(ours, _sklearn_prf(y_true, y_pred, k, average, zd), f"{name}, {average}")


def test_zero_division_value_fills_only_undefined_ratios():
    # class 1 is never predicted and absent from the truth: its P, R and F1 are all 0/0
    cm = confusion_matrix(np.array([0, 2]), np.array([0, 0]), 3)
    for zd in (0.0, 1.0):
        p, r, f = precision_recall_f1(cm, zero_division=zd)
        assert (p[1], r[1], f[1]) == (zd, zd, zd)
        assert p[2] == zd and r[2] == 0.0 and f[2] == 0.0  # 0/0 precision, but recall 0/1


def test_unknown_average_is_refused():
    with pytest.raises(ValueError, match="unknown average"):
        precision_recall_f1(np.eye(2, dtype=int), average="samples")


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 8)), min_size=1, max_size=60))
def test_pr_curve_matches_sklearn_including_tied_scores(pairs):
    y = np.array([p[0] for p in pairs])
    if y.sum() == 0:
        y[0] = 1  # recall needs at least one positive
    scores = np.array([p[1] for p in pairs], dtype=float) / 8  # few values: many ties
    precision, recall, thresholds = pr_curve(y, scores)
    sk_p, sk_r, sk_t = skm.precision_recall_curve(y, scores)
    # scikit-learn lists thresholds in increasing order and appends the point (recall 0, P 1)
    np.testing.assert_allclose(thresholds, sk_t[::-1])
    np.testing.assert_allclose(precision, sk_p[-2::-1])
    np.testing.assert_allclose(recall, sk_r[-2::-1])
