"""benchmarks/time_table.py: the instructor guide's measured table, from notebook_times.csv."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("time_table", ROOT / "benchmarks" / "time_table.py")
time_table = importlib.util.module_from_spec(_spec)
sys.modules["time_table"] = time_table  # dataclasses look their module up there
_spec.loader.exec_module(time_table)

HEADER = "date,notebook,quick,wall_s,peak_rss_mib,machine\n"


@pytest.fixture
def notebook_dir(tmp_path):
    """Two tiny notebooks whose first cells carry the titles."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, title in [("00_tour.ipynb", "# 00 · Tour"),
                        ("01_resnet.ipynb", "# 01 · ResNet: why it trains")]:
        cells = [{"cell_type": "markdown", "metadata": {}, "source": [title + "\n", "text"]}]
        (folder / name).write_text(json.dumps({"cells": cells}))
    return folder


def _table(tmp_path, notebook_dir, rows: str) -> str:
    csv_path = tmp_path / "times.csv"
    csv_path.write_text(HEADER + rows)
    return time_table.build_table(csv_path, notebook_dir)


def _row(table: str, prefix: str) -> list[str]:
    line = next(ln for ln in table.splitlines() if ln.startswith(f"| {prefix}"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_most_recent_run_per_notebook_and_budget_wins(tmp_path, notebook_dir):
    table = _table(tmp_path, notebook_dir,
                   "2026-11-28,01_resnet.ipynb,0,300.0,2000,old box\n"
                   "2026-12-01,01_resnet.ipynb,0,170.4,1500,x86_64 2 cores\n"
                   "2026-11-30,01_resnet.ipynb,0,999.0,9999,older date later row\n"
                   "2026-12-01,01_resnet.ipynb,1,53.0,900,x86_64 2 cores\n")
    title, default, quick, memory, binder, full = _row(table, "01")
    assert title == "01 · ResNet"
    assert default == "170 s (2.8 min)"
    assert quick == "53 s"
    assert memory == "1,500 MiB / 900 MiB"
    assert binder == time_table.NOT_MEASURED
    assert full == time_table.FULL_PROFILE_NOTE


def test_same_date_later_row_wins(tmp_path, notebook_dir):
    table = _table(tmp_path, notebook_dir,
                   "2026-12-01,00_tour.ipynb,0,12.0,800,a\n2026-12-01,00_tour.ipynb,0,9.0,700,a\n")
    assert _row(table, "00")[1] == "9 s"


def test_unmeasured_notebooks_say_so_and_full_profile_is_never_invented(tmp_path, notebook_dir):
    table = _table(tmp_path, notebook_dir, "2026-12-01,01_resnet.ipynb,0,170,1500,m\n")
    assert _row(table, "00")[1:5] == [time_table.NOT_MEASURED] * 4
    assert _row(table, "01")[2] == time_table.NOT_MEASURED
    assert table.count(time_table.FULL_PROFILE_NOTE) == 2


def test_messy_rows_are_skipped_and_counted(tmp_path, notebook_dir):
    table = _table(tmp_path, notebook_dir,
                   "2026-12-01,01_resnet.ipynb,0,,1500,m\n"          # no wall time
                   "2026-12-01,01_resnet.ipynb,maybe,10,1,m\n"       # unreadable flag
                   + HEADER +                                         # a repeated header
                   "2026-12-01,notebooks/01_resnet.ipynb,True,40,600,m\n")
    assert _row(table, "01")[2] == "40 s"
    assert "3 unreadable row(s)" in table


def test_missing_csv_gives_a_table_that_explains(tmp_path, notebook_dir):
    table = time_table.build_table(tmp_path / "absent.csv", notebook_dir)
    assert "No measurements recorded yet" in table
    assert len([ln for ln in table.splitlines() if ln.startswith("| 0")]) == 2


def test_cli_writes_the_file_the_guide_includes(tmp_path):
    """Without a notebook folder the table lists the lesson manifest's lessons, with its titles."""
    csv_path = tmp_path / "times.csv"
    csv_path.write_text(HEADER + "2026-12-01,00_setup_and_tour.ipynb,0,7,1018,m\n")
    out = tmp_path / "gen" / "notebook_times.md"
    assert time_table.main(["--csv", str(csv_path), "--out", str(out)]) == 0
    assert "| 00 · Setup and course tour | 7 s |" in out.read_text()


def test_binder_runs_fill_their_own_column_and_never_the_course_columns(tmp_path, notebook_dir):
    """A run with Binder's CPU-only torch is newer but must not replace the course's own run."""
    table = _table(tmp_path, notebook_dir,
                   "2026-12-01,01_resnet.ipynb,0,170,2400,x86_64 2 cores\n"
                   "2026-12-02,01_resnet.ipynb,0,300,1700,x86_64 2 cores; CPU-only torch 2.13.0 "
                   "as on Binder; 1 torch thread(s)\n"
                   "2026-12-03,01_resnet.ipynb,1,90,800,x86_64 2 cores; CPU-only torch 2.13.0 "
                   "as on Binder\n")
    title, default, quick, memory, binder, full = _row(table, "01")
    assert (default, memory, binder) == ("170 s (2.8 min)", "2,400 MiB / -", "1,700 MiB")
    assert quick == time_table.NOT_MEASURED  # a QUICK run on Binder's torch is not the course's
    assert "as on Binder; 1 torch thread(s)" in table
