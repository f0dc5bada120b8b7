"""Notebook 04's full-profile review loader, tested against local fixtures (never the network).

A tiny review set in the layout of the default hub dataset (train/validation/test jsonl, 0-4
star labels) stands in for it via a local source, loaded with ``datasets`` from local files.

The notebook itself runs in the full profile once per test run, in
tests/test_full_profile_without_pack.py, which also checks what it prints and saves.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
from fake_mirror import write_setfit_reviews

from course_utils.data import sentiment_full as sf

SIZES = {"train": 60, "validation": 24, "test": 24}


@pytest.fixture
def review_dir(tmp_path):
    return write_setfit_reviews(tmp_path / "reviews_fixture", sizes=SIZES)


def test_loader_maps_stars_to_three_classes_per_split(course_env, review_dir):
    df = sf.load_full_reviews(source=str(review_dir))
    assert list(df.columns) == ["text", "stars", "label", "split", "group"]
    assert df.groupby("split").size().to_dict() == {"test": 24, "train": 60, "validation": 24}
    expected = df.stars.map({0: 0, 1: 0, 2: 1, 3: 2, 4: 2})
    assert (df.label == expected).all()
    assert df.group.is_unique  # one group per review: no review straddles splits


def test_loader_caps_each_split_with_a_seeded_sample(course_env, review_dir):
    caps = {"train": 10, "validation": 5, "test": None}
    a = sf.load_full_reviews(source=str(review_dir), max_per_split=caps, seed=3)
    b = sf.load_full_reviews(source=str(review_dir), max_per_split=caps, seed=3)
    assert a.groupby("split").size().to_dict() == {"test": 24, "train": 10, "validation": 5}
    pd.testing.assert_frame_equal(a, b)


def test_source_and_label_scheme_come_from_the_environment(course_env, tmp_path, monkeypatch):
    folder = tmp_path / "csv_reviews"
    folder.mkdir()
    for split in sf.SPLITS:  # another layout: csv, review_body + 1-5 stars
        pd.DataFrame({"review_body": ["bad", "meh", "good", "great"],
                      "stars": [1, 3, 4, 5]}).to_csv(folder / f"{split}.csv", index=False)
    monkeypatch.setenv(sf.DATASET_ENV, str(folder))
    monkeypatch.setenv(sf.LABELS_ENV, "stars1")
    assert sf.configured_source() == sf.SentimentSource(str(folder), "stars1")
    df = sf.load_full_reviews()
    assert df[df.split == "test"].label.tolist() == [0, 1, 2, 2]


def test_default_source_is_the_documented_hub_dataset(course_env):
    src = sf.configured_source()
    assert (src.source, src.label_scheme) == (sf.DEFAULT_DATASET, "stars0")
    from course_utils.full_assets import HUB_REPOS

    assert any(r.repo_id == sf.DEFAULT_DATASET and r.repo_type == "dataset" for r in HUB_REPOS)


def test_labels_outside_the_scheme_are_reported(course_env, review_dir):
    with pytest.raises(ValueError, match="do not fit the label scheme '3class'"):
        sf.load_full_reviews(source=str(review_dir), label_scheme="3class")


def test_a_missing_local_dataset_gives_a_clear_message(course_env, tmp_path):
    with pytest.raises(sf.SentimentDatasetUnavailable) as err:
        sf.load_full_reviews(source=str(tmp_path / "gone"))
    msg = str(err.value)
    assert sf.DATASET_ENV in msg and "amazon_reviews_multi" in msg and "offline" in msg
    assert str(tmp_path) not in msg  # no machine paths in what learners see


def test_a_hub_dataset_that_cannot_be_reached_fails_fast(course_env, monkeypatch):
    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.setenv(var, "1")
    monkeypatch.setenv("HF_HOME", str(course_env / "hf"))
    start = time.monotonic()
    with pytest.raises(sf.SentimentDatasetUnavailable, match="could not be loaded"):
        sf.load_full_reviews(source="course-fixtures/no-such-review-set")
    assert time.monotonic() - start < 20
