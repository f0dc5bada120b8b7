"""The images part: cat and dog pictures from the npm emoji sets and the Debian clip art,
rasterised to ``images/<style>/<label>/<name>.png`` and listed in ``images/metadata.csv``."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

from .. import offline_assets as oa
from ..assets import Asset
from ..data.pack import METADATA_COLUMNS, PART_FILES
from .clipart import deb_items
from .emoji import reader_for
from .inputs import Inputs, InputUnavailable, input_record, missing_sentence
from .items import Reader, safe_name
from .parts import PartResult
from .raster import to_canvas

# (input, reader) in build order: emoji sets first, then clip art
IMAGE_SOURCES: list[tuple[Asset, Reader]] = [
    *((a, reader_for(a)) for a in oa.NPM_ASSETS),
    *((a, deb_items) for a in oa.DEB_ASSETS),
]


def _write_style(asset: Asset, reader: Reader, archive: Path, dest: Path, res: PartResult,
                 rows: list[dict], progress: bool) -> None:
    """Rasterise one input's items into ``dest/images`` and add their metadata rows."""
    from tqdm.auto import tqdm

    style = asset.extra["style"]
    items, meta = reader(asset, archive)
    seen: set[str] = set()
    used: set[str] = set()
    kept = 0
    for item in tqdm(items, desc=f"  {style:<12}", leave=False, unit="img",
                     disable=not progress):
        canvas = to_canvas(item.load())
        pixels = hashlib.sha256(canvas.tobytes()).hexdigest()
        if pixels in seen:  # the same picture under two names
            res.notes.append(f"{style}: {item.source_name} duplicates another image; skipped")
            continue
        seen.add(pixels)
        stem = safe_name(item.file_stem)
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


def _counts(rows: list[dict]) -> dict:
    by_style: dict[str, dict[str, int]] = {}
    for r in rows:
        by_style.setdefault(r["style"], {"cat": 0, "dog": 0})[r["label"]] += 1
    return {
        "total": len(rows),
        "by_label": dict(sorted(Counter(r["label"] for r in rows).items())),
        "by_domain": {d: dict(sorted(Counter(r["label"] for r in rows if r["domain"] == d)
                                     .items()))
                      for d in sorted({r["domain"] for r in rows})},
        "by_style": by_style,
    }


def build_images(dest: Path, inputs: Inputs) -> PartResult:
    """images/<style>/<label>/<name>.png + images/metadata.csv from npm and Debian packages.

    An input that cannot be downloaded leaves its style out (the part is then incomplete and
    pack.json says how to fix it); the other styles are still built.
    """
    res = PartResult()
    rows: list[dict] = []
    unavailable: list[tuple[Asset, InputUnavailable]] = []
    for asset, reader in IMAGE_SOURCES:
        try:
            archive = inputs.get(asset)
        except InputUnavailable as exc:
            unavailable.append((asset, exc))
            continue
        _write_style(asset, reader, archive, dest, res, rows, inputs.progress)
    if unavailable:
        res.complete = False
        assets = [a for a, _ in unavailable]
        styles = ", ".join(a.extra["style"] for a in assets)
        res.missing.append(missing_sentence(f"Images of style(s) {styles}", assets,
                                            unavailable[0][1]))
    if rows:
        with open(dest / PART_FILES["images"], "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=METADATA_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    else:
        res.complete = False
    res.counts = {"images": _counts(rows)}
    return res
