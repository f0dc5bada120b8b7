#!/usr/bin/env python
"""Put the Colab install cell (``course_utils.colab``) first among the code cells of every
notebook, right after its title cell, or bring it up to date (``--write``); or check that every
notebook has it exactly (the default, used by ``make lint``: exit 1 when one lacks it or differs).

The cell keeps the id ``colab-install`` and the tag ``colab``; its outputs are kept while its
source is unchanged. Notebooks are written the way nbformat writes them, so nothing else moves.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from course_utils.colab import CELL_ID, TAG, colab_cell

ROOT = Path(__file__).resolve().parents[1]


def notebooks(root: Path = ROOT) -> list[Path]:
    """Every numbered lesson notebook."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def serialise(nb: dict) -> str:
    """A notebook as nbformat writes it (sorted keys, one-space indent, a final newline)."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _text(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def with_colab_cell(nb: dict, name: str = "notebook") -> dict:
    """``nb`` with the Colab cell as its second cell (after the title), current and tagged."""
    if nb.get("nbformat", 0) < 4 or (nb["nbformat"] == 4 and nb.get("nbformat_minor", 0) < 5):
        raise ValueError(f"{name}: nbformat 4.5 or newer is needed (cell ids)")
    cells = nb["cells"]
    if not cells or cells[0]["cell_type"] != "markdown":
        raise ValueError(f"{name}: the first cell must be the title (markdown)")
    old = [c for c in cells if c.get("id") == CELL_ID]
    if len(old) > 1:
        raise ValueError(f"{name}: {len(old)} cells have the id {CELL_ID!r}")
    cell = colab_cell()
    if old and old[0]["cell_type"] == "code" and _text(old[0]) == _text(cell):
        kept = old[0]  # unchanged: keep its outputs and execution count
        cell["outputs"], cell["execution_count"] = kept["outputs"], kept["execution_count"]
        tags = kept["metadata"].get("tags", [])
        cell["metadata"] = {**kept["metadata"], "tags": tags if TAG in tags else [*tags, TAG]}
    rest = [c for c in cells[1:] if c.get("id") != CELL_ID]
    return {**nb, "cells": [cells[0], cell, *rest]}


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true", help="insert or update the cell")
    args = ap.parse_args(argv)
    stale, problems = [], []
    for path in notebooks(root):
        text = path.read_text(encoding="utf-8")
        try:
            new = serialise(with_colab_cell(json.loads(text), path.name))
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if new != text:
            stale.append(path.relative_to(root))
            if args.write:
                path.write_text(new, encoding="utf-8")
    for problem in problems:
        print(problem)
    if stale and not args.write:
        print("the Colab install cell is missing or out of date in: "
              + ", ".join(map(str, stale)) + "; run `python tools/colab_cell.py --write`")
        return 1
    if not problems:
        print(("updated the Colab cell in " + ", ".join(map(str, stale))) if stale
              else "every notebook has the current Colab cell")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
