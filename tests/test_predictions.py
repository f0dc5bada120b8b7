"""Saved predictions round-trip through the course cache (notebooks 02/04 write, 05 reads)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.predictions import (
    describe_provenance,
    load_predictions,
    predictions_path,
    quick_warning,
    save_predictions,
)

HOW = {"profile": "offline", "quick": False, "model": "EfficientNet-Lite0 head"}


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))


def test_missing_predictions_load_as_none():
    assert load_predictions("nb02_cats_dogs") is None


def test_binary_predictions_round_trip_with_scores():
    path = save_predictions("nb02_cats_dogs", [0, 1, 1, 0], [0, 1, 0, 0],
                            y_score=[0.1, 0.9, 0.4, 0.2], class_names=["cat", "dog"],
                            note="head only", **HOW)
    assert path.name == "nb02_cats_dogs.npz" and path.parent.name == "predictions"
    got = load_predictions("nb02_cats_dogs")
    assert got is not None
    np.testing.assert_array_equal(got["y_true"], [0, 1, 1, 0])
    np.testing.assert_array_equal(got["y_pred"], [0, 1, 0, 0])
    np.testing.assert_allclose(got["y_score"], [0.1, 0.9, 0.4, 0.2])
    assert got["class_names"] == ["cat", "dog"] and got["note"] == "head only"


def test_multiclass_probabilities_and_default_class_names():
    probs = np.full((3, 3), 1 / 3)
    save_predictions("nb04_sentiment", np.array([0, 2, 1]), np.array([2, 2, 1]),
                     y_score=probs, **HOW)
    got = load_predictions("nb04_sentiment")
    assert got["class_names"] == ["0", "1", "2"]
    assert got["y_score"].shape == (3, 3)


def test_predictions_without_scores_load_score_as_none():
    save_predictions("plain", [1, 0], [1, 1], class_names=["a", "b"], **HOW)
    assert load_predictions("plain")["y_score"] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y_true": [0, 1], "y_pred": [0]}, "y_pred has 1"),
        ({"y_true": [0, 1], "y_pred": [0, 1], "y_score": [0.5]}, "y_score must have shape"),
        ({"y_true": [0, 2], "y_pred": [0, 1], "class_names": ["a", "b"]}, "class_names has 2"),
        ({"y_true": [0.5, 1], "y_pred": [0, 1]}, "integer class indices"),
        ({"y_true": [-1, 1], "y_pred": [0, 1]}, "negative label"),
        ({"y_true": [], "y_pred": []}, "empty"),
    ],
)
def test_bad_predictions_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        save_predictions("bad", **kwargs, **HOW)


@pytest.mark.parametrize("name", ["../escape", "a/b", "x.npz", ""])
def test_names_cannot_escape_the_predictions_folder(name):
    with pytest.raises(ValueError, match="Invalid predictions name"):
        predictions_path(name)


def test_a_corrupted_file_is_ignored_with_a_warning():
    path = save_predictions("broken", [0, 1], [0, 1], **HOW)
    path.write_bytes(b"not a zip file")
    with pytest.warns(UserWarning, match="could not be read"):
        assert load_predictions("broken") is None


def test_predictions_record_how_they_were_made_and_quick_runs_are_flagged():
    save_predictions("full_run", [0, 1], [0, 1], **HOW)
    save_predictions("quick_run", [0, 1], [0, 1], **dict(HOW, quick=True))
    full, quick = load_predictions("full_run"), load_predictions("quick_run")
    assert full["provenance"]["profile"] == "offline" and full["provenance"]["date"]
    assert "full budget" in describe_provenance(full) and quick_warning(full) is None
    assert "QUICK" in describe_provenance(quick) and "QUICK" in quick_warning(quick)


def test_the_profile_must_be_a_resolved_one():
    with pytest.raises(ValueError, match="course.profile"):
        save_predictions("x", [0], [0], **dict(HOW, profile="auto"))


def test_groups_and_other_systems_round_trip_for_paired_comparisons():
    probs = np.full((4, 3), 1 / 3)
    save_predictions("paired", [0, 1, 2, 2], [0, 1, 2, 1], y_score=probs,
                     class_names=["neg", "neu", "pos"], groups=[7, 7, 9, 12],
                     systems={"TF-IDF + LR": {"y_pred": [0, 2, 2, 2],
                                              "meta": {"validation_macro_f1": 0.53}},
                              "VADER": {"y_pred": [1, 1, 2, 0], "y_score": [0.1, 0.0, 0.5, -.4]}},
                     **HOW)
    got = load_predictions("paired")
    np.testing.assert_array_equal(got["groups"], [7, 7, 9, 12])
    assert list(got["systems"]) == ["TF-IDF + LR", "VADER"]
    np.testing.assert_array_equal(got["systems"]["TF-IDF + LR"]["y_pred"], [0, 2, 2, 2])
    assert got["systems"]["TF-IDF + LR"]["meta"] == {"validation_macro_f1": 0.53}
    assert got["systems"]["TF-IDF + LR"]["y_score"] is None
    np.testing.assert_allclose(got["systems"]["VADER"]["y_score"], [0.1, 0.0, 0.5, -.4])


def test_files_without_groups_or_systems_still_load():
    save_predictions("old_style", [0, 1], [0, 1], **HOW)
    got = load_predictions("old_style")
    assert got["groups"] is None and got["systems"] == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"groups": [1, 2, 3]}, "groups must have one entry"),
        ({"systems": {"x": {"y_score": [0.1, 0.2]}}}, "needs a 'y_pred'"),
        ({"systems": {"x": {"y_pred": [0]}}}, "has 1 predictions"),
        ({"systems": {"x": {"y_pred": [0, 5]}}}, "outside"),
    ],
)
def test_bad_groups_or_systems_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        save_predictions("bad", [0, 1], [0, 1], class_names=["a", "b"], **kwargs, **HOW)
