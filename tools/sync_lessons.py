#!/usr/bin/env python
"""Regenerate (``--write``) or check (``--check``, the default) the files made from the lesson
manifest ``course_utils/lessons.toml``: README's table, the site intro's table and its ``_toc.yml``.

The instructor time table (benchmarks/time_table.py) and notebook 00's course map read the
manifest directly, so they need no regeneration.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course_utils import lessons

ROOT = Path(__file__).resolve().parents[1]


def generated_files() -> dict[Path, str]:
    """Each generated file and the content it should have now."""
    md = (lessons.BEGIN, lessons.END)
    toc = (lessons.TOC_BEGIN, lessons.TOC_END)
    plan = {
        ROOT / "README.md": (*md, lessons.readme_table()),
        ROOT / "book" / "intro.md": (*md, lessons.intro_table()),
        ROOT / "book" / "_toc.yml": (*toc, lessons.toc_chapters()),
    }
    out = {}
    for path, (begin, end, body) in plan.items():
        out[path] = lessons.replace_between(path.read_text(encoding="utf-8"), begin, end, body)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true", help="rewrite the generated parts")
    args = ap.parse_args(argv)
    stale = []
    for path, text in generated_files().items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path.relative_to(ROOT))
            if args.write:
                path.write_text(text, encoding="utf-8")
    if stale and not args.write:
        print("out of date with course_utils/lessons.toml: "
              + ", ".join(map(str, stale)) + "; run `python tools/sync_lessons.py --write`")
        return 1
    print("rewrote " + ", ".join(map(str, stale)) if stale else "lesson lists are in sync")
    return 0


if __name__ == "__main__":
    sys.exit(main())
