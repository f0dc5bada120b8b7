"""nbval really compares outputs: a corrupted stored output must make it fail."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT, lesson_notebooks

SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def _run_nbval(nb_path, cwd) -> subprocess.CompletedProcess:
    (cwd / "pytest.ini").write_text("[pytest]\n")  # keep the project's addopts out of it
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE), str(nb_path)],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def _tiny_notebook(stored: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(sum(range(5)))  # a checked, deterministic output")
    cell.metadata["tags"] = ["nbval-check-output"]
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def test_nbval_passes_when_the_stored_output_is_right(tmp_path):
    nbformat.write(_tiny_notebook("10\n"), tmp_path / "ok.ipynb")
    result = _run_nbval(tmp_path / "ok.ipynb", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]


def test_nbval_fails_when_a_stored_output_is_corrupted(tmp_path):
    nbformat.write(_tiny_notebook("11\n"), tmp_path / "bad.ipynb")
    result = _run_nbval(tmp_path / "bad.ipynb", tmp_path)
    assert result.returncode != 0 and "failed" in result.stdout


@pytest.mark.slow
def test_corrupting_a_real_checked_cell_fails_nbval(tmp_path):
    """Take the setup notebook, change one checked output, and expect nbval to notice."""
    nb_path = ROOT / "notebooks" / "00_setup_and_tour.ipynb"
    nb = json.loads(nb_path.read_text())
    checked = [c for c in nb["cells"] if "nbval-check-output" in c["metadata"].get("tags", [])
               and any(o.get("output_type") == "stream" for o in c.get("outputs", []))]
    assert checked, "00_setup_and_tour has no nbval-checked stream output to corrupt"
    out = next(o for o in checked[0]["outputs"] if o.get("output_type") == "stream")
    out["text"] = ["CORRUPTED OUTPUT\n"]
    target = tmp_path / nb_path.name
    target.write_text(json.dumps(nb))
    env_cwd = tmp_path
    result = _run_nbval(target, env_cwd)
    assert result.returncode != 0, "nbval accepted a corrupted output: it is not checking"


def test_every_lesson_has_checked_cells():
    for path in lesson_notebooks():
        nb = json.loads(path.read_text())
        tags = [t for c in nb["cells"] for t in c["metadata"].get("tags", [])]
        assert "nbval-check-output" in tags, f"{path.name}: no cell tagged nbval-check-output"
