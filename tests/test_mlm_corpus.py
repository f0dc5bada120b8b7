"""The full profile's data never needs the offline pack (issue 15, part 1), without notebooks.

- notebook 03's text corpus: WikiText-2 raw through ``datasets`` from a fake of the hub
  repository ``Salesforce/wikitext`` (its real layout: the card's ``configs`` and the parquet
  files), offline: the pack's snippets without the Amazon reviews;
- the human-rated sentences (notebooks 05/06) read straight from the vaderSentiment sdist, row
  for row what the pack's files hold;
- CIFAR-10 (notebook 01) fetched through the asset registry from a mirror, then extracted.
"""

from __future__ import annotations

import dataclasses
import time

import pandas as pd
import pytest
from fake_mirror import (
    WIKITEXT_REPO,
    repo_folder,
    vader_rows,
    write_cifar_archive,
    write_vader_sdist,
    write_wikitext,
)

from course_utils import full_assets
from course_utils import offline_assets as oa
from course_utils.assets import sha256_file
from course_utils.data import mlm_corpus
from course_utils.errors import CourseError, DatasetUnavailable, PackError


@pytest.fixture
def hub_offline(monkeypatch):
    """HF_HUB_OFFLINE as setup() leaves it when the hubs do not answer (restored afterwards)."""
    import datasets.config
    import huggingface_hub.constants

    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(var, "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)


@pytest.fixture
def wikitext_mirror(tmp_path, monkeypatch, course_env, no_asset_layer, hub_offline):
    hub = tmp_path / "hub-mirror"
    write_wikitext(repo_folder(hub, WIKITEXT_REPO), n_articles=12)
    monkeypatch.setenv(full_assets.HF_MIRROR_ENV, str(hub))
    return hub


# ------------------------------------------------------------------------- WikiText cleaning
def test_wikitext_sentences_undo_the_raw_tokenisation_and_drop_headings():
    lines = [" = Valkyria Chronicles = ", "", " = = Gameplay = = ",
             " The game 's battle system is a tactical role @-@ playing one , sold 1 @,@ 000 "
             "copies at 3 @.@ 5 dollars ( in Japan ) . It was released in 2011 . Too short . ",
             " Another paragraph with just enough words here . "]
    rows = mlm_corpus.wikitext_sentences(lines)
    assert rows == [
        ("3-0", "The game's battle system is a tactical role-playing one, sold 1,000 copies "
                "at 3.5 dollars (in Japan)."),
        ("3-1", "It was released in 2011."),
        ("4-0", "Another paragraph with just enough words here."),
    ]  # "Too short." (2 words) is below MIN_WORDS; headings and empty lines are gone


# ------------------------------------------------------------------------- full profile
def test_full_corpus_comes_from_the_hub_repository_and_never_the_pack(wikitext_mirror,
                                                                      course_env):
    a = mlm_corpus.load_mlm_corpus("full", n=80, seed=1)
    assert list(a.columns) == list(mlm_corpus.MLM_COLUMNS)
    assert len(a) == 80 and set(a.corpus) == {"wikitext"} and a.snippet_id.is_unique
    assert not a.text.str.contains("@-@|@,@| \\.$").any(), "raw WikiText tokenisation left over"
    pd.testing.assert_frame_equal(a, mlm_corpus.load_mlm_corpus("full", n=80, seed=1))
    assert not a.equals(mlm_corpus.load_mlm_corpus("full", n=80, seed=2))
    lines = [int(i.split("-")[0]) for i in a.snippet_id]
    assert lines == sorted(lines), "the sample keeps corpus order"
    # the repository was copied into the cache from the mirror; the pack was never involved
    assert (course_env / "hub-repos" / "Salesforce__wikitext" / "README.md").is_file()
    assert (course_env / "huggingface" / "datasets").is_dir()
    assert not (course_env / "offline_pack").exists()


def test_full_corpus_default_keeps_everything_below_the_cap(wikitext_mirror):
    everything = mlm_corpus.load_mlm_corpus("full")
    assert len(everything) < mlm_corpus.FULL_DEFAULT_N  # the fake is small: all of it is kept
    assert len(everything) > 500


def test_full_corpus_unavailable_fails_fast_with_advice(course_env, no_asset_layer,
                                                        hub_offline, monkeypatch):
    monkeypatch.delenv(full_assets.HF_MIRROR_ENV, raising=False)
    start = time.monotonic()
    with pytest.raises(mlm_corpus.CorpusUnavailable) as err:
        mlm_corpus.load_mlm_corpus("full")
    assert time.monotonic() - start < 30
    assert isinstance(err.value, DatasetUnavailable) and isinstance(err.value, CourseError)
    message = str(err.value)
    assert "course prefetch" in message and "PROFILE='offline'" in message
    assert str(course_env) not in message
    assert not (course_env / "offline_pack").exists()


def test_profile_must_be_resolved():
    with pytest.raises(ValueError, match="resolved by setup"):
        mlm_corpus.load_mlm_corpus("auto")


# ------------------------------------------------------------------------- offline profile
def test_offline_corpus_is_the_pack_snippets_without_the_amazon_reviews(monkeypatch):
    asked = []

    def fake_snippets(corpora=None, *, profile="offline"):
        asked.append((list(corpora), profile))
        return pd.DataFrame({"corpus": ["movie", "tweets", "nyt", "nyt"],
                             "snippet_id": ["1", "2", "3", "4"], "mean_rating": [0.1] * 4,
                             "text": ["a", "b", "c", "d"]})

    monkeypatch.setattr("course_utils.data.text.load_snippets", fake_snippets)
    frame = mlm_corpus.load_mlm_corpus("offline")
    assert asked == [(["movie", "tweets", "nyt"], "offline")]
    assert "amazon" not in mlm_corpus.OFFLINE_CORPORA
    assert list(frame.columns) == list(mlm_corpus.MLM_COLUMNS) and len(frame) == 4
    assert mlm_corpus.load_mlm_corpus("offline", n=2, seed=0).snippet_id.tolist() in (
        [a, b] for a in "1234" for b in "1234" if a < b)


def test_offline_corpus_without_a_pack_names_the_fix(course_env, no_asset_layer):
    with pytest.raises(PackError, match="make assets"):
        mlm_corpus.load_mlm_corpus("offline")


def test_both_sources_are_described():
    assert "WikiText-2" in mlm_corpus.describe_source("full")
    assert "CC BY-SA" in mlm_corpus.describe_source("full")
    assert "VADER" in mlm_corpus.describe_source("offline")


# ------------------------------------------------------------------------- rated sentences
@pytest.fixture
def fake_sdist(tmp_path, monkeypatch, course_env, no_asset_layer):
    """The vaderSentiment sdist on a file mirror, accepted by the registry (its checksum)."""
    from course_utils.data import vader_source
    from course_utils.packbuild import vader

    mirror = tmp_path / "file-mirror"
    rows = vader_rows(reviews=6, per_review=3, snippets=5)
    path = write_vader_sdist(mirror / oa.VADER_SDIST.subdir / oa.VADER_SDIST.filename, rows)
    fake = dataclasses.replace(oa.VADER_SDIST, sha256=sha256_file(path), size=None)
    monkeypatch.setattr(oa, "VADER_SDIST", fake)
    monkeypatch.setattr(vader, "SDIST", fake)
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    vader_source.groundtruth.cache_clear()
    yield rows
    vader_source.groundtruth.cache_clear()


def test_full_profile_rated_sentences_are_the_packs_rows_without_the_pack(fake_sdist,
                                                                          course_env, tmp_path):
    from course_utils.data.pack import PART_FILES
    from course_utils.data.reviews import load_review_sentences
    from course_utils.data.text import load_snippets
    from course_utils.packbuild import vader
    from course_utils.packbuild.inputs import Inputs

    snippets = load_snippets(["movie", "nyt"], profile="full")
    reviews = load_review_sentences(profile="full")
    assert not (course_env / "offline_pack").exists(), "the full profile built the pack"
    assert snippets.corpus.tolist() == ["movie"] * 5 + ["nyt"] * 5
    assert reviews.review_id.tolist() == [r for r in range(1, 7) for _ in range(3)]
    # the pack builder, from the same file, writes exactly these rows
    built = tmp_path / "pack-parts"
    vader.build_text(built, Inputs(progress=False))
    vader.build_reviews(built, Inputs(progress=False))
    read = dict(sep="\t", keep_default_na=False)
    pack_text = pd.read_csv(built / PART_FILES["text"], dtype={"corpus": str, "snippet_id": str,
                            "mean_rating": float, "text": str}, **read)
    pack_text = pack_text[pack_text.corpus.isin(["movie", "nyt"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(snippets, pack_text)
    pack_reviews = pd.read_csv(built / PART_FILES["reviews"], dtype={
        "sentence_id": str, "review_id": int, "mean_rating": float, "text": str}, **read)
    pd.testing.assert_frame_equal(reviews, pack_reviews)


def test_unknown_profile_is_refused_by_the_rated_loaders():
    from course_utils.data.reviews import load_review_sentences
    from course_utils.data.text import load_snippets

    with pytest.raises(ValueError, match="profile"):
        load_snippets(["movie"], profile="auto")
    with pytest.raises(ValueError, match="profile"):
        load_review_sentences(profile="auto")


# ------------------------------------------------------------------------- CIFAR-10
def test_cifar10_is_fetched_from_the_mirror_then_extracted(course_env, no_asset_layer,
                                                         tmp_path, monkeypatch):
    from torchvision.datasets import CIFAR10

    from course_utils.data import digits

    mirror = tmp_path / "file-mirror"
    archive = mirror / full_assets.CIFAR10.subdir / full_assets.CIFAR10.filename
    md5 = write_cifar_archive(archive)
    monkeypatch.setattr(full_assets, "CIFAR10", dataclasses.replace(
        full_assets.CIFAR10, md5=None, sha256=sha256_file(archive)))
    monkeypatch.setattr(CIFAR10, "train_list", [[n, md5[n]] for n, _ in CIFAR10.train_list])
    monkeypatch.setattr(CIFAR10, "test_list", [[n, md5[n]] for n, _ in CIFAR10.test_list])
    monkeypatch.setattr(CIFAR10, "meta", dict(CIFAR10.meta, md5=md5["batches.meta"]))
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    splits = digits.load_profile_images("full", max_train=100, max_val=50, seed=0)
    assert splits.x_train.shape == (100, 3, 32, 32) and splits.x_val.shape == (50, 3, 32, 32)
    assert splits.classes == digits.CIFAR10_CLASSES
    root = course_env / "torchvision"
    assert (root / "cifar-10-batches-py" / "data_batch_5").is_file()
    assert (root / "cifar-10-python.tar.gz").is_file()  # the verified archive, as prefetched
    assert not [p for p in root.iterdir() if p.name.startswith(".")], "temporary folder left"
    monkeypatch.setenv("COURSE_MIRROR", str(tmp_path / "gone"))  # extracted: no fetch again
    again = digits.load_profile_images("full", max_train=100, max_val=50, seed=0)
    assert again.y_train.tolist() == splits.y_train.tolist()


def test_cifar10_unavailable_gives_advice(course_env, no_asset_layer, tmp_path, monkeypatch):
    from course_utils.data import digits

    monkeypatch.setenv("COURSE_MIRROR", str(tmp_path / "empty-mirror"))
    with pytest.raises(digits.CifarUnavailable, match="course prefetch"):
        digits.load_profile_images("full")


# ------------------------------------------------------------------------- hub repositories
def test_the_new_hub_repositories_are_registered_for_prefetch():
    repos = {r.repo_id: r for r in full_assets.HUB_REPOS}
    assert repos[WIKITEXT_REPO].repo_type == "dataset"
    assert "wikitext-2-raw-v1/*" in repos[WIKITEXT_REPO].allow_patterns
    compact = repos["google/bert_uncased_L-4_H-256_A-4"]
    assert compact.repo_type == "model" and "pytorch_model.bin" in compact.allow_patterns


def test_resolve_repo_copies_from_the_hub_mirror_once(course_env, no_asset_layer, tmp_path,
                                                      monkeypatch):
    hub = tmp_path / "hub-mirror"
    write_wikitext(repo_folder(hub, WIKITEXT_REPO), n_articles=2)
    assert full_assets.resolve_repo(WIKITEXT_REPO) == WIKITEXT_REPO  # no mirror: the hub id
    monkeypatch.setenv(full_assets.HF_MIRROR_ENV, str(hub))
    local = full_assets.resolve_repo(WIKITEXT_REPO)
    assert local == str(course_env / "hub-repos" / "Salesforce__wikitext")
    monkeypatch.setenv(full_assets.HF_MIRROR_ENV, str(tmp_path / "gone"))
    assert full_assets.resolve_repo(WIKITEXT_REPO) == local  # the copy is found again
