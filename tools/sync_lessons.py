#!/usr/bin/env python
"""Regenerate (``--write``) or check (the default, used by ``make lint``) the parts of README and
the course site made from ``course_utils/lessons.toml``: the lesson tables and ``_toc.yml`` (its
lessons), and from its ``[course]`` table and the package version (``course_utils.release``):
the ``git clone`` lines, README's Colab / Binder / pip lines, the site's repository and launch
buttons (``book/_config.yml``) and its note on lessons without a Binder button.

The instructor time table (benchmarks/time_table.py) and notebook 00's course map read the
manifest directly, so they need no regeneration. The notebooks' Colab install cell has its own
tool, ``tools/colab_cell.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course_utils import lessons, release

ROOT = Path(__file__).resolve().parents[1]


def plan() -> dict[str, list[tuple[str, str, str]]]:
    """{file relative to the checkout: [(begin marker, end marker, generated text), ...]}."""
    md = (lessons.BEGIN, lessons.END)
    toc = (lessons.TOC_BEGIN, lessons.TOC_END)
    clone = (*release.markers("clone"), release.clone_block())
    return {
        "README.md": [(*md, lessons.readme_table()), clone,
                      (*release.markers("launch"), release.readme_launch_block())],
        "book/intro.md": [(*md, lessons.intro_table()), clone,
                          (*release.markers("binder"), release.binder_note())],
        "book/_toc.yml": [(*toc, lessons.toc_chapters())],
        "book/_config.yml": [(*release.markers("course", "yaml"), release.book_config_block())],
    }


def generated_files(root: Path = ROOT) -> dict[Path, str]:
    """Each generated file and the content it should have now."""
    out = {}
    for rel, parts in plan().items():
        path = root / rel
        text = path.read_text(encoding="utf-8")
        for begin, end, body in parts:
            text = lessons.replace_between(text, begin, end, body)
        out[path] = text
    return out


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true", help="rewrite the generated parts")
    args = ap.parse_args(argv)
    stale = []
    for path, text in generated_files(root).items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path.relative_to(root))
            if args.write:
                path.write_text(text, encoding="utf-8")
    if stale and not args.write:
        print("out of date with course_utils/lessons.toml (or the package version): "
              + ", ".join(map(str, stale)) + "; run `python tools/sync_lessons.py --write`")
        return 1
    print("rewrote " + ", ".join(map(str, stale)) if stale else "lesson lists are in sync")
    return 0


if __name__ == "__main__":
    sys.exit(main())
