"""Emoji sources (npm): the @iconify-json sets (SVG bodies in icons.json) and the WebP
files of @lobehub/fluent-emoji-3d."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

from ..assets import Asset
from .items import ImageItem, Reader, label_from_name
from .raster import open_raster, render_svg

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
                               Path(name).stem, lambda svg=svg: render_svg(svg)))
    meta = {"set_name": set_name, "authors": author.get("name", ""),
            "author_url": author.get("url", ""), "licence": licence}
    return items, meta


def lobehub_items(asset: Asset, archive: Path) -> tuple[list[ImageItem], dict]:
    """Cat and dog WebP files of @lobehub/fluent-emoji-3d, chosen by Unicode codepoint."""
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
                                   attribution, name, lambda blob=blob: open_raster(blob)))
    meta = {"set_name": "Fluent Emoji 3D (LobeHub WebP build)",
            "authors": "Microsoft Corporation; packaged by LobeHub", "licence": "MIT"}
    return items, meta


def reader_for(asset: Asset) -> Reader:
    """The item reader of an npm input."""
    return lobehub_items if asset.extra["package"] == "@lobehub/fluent-emoji-3d" else iconify_items
