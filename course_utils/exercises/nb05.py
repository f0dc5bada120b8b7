"""Checks for the exercises of notebook 05 (evaluating models).

Each check prints what is wrong (or "not attempted yet") and returns nothing; with
``strict=True`` (used by the solution cells) a wrong answer raises instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..checks import NotAttempted, check, require_attempt


def _reference_f_beta(tp: int, fp: int, fn: int, beta: float) -> float:
    b2 = beta * beta
    denom = (1 + b2) * tp + b2 * fn + fp
    return 0.0 if denom == 0 else (1 + b2) * tp / denom


def _count_cases(seed: int = 5) -> list[tuple[int, int, int]]:
    rng = np.random.default_rng(seed)
    cases = [(0, 0, 0), (0, 3, 0), (0, 0, 4), (5, 0, 0), (3, 1, 7), (3, 7, 1)]
    cases += [tuple(int(v) for v in rng.integers(0, 20, 3)) for _ in range(30)]
    return cases


def check_f_beta(f_beta: Callable[[int, int, int, float], float] | Any, *,
                 strict: bool = False) -> None:
    """Exercise 1: ``f_beta(tp, fp, fn, beta)`` from counts, 0 when the counts are all zero."""

    def test() -> None:
        require_attempt(f_beta)
        assert callable(f_beta), "f_beta should be a function f_beta(tp, fp, fn, beta)."
        if f_beta(3, 1, 2, 1.0) is Ellipsis:  # the placeholder body `return ...`
            raise NotAttempted
        for beta in (1.0, 2.0, 0.5):
            for tp, fp, fn in _count_cases():
                want = _reference_f_beta(tp, fp, fn, beta)
                try:
                    got = float(f_beta(tp, fp, fn, beta))
                except ZeroDivisionError:
                    raise AssertionError(
                        f"f_beta({tp}, {fp}, {fn}, beta={beta}) divided by zero. When the "
                        "denominator is 0 (no true and no predicted positives) return 0.0, as "
                        "scikit-learn does with zero_division=0."
                    ) from None
                if np.isclose(got, want, atol=1e-9):
                    continue
                swapped = _reference_f_beta(tp, fn, fp, beta)
                hint = ""
                if np.isclose(got, swapped, atol=1e-9):
                    hint = (" It matches the formula with FP and FN swapped: beta > 1 should "
                            "weigh recall (missed positives, FN) more, so beta^2 multiplies FN.")
                elif beta != 1.0 and np.isclose(got, _reference_f_beta(tp, fp, fn, 1.0)):
                    hint = " That is F1: beta is ignored."
                elif np.isclose(got, _reference_f_beta(tp, fp, fn, beta**0.5), atol=1e-9):
                    hint = " Use beta squared, not beta."
                raise AssertionError(
                    f"f_beta(tp={tp}, fp={fp}, fn={fn}, beta={beta}) returned {got:.4f}, "
                    f"expected {want:.4f}.{hint}"
                )

    check("Exercise 1 (F-beta from counts)", test, strict=strict)


def _random_confusions(seed: int = 11) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(25):
        k = int(rng.integers(2, 6))
        cm = rng.integers(0, 12, size=(k, k))
        cm[np.arange(k), np.arange(k)] += rng.integers(1, 20, size=k)  # every class has support
        out.append(cm)
    return out


def check_balanced_accuracy(balanced_accuracy: Callable[[np.ndarray], float] | Any, *,
                            strict: bool = False) -> None:
    """Exercise 2: balanced accuracy (mean per-class recall) from a confusion matrix."""

    def test() -> None:
        require_attempt(balanced_accuracy)
        assert callable(balanced_accuracy), "balanced_accuracy should be a function of cm."
        if balanced_accuracy(np.eye(2, dtype=int)) is Ellipsis:  # the placeholder `return ...`
            raise NotAttempted
        for cm in _random_confusions():
            cm_f = cm.astype(float)
            recall = np.diag(cm_f) / cm_f.sum(axis=1)
            want = float(recall.mean())
            got = float(balanced_accuracy(cm.copy()))
            if np.isclose(got, want, atol=1e-9):
                continue
            hint = ""
            if np.isclose(got, np.trace(cm_f) / cm_f.sum()):
                hint = " That is plain accuracy: average the per-class recalls instead."
            elif np.isclose(got, float((np.diag(cm_f) / cm_f.sum(axis=0)).mean())):
                hint = (" That is the mean per-class precision (column totals). Recall divides "
                        "by the row totals: rows are the true classes.")
            raise AssertionError(
                f"for the {cm.shape[0]}-class matrix {cm.tolist()} you returned {got:.4f}, "
                f"expected {want:.4f}.{hint}"
            )

    check("Exercise 2 (balanced accuracy)", test, strict=strict)


def _recall_precision(threshold: float, y_true: np.ndarray, y_score: np.ndarray
                      ) -> tuple[float, float]:
    pred = y_score >= threshold
    tp = int(np.sum(pred & (y_true == 1)))
    recall = tp / max(int(np.sum(y_true == 1)), 1)
    precision = tp / int(pred.sum()) if pred.any() else 0.0
    return recall, precision


def _best_threshold(y_true: np.ndarray, y_score: np.ndarray, target_recall: float) -> float:
    pos = np.sort(y_score[y_true == 1])[::-1]
    n_needed = int(np.ceil(target_recall * len(pos) - 1e-9))
    return float(pos[n_needed - 1])


def check_recall_threshold(threshold: float | Any, y_val: np.ndarray, val_scores: np.ndarray,
                           target_recall: float = 0.9, *, test: tuple | None = None,
                           strict: bool = False) -> None:
    """Exercise 3: the highest threshold (predict positive when score >= t) whose recall on the
    VALIDATION examples reaches the target. ``test=(y_test, test_scores)``: the untouched half,
    used only to report the chosen threshold's recall and to spot a threshold picked on it."""

    def test_fn() -> None:
        require_attempt(threshold)
        yt, ys = np.asarray(y_val), np.asarray(val_scores, dtype=float)
        t = float(threshold)
        best = _best_threshold(yt, ys, target_recall)
        recall, precision = _recall_precision(t, yt, ys)
        if test is not None and not np.isclose(t, best):
            y_te, s_te = np.asarray(test[0]), np.asarray(test[1], dtype=float)
            if np.isclose(t, _best_threshold(y_te, s_te, target_recall)):
                raise AssertionError(
                    f"threshold {t:.4f} is the one the TEST half would pick. Choose it on the "
                    "validation half (y_val, val_scores); the test half only reports the result."
                )
        assert recall >= target_recall - 1e-12, (
            f"at threshold {t:.4f} the validation recall is only {recall:.3f} < {target_recall}: "
            "lower it."
        )
        best_recall, best_precision = _recall_precision(best, yt, ys)
        assert t >= best - 1e-12, (
            f"threshold {t:.4f} reaches validation recall {recall:.3f} with precision "
            f"{precision:.3f}, but a higher threshold also reaches recall >= {target_recall}: "
            "raise it until one more positive would be lost (sort the positives' scores)."
        )
        assert np.isclose(recall, best_recall), "unexpected: recall differs from the best one."
        print(f"    validation: recall {recall:.3f}, precision {precision:.3f} "
              f"at threshold {t:.4f}")
        if test is not None:
            r_te, p_te = _recall_precision(t, np.asarray(test[0]), np.asarray(test[1], dtype=float))
            print(f"    untouched test half: recall {r_te:.3f}, precision {p_te:.3f}")

    check("Exercise 3 (threshold for a recall target)", test_fn, strict=strict)


def check_selection(chosen: Any, reported: float | Any, trial: Any, *,
                    strict: bool = False) -> None:
    """Exercise 4: pick the configuration with the best validation accuracy (ties: the first in
    the table), and report its test score; refuse test-based choices and tie-breaks."""

    def test() -> None:
        require_attempt(chosen, reported)
        val = np.asarray(trial["val_accuracy"], dtype=float)
        test_acc = np.asarray(trial["test_accuracy"], dtype=float)
        configs = list(trial["config"])
        assert chosen in configs, f"{chosen!r} is not one of the configurations in the table."
        i = configs.index(chosen)
        by_test = configs[int(np.argmax(test_acc))]
        ties = np.flatnonzero(np.isclose(val, val.max()))
        if i not in ties:
            extra = (" You picked the best TEST score: that is exactly the optimistic choice "
                     "the lesson warns about.") if chosen == by_test else ""
            raise AssertionError(
                f"{chosen!r} has validation accuracy {val[i]:.3f}, but the best validation "
                f"accuracy is {val.max():.3f}. Choose with the validation column.{extra}"
            )
        if i != ties[0]:
            first = configs[ties[0]]
            if np.isclose(test_acc[i], test_acc[ties].max()):
                raise AssertionError(
                    f"{chosen!r} ties on validation with {first!r}, and you broke the tie with "
                    "the test column: that is choosing on the test set again. Break ties "
                    f"without it: take the first tied configuration in the table ({first!r})."
                )
            raise AssertionError(f"{chosen!r} ties with {first!r} on validation: the rule takes "
                                 "the first tied configuration in the table.")
        rep = float(reported)
        if np.isclose(rep, val[i]) and not np.isclose(val[i], test_acc[i]):
            raise AssertionError(
                f"you reported the validation accuracy {rep:.3f}: it was used to choose, so it "
                "is optimistic. Report the test accuracy of the chosen configuration."
            )
        assert np.isclose(rep, test_acc[i]), (
            f"reported {rep:.3f}, but the chosen configuration's test accuracy is "
            f"{test_acc[i]:.3f}."
        )

    check("Exercise 4 (choose on validation, report on test)", test, strict=strict)
