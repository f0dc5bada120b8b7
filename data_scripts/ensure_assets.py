#!/usr/bin/env python
"""What `make assets` runs: make sure the offline pack is present and intact, quickly.

The offline pack is needed by CI, the tests and every learner without internet, so it is
always checked: the manifest is verified (about a second) and, when the pack is missing or
damaged, ``build_offline_pack.py`` builds or repairs it. Prints one status line when all is
well; exits non-zero only when a part is unusable (the message says how to fix it).
"""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if "course_utils" not in sys.modules:  # skip the package __init__ (it imports torch)
    _pkg = types.ModuleType("course_utils")
    _pkg.__path__ = [str(REPO / "course_utils")]
    sys.modules["course_utils"] = _pkg

from course_utils.data import pack as packlib  # noqa: E402
from course_utils.paths import display_path  # noqa: E402


def status_line(pack: Path, seconds: float) -> str:
    """One line: what the pack holds, and how many pieces are missing."""
    info = packlib.read_pack_info(pack)
    counts = info.get("counts", {})
    images = counts.get("images", {}).get("by_label", {})
    extra = (f"; {len(info['missing'])} piece(s) missing, see pack.json or run "
             "`python data_scripts/build_offline_pack.py`" if info.get("missing") else "")
    return (f"offline pack OK ({display_path(pack)}: {counts.get('review_sentences', 0)} review "
            f"sentences, {sum(counts.get('snippets', {}).values())} snippets, "
            f"{images.get('cat', 0)} cat + {images.get('dog', 0)} dog images{extra}; "
            f"checked in {seconds:.1f} s)")


def main() -> int:
    """Verify the pack, build or repair it when needed; 0 when every part is usable."""
    t0 = time.perf_counter()
    pack = packlib.pack_dir()
    problems = packlib.verify_pack(pack)
    if not problems:
        print(status_line(pack, time.perf_counter() - t0))
        return 0
    print(f"offline pack needs work ({problems[0]}"
          + (f" and {len(problems) - 1} more" if len(problems) > 1 else "") + "); building it")
    sys.path.insert(0, str(REPO / "data_scripts"))
    import build_offline_pack

    build_offline_pack.main([])
    remaining = packlib.verify_pack(pack)
    if remaining:
        print(f"offline pack is not usable: {'; '.join(remaining[:3])}")
        return 1
    print(status_line(pack, time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
