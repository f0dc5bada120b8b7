"""BUILD.json: the one volatile record of a build (when, how long, on which machine, with which
rasterising libraries). It lies next to MANIFEST.sha256 but is not listed in it, so two builds
of the same inputs have byte-identical manifests; readers get it with
:func:`course_utils.data.pack.read_build_info`."""

from __future__ import annotations

import importlib.metadata as md
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from ..data import pack as packlib

# The libraries that turn the inputs into PNG bytes: when two machines' manifests differ in the
# images, their versions here are the first thing to compare.
RASTER_DISTRIBUTIONS = ("pillow", "cairosvg", "cairocffi")


def now() -> str:
    """The current UTC time, to the second (ISO 8601, ``Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def part_timing(seconds: float) -> dict:
    """BUILD.json's record of one part built just now."""
    return {"built_at": now(), "build_seconds": round(seconds, 1)}


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def machine() -> dict:
    """Where the build ran: host, platform, Python and the rasterising libraries' versions.

    The cairo library's version is read only when cairocffi is already loaded (loading it
    looks for libcairo with a subprocess, and a build without images never needs it).
    """
    tools = {dist: _version(dist) for dist in RASTER_DISTRIBUTIONS}
    cairocffi = sys.modules.get("cairocffi")
    if cairocffi is not None:
        tools["cairo"] = cairocffi.cairo_version_string()
    return {"host": platform.node(), "platform": platform.platform(),
            "python": platform.python_version(), "tools": tools}


def build_record(seconds: float, parts: dict[str, dict], rebuilt: list[str]) -> dict:
    """BUILD.json's content: this run's time and duration, each part's (kept parts keep the
    times of the build that made them), the parts this run rebuilt, and the machine."""
    return {
        "built_at": now(),
        "build_seconds": round(seconds, 1),
        "rebuilt": rebuilt,
        "parts": {p: parts[p] for p in packlib.PARTS if p in parts},
        "machine": machine(),
    }


def kept_timing(old_info: dict | None, old_record: dict, part: str) -> dict:
    """The times of a part kept from the previous pack: from its BUILD.json, else from a
    pack.json written before BUILD.json existed (which held them), else none."""
    if part in old_record.get("parts", {}):
        return old_record["parts"][part]
    legacy = (old_info or {}).get("parts", {}).get(part, {})
    return {k: legacy[k] for k in ("built_at", "build_seconds") if k in legacy}


def write_record(pack: Path, record: dict) -> None:
    """Write BUILD.json into ``pack`` (after the manifest, which does not list it)."""
    (pack / packlib.BUILD_JSON).write_text(json.dumps(record, indent=2, ensure_ascii=False)
                                           + "\n", encoding="utf-8")
