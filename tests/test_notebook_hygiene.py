"""Static checks on the committed notebooks: conventions a reviewer would otherwise check by eye."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, lesson_notebooks

ABSOLUTE_PATH = re.compile(r"(/root/|/home/[a-z]|/Users/[A-Za-z]|/work/|/tmp/|C:\\\\Users)")


def _src(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture(params=lesson_notebooks(), ids=lambda p: p.stem)
def nb(request):
    return request.param, json.loads(request.param.read_text())


def test_has_a_parameters_cell_with_profile_and_quick(nb):
    path, book = nb
    params = [c for c in book["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert params, f"{path.name}: no cell tagged 'parameters'"
    src = _src(params[0])
    assert "PROFILE" in src and "QUICK" in src and "COURSE_PROFILE" in src


def test_cell_ids_are_unique(nb):
    path, book = nb
    ids = [c.get("id") for c in book["cells"]]
    assert None not in ids and len(set(ids)) == len(ids), f"{path.name}: missing/duplicate ids"


def test_committed_with_outputs(nb):
    path, book = nb
    code = [c for c in book["cells"] if c["cell_type"] == "code"]
    with_out = [c for c in code if c.get("outputs")]
    assert len(with_out) >= len(code) / 2, f"{path.name}: run it offline and save the outputs"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: committed outputs contain an error"


def test_no_absolute_machine_paths_or_pip_installs(nb):
    path, book = nb
    text = json.dumps(book)
    assert str(ROOT) not in text and not ABSOLUTE_PATH.search(text), (
        f"{path.name}: an absolute path appears: {ABSOLUTE_PATH.search(text)}"
    )
    assert "pip install" not in "".join(_src(c) for c in book["cells"] if c["cell_type"] == "code")


def test_lessons_have_exercises_with_hidden_solutions(nb):
    path, book = nb
    if path.name.startswith("00_"):
        pytest.skip("the setup tour has no exercises")
    md = "".join(_src(c) for c in book["cells"] if c["cell_type"] == "markdown")
    assert len(re.findall(r"^###\s+Exercise", md, flags=re.M)) >= 3, f"{path.name}: < 3 exercises"
    solutions = [c for c in book["cells"] if "solution" in c["metadata"].get("tags", [])]
    assert len(solutions) >= 3
    for cell in solutions:
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True
        assert "hide-input" in cell["metadata"]["tags"]
        assert "strict=True" in _src(cell), "solution cells must run their check strictly"


def test_has_objectives_time_and_summary(nb):
    path, book = nb
    md = "".join(_src(c) for c in book["cells"] if c["cell_type"] == "markdown").lower()
    for needle in ("learning objectives", "time", "what to remember"):
        assert needle in md, f"{path.name}: no '{needle}' section"


def test_checked_cells_keep_their_execution_count(nb):
    """nbval treats a cell with outputs but no execution count as 'unrun' and fails it."""
    path, book = nb
    bad = [c.get("id") for c in book["cells"] if c["cell_type"] == "code" and c.get("outputs")
           and c.get("execution_count") is None]
    assert not bad, f"{path.name}: cells {bad[:5]} have outputs but no execution_count"


def test_no_execution_timestamps(nb):
    """Committed notebooks carry no run timestamps (noise in every diff): `make outputs` strips."""
    path, book = nb
    stamped = [c.get("id") for c in book["cells"] if "execution" in c["metadata"]]
    assert not stamped, f"{path.name}: cells {stamped[:3]} carry execution timestamps: re-save " \
        "it with `make outputs NB=...` (benchmarks/run_notebooks.py strips them)"
    assert "papermill" not in book["metadata"], f"{path.name}: papermill metadata committed"


def test_exercise_checks_print_a_verdict_and_return_nothing(nb):
    """A check prints [v]/[x]/[ ]; a stray True/False as the cell's value means it returned one."""
    path, book = nb
    stray = [c.get("id") for c in book["cells"] if c["cell_type"] == "code"
             and re.search(r"\bcheck_\w+\(", _src(c))
             and any(o.get("output_type") == "execute_result" for o in c.get("outputs", []))]
    assert not stray, f"{path.name}: check cells {stray[:3]} show a return value"


def test_solution_cells_are_committed_without_outputs(nb):
    """The site collapses a solution's code but shows its outputs: those would give answers away."""
    path, book = nb
    shown = [c.get("id") for c in book["cells"] if "solution" in c["metadata"].get("tags", [])
             and c.get("outputs")]
    assert not shown, f"{path.name}: solution cells {shown[:3]} have committed outputs"
