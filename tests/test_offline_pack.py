"""The offline pack build: idempotent, verified, repairs damage, reports what it could not build.

The builds here run into a temporary COURSE_CACHE from tiny local fixture archives (the input
fetcher is patched), so they are fast and never touch a registry.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import tarfile
from pathlib import Path

import pytest
from PIL import Image

import course_utils  # noqa: F401  (the real package, before the build script is loaded)
from course_utils import offline_assets as oa
from course_utils.assets import Asset, sha256_file
from course_utils.data import pack as packlib

ROOT = Path(__file__).resolve().parents[1]


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "data_scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bop = _load_script("build_offline_pack")

GROUND_TRUTH = {
    "amazonReviewSnippets_GroundTruth.txt": [
        ("1_1", "-0.9", "troubleshooting no picture"),
        ("1_2", "0.5", 'a "quoted" word, and a comma'),
        ("2_1", "2.75", "great little camera"),
        ("10_1", "-3.1", "NA"),
    ],
    "movieReviewSnippets_GroundTruth.txt": [("1", "2.2", "clichés disappear"),
                                            ("2", "-1.0", "dull")],
    "tweets_GroundTruth.txt": [("1", "2.7", "so blessed :)")],
    "nytEditorialSnippets_GroundTruth.txt": [("1_1", "0.4", "On Dec. 19, around noon")],
}


def _add(tf: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tf.addfile(info, io.BytesIO(data))


def make_vader_sdist(path: Path) -> Path:
    """A miniature vaderSentiment sdist with the nested hutto_ICWSM_2014.tar.gz (CRLF lines)."""
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tf:
        for fname, rows in GROUND_TRUTH.items():
            text = "\r\n".join("\t".join(r) for r in rows)
            _add(tf, f"hutto_ICWSM_2014/{fname}", text.encode("utf-8"))
    with tarfile.open(path, "w:gz") as tf:
        _add(tf, "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz",
             inner.getvalue())
    return path


def _rect_body(colour: str) -> str:
    return f'<rect x="4" y="2" width="8" height="12" fill="{colour}"/>'


def make_iconify_tgz(path: Path) -> Path:
    """An @iconify-json package: 2 cats (one alias, one duplicate body), 1 dog, 2 decoys."""
    icons = {
        "prefix": "fake", "width": 16, "height": 16,
        "icons": {
            "cat": {"body": _rect_body("#f80")},
            "cat-face": {"body": _rect_body("#fa0"), "width": 20},
            "cat-face-copy": {"body": _rect_body("#fa0"), "width": 20},
            "dog-face": {"body": _rect_body("#840")},
            "hot-dog": {"body": _rect_body("#f00")},
            "caterpillar": {"body": _rect_body("#0f0")},
        },
        "aliases": {"kitty": {"parent": "cat"}},
    }
    info = {"name": "Fake Emoji", "author": {"name": "Tester", "url": "https://example.org"},
            "license": {"title": "CC BY 4.0", "spdx": "CC-BY-4.0"}}
    with tarfile.open(path, "w:gz") as tf:
        _add(tf, "package/icons.json", json.dumps(icons).encode())
        _add(tf, "package/info.json", json.dumps(info).encode())
    return path


def make_lobehub_tgz(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for stem, colour in (("1f408", (200, 120, 0, 255)), ("1f436", (120, 80, 0, 255))):
            im = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
            im.paste(Image.new("RGBA", (30, 30), colour), (10, 10))
            buf = io.BytesIO()
            im.save(buf, format="WEBP", lossless=True)
            _add(tf, f"package/assets/{stem}.webp", buf.getvalue())
    return path


class FakeInputs:
    """Stands in for registry downloads: fixture files for some inputs, real code for others."""

    def __init__(self, tmp: Path) -> None:
        self.files = {
            oa.VADER_SDIST.name: make_vader_sdist(tmp / "vader.tar.gz"),
            "npm:@iconify-json/twemoji": make_iconify_tgz(tmp / "twemoji.tgz"),
            "npm:@lobehub/fluent-emoji-3d": make_lobehub_tgz(tmp / "lobehub.tgz"),
        }
        self.calls: list[str] = []
        self.real_fetch = bop.fetch_input

    def __call__(self, asset: Asset) -> Path:
        self.calls.append(asset.name)
        if asset.name in self.files:
            return self.files[asset.name]
        return self.real_fetch(asset)  # with clients hidden: raises InputUnavailable


@pytest.fixture
def fake(course_env, tmp_path, monkeypatch):
    """Fixture inputs, npm and apt-get 'not installed', and a small image source list."""
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    inputs = FakeInputs(fixtures)
    monkeypatch.setattr(bop, "fetch_input", inputs)
    monkeypatch.setattr(bop, "which", lambda tool: None)
    by_name = {a.name: a for a in oa.ALL_INPUTS}
    monkeypatch.setattr(bop, "IMAGE_SOURCES", [
        (by_name["npm:@iconify-json/twemoji"], bop.iconify_items),
        (by_name["npm:@lobehub/fluent-emoji-3d"], bop.lobehub_items),
        (by_name["npm:@iconify-json/noto"], bop.iconify_items),  # no fixture: npm missing
        (by_name["deb:scratch"], bop.deb_items),  # no fixture: apt-get missing
    ])
    return inputs


def test_reviews_and_text_build_and_verify(fake, capsys):
    assert bop.main(["--only", "reviews,text"]) == 0
    pack = packlib.pack_dir()
    assert packlib.verify_pack(pack, parts=("reviews", "text")) == []
    info = json.loads((pack / "pack.json").read_text())
    assert info["version"] == 1 and info["counts"]["review_sentences"] == 4
    assert info["counts"]["reviews"] == 3
    assert info["counts"]["snippets"] == {"amazon": 4, "movie": 2, "tweets": 1, "nyt": 1}
    assert {r["name"] for r in info["inputs"]} == {"vaderSentiment"}
    assert all(len(r["sha256"]) == 64 for r in info["inputs"])
    listed = set(packlib.read_manifest(pack))
    on_disk = {p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()}
    assert listed == on_disk - {"MANIFEST.sha256"}
    assert "vaderSentiment" in (pack / "ATTRIBUTION.md").read_text()

    from course_utils.data.reviews import load_review_sentences
    from course_utils.data.text import load_snippets

    reviews = load_review_sentences()
    assert list(reviews.columns) == ["sentence_id", "review_id", "mean_rating", "text"]
    assert reviews["review_id"].tolist() == [1, 1, 2, 10]
    assert reviews["text"].tolist()[1:] == ['a "quoted" word, and a comma',
                                           "great little camera", "NA"]
    snippets = load_snippets(["movie"])
    assert snippets["text"].tolist() == ["clichés disappear", "dull"]
    assert "pack summary" in capsys.readouterr().out.lower()


def test_second_run_only_verifies(fake, capsys):
    bop.main(["--only", "reviews,text"])
    pack_json = packlib.pack_dir() / "pack.json"
    stamp, calls = pack_json.stat().st_mtime_ns, len(fake.calls)
    capsys.readouterr()
    assert bop.main(["--only", "reviews,text"]) == 0
    assert "pack OK" in capsys.readouterr().out
    assert len(fake.calls) == calls, "a verified pack must not fetch its inputs again"
    assert pack_json.stat().st_mtime_ns == stamp


def test_force_rebuilds(fake, capsys):
    bop.main(["--only", "reviews"])
    calls = len(fake.calls)
    assert bop.main(["--only", "reviews", "--force"]) == 0
    assert len(fake.calls) > calls
    assert "pack OK" not in capsys.readouterr().out


def test_corrupt_file_is_detected_and_only_its_part_rebuilt(fake, capsys):
    bop.main(["--only", "reviews,text"])
    pack = packlib.pack_dir()
    target = pack / "text" / "snippets.tsv"
    target.write_text("corpus\tsnippet_id\tmean_rating\ttext\namazon\t1\t9\tforged\n")
    assert "checksum mismatch: text/snippets.tsv" in packlib.verify_pack(pack)
    with pytest.raises(packlib.PackError, match="make assets"):
        packlib.require_pack(parts=("text",))
    packlib.require_pack(parts=("reviews",))  # the other part is still usable
    capsys.readouterr()
    assert bop.main(["--only", "reviews,text"]) == 0
    out = capsys.readouterr().out
    assert "parts text into" in out and "reviews," not in out.split("into")[0]
    assert packlib.verify_pack(pack, parts=("reviews", "text")) == []
    assert "forged" not in target.read_text()


def test_stray_and_missing_files_are_reported(fake):
    bop.main(["--only", "reviews"])
    pack = packlib.pack_dir()
    (pack / "reviews" / "extra.txt").write_text("x")
    (pack / "ATTRIBUTION.md").unlink()
    problems = packlib.verify_pack(pack, parts=("reviews",))
    assert "missing file ATTRIBUTION.md" in problems
    assert "unexpected file not in the manifest: reviews/extra.txt" in problems
    bop.main(["--only", "reviews"])
    assert packlib.verify_pack(pack, parts=("reviews",)) == []


def test_missing_pack_error_names_the_fix(course_env):
    with pytest.raises(packlib.PackError) as err:
        packlib.require_pack(parts=("reviews",))
    assert "make assets" in str(err.value) and "build_offline_pack.py" in str(err.value)


def test_images_build_with_npm_and_apt_missing(fake, capsys):
    status = bop.main(["--only", "images"])
    assert status == 2, "an incomplete part makes the build exit non-zero"
    out = capsys.readouterr().out
    pack = packlib.pack_dir()
    info = json.loads((pack / "pack.json").read_text())
    missing = " ".join(info["missing"])
    assert "npm pack @iconify-json/noto@1.2.9" in missing and "`npm` is not installed" in missing
    assert "apt-get download scratch=1.4.0.6~dfsg1-6.1" in missing
    assert "MISSING" in out and "npm pack @iconify-json/noto@1.2.9" in out
    assert info["parts"]["images"]["complete"] is False
    assert sorted(info["parts"]["images"]["missing_tools"]) == ["apt-get", "npm"]
    assert packlib.verify_pack(pack, parts=("images",)) == []  # what was built is intact

    from course_utils.data.images import CatDogImages, load_image_metadata

    meta = load_image_metadata()
    assert list(meta.columns[:9]) == list(bop.METADATA_COLUMNS)
    got = sorted(zip(meta["style"], meta["label"], meta["source_name"], strict=True))
    assert got == [("fluent-3d", "cat", "1f408.webp (cat)"),
                   ("fluent-3d", "dog", "1f436.webp (dog-face)"),
                   ("twemoji", "cat", "cat"), ("twemoji", "cat", "cat-face"),
                   ("twemoji", "dog", "dog-face")], "aliases, duplicates and decoys excluded"
    assert set(meta["licence"]) == {"CC-BY-4.0", "MIT"}
    assert meta["attribution"].str.contains("Tester").any()
    for f in meta["file"]:
        im = Image.open(f)
        assert im.size == (224, 224) and im.mode == "RGB"
        assert im.getpixel((0, 0)) == (255, 255, 255), "transparent areas must become white"
    ds = CatDogImages(meta, transform=lambda im: im.size)
    assert len(ds) == 5 and ds.classes == ("cat", "dog")
    assert ds[0] == ((224, 224), 0)

    # a second run with the tools still missing verifies and reports, without retrying
    calls = len(fake.calls)
    assert bop.main(["--only", "images"]) == 0
    out = capsys.readouterr().out
    assert "pack OK" in out and "incomplete: images" in out
    assert len(fake.calls) == calls


def test_adding_a_part_keeps_the_others(fake, capsys):
    bop.main(["--only", "reviews"])
    before = (packlib.pack_dir() / "reviews" / "amazon_review_sentences.tsv").read_bytes()
    bop.main(["--only", "text"])
    pack = packlib.pack_dir()
    info = json.loads((pack / "pack.json").read_text())
    assert set(info["parts"]) == {"reviews", "text"}
    assert info["counts"]["review_sentences"] == 4
    assert (pack / "reviews" / "amazon_review_sentences.tsv").read_bytes() == before
    assert packlib.verify_pack(pack, parts=("reviews", "text")) == []


def test_cached_download_is_verified_and_repaired(course_env, tmp_path, monkeypatch):
    payload = tmp_path / "payload.tgz"
    payload.write_bytes(b"registry bytes" * 100)
    asset = Asset(name="npm:fake", url="https://example.invalid", sha256=sha256_file(payload),
                  licence="MIT", source="npm fake@1.0.0", subdir="downloads/npm",
                  filename="fake-1.0.0.tgz", profile="offline",
                  extra={"client": oa.NPM, "spec": "fake@1.0.0", "package": "fake",
                         "version": "1.0.0"})
    calls = []

    def fake_client(a, workdir):
        calls.append(a.name)
        out = workdir / a.filename
        out.write_bytes(payload.read_bytes())
        return out

    monkeypatch.setattr(bop, "_client_download", fake_client)
    path = bop.fetch_input(asset)
    assert path.read_bytes() == payload.read_bytes() and len(calls) == 1
    assert path.is_relative_to(course_env / "downloads")
    bop.fetch_input(asset)
    assert len(calls) == 1, "a verified cached archive is reused"
    path.write_bytes(b"truncated")
    assert bop.fetch_input(asset).read_bytes() == payload.read_bytes()
    assert len(calls) == 2, "a corrupt cached archive is downloaded again"

    def wrong_client(a, workdir):
        out = workdir / a.filename
        out.write_bytes(b"tampered")
        return out

    path.unlink()
    monkeypatch.setattr(bop, "_client_download", wrong_client)
    with pytest.raises(bop.InputUnavailable, match="sha256"):
        bop.fetch_input(asset)
    assert not path.exists()


def test_missing_client_is_reported_with_the_fix(course_env, monkeypatch):
    monkeypatch.setattr(bop, "which", lambda tool: None)
    asset = next(a for a in oa.NPM_ASSETS if "twemoji" in a.name)
    with pytest.raises(bop.InputUnavailable) as err:
        bop.fetch_input(asset)
    assert err.value.tool == "npm"
    assert "npm pack @iconify-json/twemoji@1.2.5" in bop.manual_fix(asset)


@pytest.mark.parametrize("name, label", [
    ("cat", "cat"), ("black-cat", "cat"), ("cat-face-with-wry-smile", "cat"),
    ("kitten_gerald_g._01", "cat"), ("catside", "cat"), ("cat1-a", "cat"),
    ("dog", "dog"), ("dog-face", "dog"), ("guide-dog", "dog"), ("service-dog", "dog"),
    ("poodle", "dog"), ("dog2-c", "dog"), ("dog_01_drawn_with_strai_02", "dog"),
    ("hot-dog", None), ("person-with-dog", None), ("caterpillar", None),
    ("catalonia-flag", None), ("cani_e_gatti_cat_and_dog", None), ("yucatan-flag", None),
])
def test_label_from_name(name, label):
    assert bop.label_from_name(name) == label


def test_to_canvas_keeps_aspect_and_pads_white():
    im = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    im.paste(Image.new("RGBA", (200, 50), (255, 0, 0, 255)), (50, 25))
    out = bop.to_canvas(im)
    assert out.size == (224, 224) and out.mode == "RGB"
    red = [x for x in range(224) if out.getpixel((x, 112))[1] < 50]
    tall = [y for y in range(224) if out.getpixel((112, y))[1] < 50]
    assert abs(len(red) / len(tall) - 4.0) < 0.2, "the 4:1 drawing keeps its aspect ratio"
    assert out.getpixel((112, 5)) == (255, 255, 255)


def test_ensure_assets_builds_then_is_quick(fake, capsys, monkeypatch):
    ensure = _load_script("ensure_assets")
    monkeypatch.setitem(sys.modules, "build_offline_pack", bop)  # the patched build module
    assert ensure.main() == 0  # builds; images incomplete (npm, apt-get hidden) but usable
    assert packlib.verify_pack() == []
    capsys.readouterr()
    assert ensure.main() == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("offline pack OK") and "\n" not in line


def test_interrupted_build_leftovers_are_removed(fake):
    pack = packlib.pack_dir()
    pack.parent.mkdir(parents=True, exist_ok=True)
    dead = pack.parent / f".{pack.name}.tmp-999999999-x1"
    alive = pack.parent / f".{pack.name}.tmp-{os.getpid()}-x2"  # a build running right now
    dead.mkdir()
    alive.mkdir()
    (dead / "half.txt").write_text("half-built")
    bop.main(["--only", "reviews"])
    assert not dead.exists(), "a dead build's temp folder is cleaned up"
    assert alive.exists(), "a concurrent build's temp folder is left alone"
    assert packlib.verify_pack(pack, parts=("reviews",)) == []


def test_no_image_source_available_is_an_error_that_is_not_retried(fake, capsys, monkeypatch):
    monkeypatch.setattr(bop, "IMAGE_SOURCES", bop.IMAGE_SOURCES[2:])  # npm + apt inputs only
    assert bop.main(["--only", "images"]) == 2
    with pytest.raises(packlib.PackError, match="part 'images' is not in the pack"):
        packlib.require_pack(parts=("images",))
    calls = len(fake.calls)
    capsys.readouterr()
    assert bop.main(["--only", "images"]) == 2
    out = capsys.readouterr().out
    assert "part(s) images could not be built" in out and "`npm` is not installed" in out
    assert len(fake.calls) == calls, "nothing is retried while the clients are still missing"
