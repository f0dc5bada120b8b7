"""What building one part of the pack produces, and the TSV writer the text parts share."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PartResult:
    """What building one part produced (merged into pack.json)."""

    complete: bool = True
    counts: dict = field(default_factory=dict)
    inputs: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_tsv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a tab-separated file with the csv module (minimal quoting, ``\\n`` line ends),
    which ``pandas.read_csv(sep="\\t", keep_default_na=False)`` reads back exactly; returns
    the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n
