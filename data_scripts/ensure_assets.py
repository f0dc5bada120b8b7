#!/usr/bin/env python
"""What `make assets` runs: make sure the offline pack is present and intact, quickly.

The offline pack is needed by CI, the tests and every learner without internet, so it is
always checked: the manifest is verified (about a second) and, when the pack is missing or
damaged, ``build_offline_pack.py`` builds or repairs it. Prints one status line when all is
well; exits non-zero when a part could not be built (the message says how to fix it).
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


def main() -> int:
    t0 = time.perf_counter()
    pack = packlib.pack_dir()
    problems = packlib.verify_pack(pack)
    if not problems:
        info = packlib.read_pack_info(pack)
        counts = info.get("counts", {})
        images = counts.get("images", {}).get("by_label", {})
        extra = f"; {len(info['missing'])} item(s) missing, see pack.json" \
            if info.get("missing") else ""
        print(f"offline pack OK ({display_path(pack)}: {counts.get('review_sentences', 0)} review "
              f"sentences, {sum(counts.get('snippets', {}).values())} snippets, "
              f"{images.get('cat', 0)} cat + {images.get('dog', 0)} dog images{extra}; "
              f"checked in {time.perf_counter() - t0:.1f} s)")
        return 0
    print(f"offline pack needs work ({problems[0]}"
          + (f" and {len(problems) - 1} more" if len(problems) > 1 else "") + "); building it")
    sys.path.insert(0, str(REPO / "data_scripts"))
    import build_offline_pack

    status = build_offline_pack.main([])
    remaining = packlib.verify_pack(pack)
    if remaining:
        print(f"offline pack still has problems: {'; '.join(remaining[:3])}")
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
