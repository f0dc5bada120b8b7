"""Static checks on the committed notebooks: conventions a reviewer would otherwise check by eye."""

from __future__ import annotations

import json
import re
import sys

import pytest
from conftest import ROOT, lesson_notebooks

from course_utils.colab import CELL_ID, colab_cell_source

sys.path.insert(0, str(ROOT / "benchmarks"))
from run_notebooks import WIDGET_STATE, is_progress_bar  # noqa: E402

ABSOLUTE_PATH = re.compile(r"(/root/|/home/[a-z]|/Users/[A-Za-z]|/work/|/tmp/|C:\\\\Users)")
# `%pip install`, `!pip ...`, `pip install`, `"pip", "install"` (subprocess), conda/mamba install
INSTALL = re.compile(r"[%!]\s*(pip3?|conda|mamba)\b"
                     r"|\bpip3?\W+install\b|\b(conda|mamba)\s+install\b")


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
    # the Colab cell prints nothing outside Colab, by design
    code = [c for c in book["cells"] if c["cell_type"] == "code" and c.get("id") != CELL_ID]
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
    installs = [c.get("id") for c in book["cells"] if c["cell_type"] == "code"
                and INSTALL.search(_src(c)) and not _is_the_colab_cell(c)]
    assert not installs, (f"{path.name}: cells {installs} install packages; the only install "
                          "line is the Colab-only cell (course_utils/colab.py)")


def _is_the_colab_cell(cell) -> bool:
    return cell.get("id") == CELL_ID and _src(cell) == colab_cell_source()


def test_install_pattern_finds_every_spelling_and_spares_the_colab_cell():
    for line in ("%pip install x", "!pip install x", "! pip3 install x", "pip install -q x",
                 'subprocess.run([sys.executable, "-m", "pip", "install", "x"])',
                 "!conda install x", "%mamba install x"):
        assert INSTALL.search(line), line
    for line in ("pipeline = make_pipeline()", "# pipelines are installed", "x = 1"):
        assert not INSTALL.search(line), line
    assert INSTALL.search(colab_cell_source()), "the pattern must see the Colab cell's pip"
    assert _is_the_colab_cell({"id": CELL_ID, "source": colab_cell_source()})
    assert not _is_the_colab_cell({"id": CELL_ID, "source": colab_cell_source() + "\n!pip x"})


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


def test_no_progress_bars_frozen_in_the_outputs(nb):
    """A tqdm bar saved as a widget shows on the site as a bar stuck at 0%: `make outputs`
    (benchmarks/run_notebooks.py) removes them and the widget models only they used."""
    path, book = nb
    bars = [c.get("id") for c in book["cells"] if c["cell_type"] == "code"
            and any(is_progress_bar(o) for o in c.get("outputs", []))]
    assert not bars, f"{path.name}: cells {bars[:3]} keep progress bars: re-save with make outputs"
    state = book["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    bar_models = [m for m, s in state.items() if s.get("model_name") == "FloatProgressModel"]
    assert not bar_models, f"{path.name}: {len(bar_models)} progress-bar widget models left"
