"""Clip art sources (Debian bookworm): Open Clip Art SVGs, Scratch costumes, Art4Apps pictures.

Each .deb is read with :mod:`.debfile` (no dpkg); only the cat and dog files and the package's
copyright file are taken, and the copyright file is checked for the licence recorded here.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..assets import Asset
from .debfile import iter_data_files
from .items import ImageItem, label_from_name
from .raster import open_raster, render_svg

# which files of each package, and how to label them
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


def deb_files(deb: Path, package: str) -> tuple[dict[str, bytes], str]:
    """(the selected files of ``package``'s .deb by path, its copyright text). Symlinks are
    skipped: in these packages they only duplicate other files."""
    copyright_path = f"usr/share/doc/{package}/copyright"
    wanted = re.compile(f"{DEB_SELECT[package].pattern}|^{re.escape(copyright_path)}$")
    files = dict(iter_data_files(deb, wanted))
    copyright_text = files.pop(copyright_path, b"").decode("utf-8", "replace")
    return files, copyright_text


def svg_meta(svg: bytes) -> tuple[str, str]:
    """(title, creator) from an Open Clip Art SVG's RDF metadata, '' when absent."""
    text = svg.decode("utf-8", "replace")
    work = re.search(r"<cc:Work.*?</cc:Work>", text, re.S)
    block = work.group(0) if work else text
    title = re.search(r"<dc:title>([^<]*)</dc:title>", block)
    creator = re.search(r"<dc:creator>.*?<dc:title>([^<]*)</dc:title>", block, re.S)

    def clean(m: re.Match | None) -> str:
        return " ".join(m.group(1).split()) if m else ""

    return clean(title), clean(creator)


def _openclipart(files: dict[str, bytes], copyright_text: str, style: str,
                 origin: str) -> tuple[list[ImageItem], dict]:
    if "Public Domain" not in copyright_text:
        raise ValueError("openclipart-svg copyright no longer states public domain")
    meta = {"set_name": "Open Clip Art Library", "authors": "per image (see metadata.csv)",
            "licence": "public-domain (Creative Commons Public Domain Dedication)"}
    items = []
    for rel, blob in sorted(files.items()):
        sub = rel.split("/mammals/", 1)[1]
        stem = Path(sub).stem
        if sub in EXCLUDE_FILES:
            continue
        label = OPENCLIPART_LABEL.get(sub.split("/")[0]) if "/" in sub else None
        label = label or label_from_name(stem)
        if label is None:
            continue
        title, creator = svg_meta(blob)
        attribution = (f"'{title or stem}' by {creator or 'unknown artist'}, Open Clip Art "
                       f"Library, public domain; from {origin}; rasterised and padded")
        items.append(ImageItem(label, style, "clipart", sub, "public-domain", attribution,
                               stem, lambda blob=blob: render_svg(blob)))
    return items, meta


def _scratch(files: dict[str, bytes], copyright_text: str, style: str,
             origin: str) -> tuple[list[ImageItem], dict]:
    if "Media/*" not in copyright_text or "CC-BY-SA-3.0" not in copyright_text:
        raise ValueError("scratch copyright no longer lists Media/* as CC-BY-SA-3.0")
    holder = "Massachusetts Institute of Technology (Scratch 1.4 media library)"
    meta = {"set_name": "Scratch 1.4 costume library", "authors": holder,
            "licence": "CC-BY-SA-3.0 (Files: Media/* in usr/share/doc/scratch/copyright)"}
    items = []
    for rel, blob in sorted(files.items()):
        name, stem = Path(rel).name, Path(rel).stem
        label = label_from_name(stem)
        if label is None:
            continue
        attribution = (f"Scratch costume '{name}', (c) 2011 {holder}, CC BY-SA 3.0; "
                       f"from {origin}; transparency on white, padded")
        items.append(ImageItem(label, style, "clipart", name, "CC-BY-SA-3.0", attribution,
                               stem, lambda blob=blob: open_raster(blob)))
    return items, meta


def _art4apps(files: dict[str, bytes], copyright_text: str, style: str,
              origin: str) -> tuple[list[ImageItem], dict]:
    # The licence comes from pysiogame's credits, not its Debian copyright file (see meta).
    meta = {"set_name": "Art4Apps (via pysiogame)", "authors": "Art4Apps by Smart4Kids",
            "licence": ("CC-BY-SA (version not stated; pysiogame's credits: 'Images from: "
                        "http://www.art4apps.org/ - Art4Apps by Smart4Kids - Creative "
                        "Commons License (CC BY-SA)'). The Debian copyright file's "
                        "'images/*: public-domain' stanza covers other folders.")}
    items = []
    for rel, blob in sorted(files.items()):
        name, stem = Path(rel).name, Path(rel).stem
        label = label_from_name(stem)
        if label is None:
            continue
        attribution = (f"Art4Apps picture '{name}' by Smart4Kids (http://www.art4apps.org/), "
                       f"CC BY-SA; from {origin}; resized and padded")
        items.append(ImageItem(label, style, "clipart", name, "CC-BY-SA", attribution,
                               stem, lambda blob=blob: open_raster(blob)))
    return items, meta


_BY_PACKAGE = {"openclipart-svg": _openclipart, "scratch": _scratch, "pysiogame": _art4apps}


def deb_items(asset: Asset, deb: Path) -> tuple[list[ImageItem], dict]:
    """Cat and dog clip art of one Debian package, with the licence its copyright file gives."""
    pkg, ver = asset.extra["package"], asset.extra["version"]
    files, copyright_text = deb_files(deb, pkg)
    return _BY_PACKAGE[pkg](files, copyright_text, asset.extra["style"], f"Debian {pkg} {ver}")
