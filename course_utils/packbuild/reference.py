"""The course's reference manifest: the MANIFEST.sha256 a complete build of the pinned inputs
produces, committed as ``data_scripts/offline_pack.MANIFEST.sha256``. A pack whose manifest
equals it holds exactly the course's data, byte for byte.

The file is in the source checkout only (not in the wheel): an installed course has no
reference and :func:`reference_status` says nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ..data import pack as packlib

REFERENCE_MANIFEST = (Path(__file__).resolve().parents[2] / "data_scripts"
                      / "offline_pack.MANIFEST.sha256")
REBUILD = "python data_scripts/build_offline_pack.py --force"
REFRESH = (f"`{REBUILD}`, then copy the pack's MANIFEST.sha256 to "
           "data_scripts/offline_pack.MANIFEST.sha256 (see data_scripts/README.md)")


class Difference(NamedTuple):
    """One path whose manifest line differs: ``how`` is changed|only in the pack|only in the
    reference."""

    path: str
    how: str

    def __str__(self) -> str:
        return f"{self.path} ({self.how})"


def reference_manifest() -> Path | None:
    """The committed reference manifest, or None outside a source checkout."""
    return REFERENCE_MANIFEST if REFERENCE_MANIFEST.is_file() else None


def _lines_by_path(text: str) -> dict[str, str]:
    """``{relative path: whole line}`` of a manifest's text (the path follows two spaces)."""
    return {line.partition("  ")[2]: line for line in text.splitlines() if line.strip()}


def manifest_differences(pack: Path, reference: Path | None = None) -> list[Difference]:
    """The paths whose lines differ between ``pack``'s MANIFEST.sha256 and the reference
    (default: the committed one), sorted by path; empty when the two are identical."""
    reference = reference or REFERENCE_MANIFEST
    ours = _lines_by_path((pack / packlib.MANIFEST).read_text(encoding="utf-8"))
    theirs = _lines_by_path(reference.read_text(encoding="utf-8"))
    out = []
    for path in sorted(ours.keys() | theirs.keys()):
        if path not in theirs:
            out.append(Difference(path, "only in the pack"))
        elif path not in ours:
            out.append(Difference(path, "only in the reference"))
        elif ours[path] != theirs[path]:
            out.append(Difference(path, "changed"))
    return out


def reference_status(pack: Path) -> str | None:
    """Whether ``pack`` matches the course's reference manifest, in a sentence or two (None when
    there is no reference or no manifest to compare)."""
    reference = reference_manifest()
    if reference is None or not (pack / packlib.MANIFEST).is_file():
        return None
    diffs = manifest_differences(pack, reference)
    if not diffs:
        return "matches the course's reference manifest (data_scripts/offline_pack.MANIFEST.sha256)"
    shown = ", ".join(str(d) for d in diffs[:5]) + (f", ... ({len(diffs)} in all)"
                                                    if len(diffs) > 5 else "")
    if not (pack / packlib.BUILD_JSON).is_file():
        why = ("this pack was built before builds were reproducible (it has no "
               f"{packlib.BUILD_JSON}): rebuild it with `{REBUILD}`")
    else:
        why = (f"rebuild it with `{REBUILD}`; if it still differs, compare the model packages and "
               f"the rasterising libraries (Pillow, cairo) in {packlib.BUILD_JSON} with the "
               f"reference build's; after changing an input on purpose: {REFRESH}")
    return (f"differs from the course's reference manifest in {len(diffs)} file(s): {shown}. "
            f"The pack is usable, but not byte-identical to the course's build; {why}")
