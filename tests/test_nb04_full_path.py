"""Notebook 04's full profile, tested against local fixtures (never the network).

A tiny random BERT (+ WordPiece tokenizer) saved to a temp folder stands in for
bert-base-uncased via ``COURSE_BERT_MODEL``; a tiny review set in the layout of the default hub
dataset (train/validation/test jsonl, 0-4 star labels) stands in for it via
``COURSE_SENTIMENT_DATASET``, loaded with ``datasets`` from local files.
"""

from __future__ import annotations

import json
import random
import time

import pandas as pd
import pytest
from conftest import NOTEBOOK_DIR

from course_utils.data import sentiment_full as sf

NOTEBOOK = NOTEBOOK_DIR / "04_bert_sentiment_finetuning.ipynb"
WORDS = {
    0: ["terrible", "broke", "waste", "refund", "awful", "useless"],
    1: ["okay", "average", "arrived", "manual", "box", "fine"],
    2: ["great", "love", "excellent", "perfect", "recommend", "sturdy"],
}
NOUNS = ["blender", "camera", "charger", "remote", "kettle", "speaker"]
SIZES = {"train": 60, "validation": 24, "test": 24}


def _review(rng: random.Random, stars: int) -> str:
    cls = 0 if stars <= 1 else 1 if stars == 2 else 2
    words = rng.sample(WORDS[cls], 3) + [rng.choice(NOUNS), "the", "this"]
    rng.shuffle(words)
    return " ".join(words) + "."


def write_review_fixture(folder, sizes=SIZES, seed=0) -> None:
    """jsonl files shaped like SetFit/amazon_reviews_multi_en (id, text, label 0-4, label_text)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in sizes.items():
        with open(folder / f"{split}.jsonl", "w") as fh:
            for i in range(n):
                stars = i % 5
                fh.write(json.dumps({"id": f"{split}_{i}", "text": _review(rng, stars),
                                     "label": stars, "label_text": str(stars)}) + "\n")


@pytest.fixture
def review_dir(tmp_path):
    folder = tmp_path / "reviews_fixture"
    write_review_fixture(folder)
    return folder


@pytest.fixture
def tiny_bert_dir(tmp_path):
    """A 2-layer, 32-wide random BertModel and a WordPiece tokenizer over the fixture's words."""
    from transformers import BertConfig, BertModel, BertTokenizer

    folder = tmp_path / "tiny-bert"
    folder.mkdir()
    words = sorted({w for ws in WORDS.values() for w in ws} | set(NOUNS) | {"the", "this", "."})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    BertTokenizer(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(folder)
    return folder


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


@pytest.mark.slow
def test_notebook_runs_the_full_profile_on_local_fixtures(course_env, review_dir, tiny_bert_dir,
                                                          tmp_path, monkeypatch):
    import nbformat
    import papermill as pm

    monkeypatch.setenv("COURSE_FORCE_OFFLINE", "1")  # the probe says "no hub": nothing is fetched
    monkeypatch.setenv("COURSE_BERT_MODEL", str(tiny_bert_dir))
    monkeypatch.setenv(sf.DATASET_ENV, str(review_dir))
    monkeypatch.setenv("COURSE_THREADS", "1")
    out = tmp_path / "nb04_full.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), cwd=str(NOTEBOOK_DIR), kernel_name="python3",
                        parameters={"PROFILE": "full", "QUICK": True, "RUN_TRAINER_DEMO": True,
                                    "EPOCHS": 2},
                        progress_bar=False, request_save_on_cell_execute=False,
                        execution_timeout=600)
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(o.get("text", "") + json.dumps(o.get("data", {}))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "profile=full" in text
    assert "train 60 | validation 24 | test 24 sentences" in text
    for system in ("VADER (lexicon)", "TF-IDF + LR", "frozen encoder + LR", "fine-tuned encoder"):
        assert system in text
    assert "Skipped: set RUN_TRAINER_DEMO" not in text  # the Trainer side note ran
    saved = course_env / "models" / "nb04-sentiment-full"
    assert (saved / "config.json").exists() and (saved / "model.safetensors").exists()
    assert json.loads((saved / "config.json").read_text())["id2label"] == {
        "0": "negative", "1": "neutral", "2": "positive"}
    assert str(tmp_path) not in text  # no machine paths printed
