"""Write the measured per-notebook time table (Markdown) that the instructor guide shows.

Reads ``benchmarks/results/notebook_times.csv`` (written by ``run_notebooks.py``: columns
``date,notebook,quick,wall_s,peak_rss_mib,machine``, one row per run, appended) and keeps the
most recent run of each notebook x budget (latest date; on the same date, the later row).
Rows that do not parse are skipped and counted, never guessed. Runs measured with the CPU-only
PyTorch that Binder installs (``machine`` says "as on Binder") fill their own column, the peak a
Binder session must hold (2 GiB); the other columns come from the course's own environment. The
full profile is never measured on the build machines (no hub access), and the table says so.

    python benchmarks/time_table.py                       # print the table
    python benchmarks/time_table.py --out book/_generated/notebook_times.md
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "notebook_times.csv"
NOTEBOOKS = ROOT / "notebooks"
FULL_PROFILE_NOTE = "not measured (needs the hubs)"
NOT_MEASURED = "not measured yet"


@dataclass(frozen=True)
class Run:
    """One measured notebook run (a row of notebook_times.csv)."""

    date: str
    notebook: str
    quick: bool
    wall_s: float
    peak_rss_mib: float
    machine: str


def _parse_quick(value: str) -> bool | None:
    """The csv's quick flag ("0"/"1", tolerating true/false); None when it is neither."""
    value = value.strip().lower()
    if value in {"1", "true", "yes"}:
        return True
    if value in {"0", "false", "no"}:
        return False
    return None


def read_runs(path: Path) -> tuple[list[Run], int]:
    """Every parseable run in file order, and how many rows were skipped as unparseable."""
    runs: list[Run] = []
    skipped = 0
    if not path.is_file():
        return runs, skipped
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                quick = _parse_quick(row.get("quick") or "")
                name = Path((row.get("notebook") or "").strip()).name
                date = (row.get("date") or "").strip()
                if quick is None or not name.endswith(".ipynb") or not date:
                    raise ValueError("incomplete row")
                runs.append(Run(date, name, quick, float(row["wall_s"]),
                                float(row["peak_rss_mib"]), (row.get("machine") or "").strip()))
            except (KeyError, TypeError, ValueError):
                skipped += 1
    return runs, skipped


def is_binder_run(run: Run) -> bool:
    """Measured with Binder's CPU-only torch and settings (benchmarks/run_notebooks.py says so)."""
    return "as on Binder" in run.machine


def latest_runs(runs: list[Run]) -> dict[tuple[str, bool], Run]:
    """The most recent run per (notebook, quick): latest date, then latest row in the file."""
    best: dict[tuple[str, bool], tuple[tuple[str, int], Run]] = {}
    for index, run in enumerate(runs):
        key, rank = (run.notebook, run.quick), (run.date, index)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, run)
    return {key: run for key, (_, run) in best.items()}


def format_seconds(seconds: float) -> str:
    """Wall time for people: '53 s', '170 s (2.8 min)'."""
    if seconds < 100:
        return f"{seconds:.0f} s"
    return f"{seconds:,.0f} s ({seconds / 60:.1f} min)"


def notebook_title(path: Path) -> str:
    """'01 · ResNet skip connections': from the lesson manifest, else the notebook's title cell
    up to any colon, else its stem."""
    from course_utils.lessons import load_lessons

    for lesson in load_lessons():
        if lesson.notebook == path.stem:
            return f"{lesson.id} · {lesson.short_title}"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = "".join(cells[0]["source"]).splitlines()[0]
    except (OSError, ValueError, KeyError, IndexError):
        return path.stem
    return first.lstrip("#").split(":")[0].strip() or path.stem


def markdown_table(latest: dict[tuple[str, bool], Run], notebooks: list[Path],
                   skipped: int = 0, binder: dict[tuple[str, bool], Run] | None = None) -> str:
    """The Markdown table: one row per notebook, offline default / QUICK / memory / memory on
    Binder (default parameters) / full profile."""
    binder = binder or {}
    lines = [
        "| notebook | offline, default parameters | offline, `QUICK=True` "
        "| peak memory, default / QUICK | peak on Binder (limit 2,048 MiB) | full profile |",
        "|---|---|---|---|---|---|",
    ]
    paths = {p.name: p for p in notebooks}
    names = list(paths) + sorted({nb for nb, _ in latest} - set(paths))  # + no longer present
    for name in names:
        default, quick = latest.get((name, False)), latest.get((name, True))
        title = notebook_title(paths[name]) if name in paths else Path(name).stem
        memory = " / ".join(f"{r.peak_rss_mib:,.0f} MiB" if r else "-" for r in (default, quick))
        on_binder = binder.get((name, False))
        lines.append(
            f"| {title} | {format_seconds(default.wall_s) if default else NOT_MEASURED} "
            f"| {format_seconds(quick.wall_s) if quick else NOT_MEASURED} "
            f"| {memory if (default or quick) else NOT_MEASURED} "
            f"| {f'{on_binder.peak_rss_mib:,.0f} MiB' if on_binder else NOT_MEASURED} "
            f"| {FULL_PROFILE_NOTE} |"
        )
    runs = list(latest.values())
    if runs:
        dates = sorted(r.date for r in runs)
        machines = ", ".join(sorted({r.machine for r in runs if r.machine})) or "not recorded"
        span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
        note = (f"Measured with `benchmarks/run_notebooks.py` ({span}; machine: {machines}); "
                "the most recent run of each notebook and budget, from "
                "`benchmarks/results/notebook_times.csv`.")
    else:
        note = ("No measurements recorded yet: run `make benchmark` (default parameters) and "
                "`python benchmarks/run_notebooks.py --quick`, then rebuild the book.")
    if binder:
        machines = ", ".join(sorted({r.machine for r in binder.values()}))
        note += (f" The Binder column: the kernel's peak at default parameters with Binder's "
                 f"PyTorch and settings ({machines}).")
    if skipped:
        note += f" {skipped} unreadable row(s) of the csv were skipped."
    return "\n".join(lines) + "\n\n" + note + "\n"


def build_table(csv_path: Path = RESULTS, notebook_dir: Path | None = None) -> str:
    """Read the csv; return the Markdown table for every notebook (default: notebooks/)."""
    from course_utils.lessons import load_lessons

    runs, skipped = read_runs(csv_path)
    if notebook_dir is None:  # the course's lessons, in the manifest's order
        notebooks = [NOTEBOOKS / lesson.filename for lesson in load_lessons()]
    else:
        notebooks = sorted(notebook_dir.glob("[0-9][0-9]_*.ipynb"))
    binder = latest_runs([r for r in runs if is_binder_run(r) and not r.quick])
    return markdown_table(latest_runs([r for r in runs if not is_binder_run(r)]), notebooks,
                          skipped, binder)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=RESULTS, help="notebook_times.csv to read")
    ap.add_argument("--out", type=Path, help="write the table here (default: print it)")
    args = ap.parse_args(argv)
    table = build_table(args.csv)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table, encoding="utf-8")
    else:
        print(table, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
