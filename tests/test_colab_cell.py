"""The Colab install cell: a no-op outside Colab, a pinned runtime-only install on Colab, from the
one configured address, and the same first code cell in every notebook (tools/colab_cell.py)."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT, lesson_notebooks

from course_utils.colab import CELL_ID, TAG, colab_cell, colab_cell_source
from course_utils.release import DISTRIBUTION, release

sys.path.insert(0, str(ROOT / "tools"))
import colab_cell as tool  # noqa: E402  (tools/colab_cell.py)

DEVELOPER_TOOLS = ("pytest", "ruff", "nbval", "papermill", "playwright", "jupyter-book",
                   "jupyter_book", "hypothesis", "jupyterhub")
LEARNER_EXTRAS = {"lab"}
CALLS = "@@calls@@"
# Runs the cell's source with every way of starting a process replaced by a recorder.
HARNESS = f"""
import json, os, subprocess, sys, types
calls = []
def record(*args, **kwargs):
    cmd = args[0] if args else kwargs.get("args")
    calls.append([str(x) for x in cmd] if isinstance(cmd, (list, tuple)) else [str(cmd)])
    return subprocess.CompletedProcess(cmd, 0)
for name in ("run", "call", "check_call", "check_output", "Popen"):
    setattr(subprocess, name, record)
os.system = record
if sys.argv[1] == "module":
    sys.modules["google.colab"] = types.ModuleType("google.colab")
exec(compile(sys.stdin.read(), "colab-cell", "exec"), {{"__name__": "__main__"}})
sys.stdout.write("{CALLS}" + json.dumps(calls))
"""


def _run_cell(tmp_path, mode: str) -> tuple[str, str, list[list[str]]]:
    """Run the cell in a fresh interpreter (mode: none, module, env); (stdout, stderr, calls).
    A fake ``pip`` and ``python`` first on PATH would leave a mark if anything reached them."""
    shims = tmp_path / "shims"
    shims.mkdir(exist_ok=True)
    for name in ("pip", "pip3", "python", "python3"):
        shim = shims / name
        shim.write_text(f"#!/bin/sh\ntouch {tmp_path}/shim-ran\n")
        shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLAB_")}
    env["PATH"] = f"{shims}{os.pathsep}{env.get('PATH', '')}"
    if mode == "env":
        env["COLAB_RELEASE_TAG"] = "release-colab-test"
    proc = subprocess.run([sys.executable, "-c", HARNESS, mode], input=colab_cell_source(),
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "shim-ran").exists(), "the cell started a pip or python from PATH"
    out, _, calls = proc.stdout.partition(CALLS)
    return out, proc.stderr, json.loads(calls)


def _requirement() -> str:
    found = re.findall(r'"([^"]*@ git\+[^"]*)"', colab_cell_source())
    assert len(found) == 1, f"expected one pip requirement in the cell, found {found}"
    return found[0]


# ----------------------------------------------------------------------------- the cell itself
def test_cell_does_nothing_and_prints_nothing_outside_colab(tmp_path):
    out, err, calls = _run_cell(tmp_path, "none")
    assert calls == [], f"the cell started a process outside Colab: {calls}"
    assert out == "" and err == "", f"the cell printed outside Colab: {out!r} {err!r}"


@pytest.mark.parametrize("mode", ["module", "env"])
def test_cell_pip_installs_the_pinned_release_on_colab(tmp_path, mode):
    """Colab is recognised by google.colab being loaded or by COLAB_RELEASE_TAG."""
    _, _, calls = _run_cell(tmp_path, mode)
    assert calls == [[sys.executable, "-m", "pip", "install", "-q", release().requirement()]]


def test_cell_installs_the_configured_address_at_the_release_tag():
    rel = release()
    req = _requirement()
    assert req == rel.requirement()
    assert req.endswith(f"git+{rel.repository}@{rel.tag}")
    assert rel.tag in colab_cell_source().splitlines()[0], "the first comment names the release"


def test_cell_installs_runtime_dependencies_only():
    name, _, _ = _requirement().partition(" @ ")
    extras = set(re.findall(r"\[(.*)\]", name)[0].split(",")) if "[" in name else set()
    assert extras <= LEARNER_EXTRAS, f"the Colab cell installs extras {extras - LEARNER_EXTRAS}"
    source = colab_cell_source().lower()
    for tool_name in DEVELOPER_TOOLS:
        assert tool_name not in source, f"the Colab cell names the developer tool {tool_name}"
    assert "--force-reinstall" not in source and "--upgrade" not in source and " -u " not in source


def test_cell_is_short_commented_and_says_no_restart():
    lines = colab_cell_source().splitlines()
    assert len(lines) <= 12 and all(len(line) <= 110 for line in lines)
    comments = " ".join(line for line in lines if line.startswith("#")).lower()
    assert "colab" in comments and "restart" in comments and "nothing" in comments


def test_distribution_and_version_come_from_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["name"] == DISTRIBUTION
    assert "version" in project["project"]["dynamic"] and "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "course_utils.__version__"}


# ----------------------------------------------------------------------------- the notebooks
@pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda p: p.stem)
def test_every_notebook_starts_with_the_current_colab_cell(path):
    """Fails until `python tools/colab_cell.py --write` has been run after a change."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    fix = "run `python tools/colab_cell.py --write`"
    assert len(cells) > 1 and cells[1].get("id") == CELL_ID, (
        f"{path.name}: the Colab cell is not right after the title; {fix}")
    cell = cells[1]
    assert cell["cell_type"] == "code" and "".join(cell["source"]) == colab_cell_source(), (
        f"{path.name}: the Colab cell is out of date; {fix}")
    assert TAG in cell["metadata"].get("tags", [])
    assert [c for c in cells if TAG in c["metadata"].get("tags", [])] == [cell]


@pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda p: p.stem)
def test_notebooks_are_stored_as_the_tool_writes_them(path):
    """So that --write changes the Colab cell and nothing else."""
    text = path.read_text(encoding="utf-8")
    assert tool.serialise(json.loads(text)) == text


# ----------------------------------------------------------------------------- the tool
def _notebook(*cells: dict) -> dict:
    return {"cells": list(cells), "metadata": {"kernelspec": {"name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _md(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": [text]}


def _code(cell_id: str, text: str, tags: tuple[str, ...] = ()) -> dict:
    return {"cell_type": "code", "execution_count": 1, "id": cell_id,
            "metadata": {"tags": list(tags)} if tags else {},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["hi\n"]}],
            "source": [text]}


def _tree(tmp_path, nb: dict) -> tuple:
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "07_example.ipynb"
    path.write_text(tool.serialise(nb), encoding="utf-8")
    return path


def test_tool_inserts_the_cell_after_the_title_and_check_mode_then_passes(tmp_path, capsys):
    nb = _notebook(_md("title", "# 07 · Example"), _code("params", "PROFILE = 'auto'",
                                                         ("parameters",)))
    path = _tree(tmp_path, nb)
    assert tool.main([], root=tmp_path) == 1
    assert "07_example.ipynb" in capsys.readouterr().out
    assert path.read_text() == tool.serialise(nb), "check mode must not write"
    assert tool.main(["--write"], root=tmp_path) == 0
    cells = json.loads(path.read_text())["cells"]
    assert [c["id"] for c in cells] == ["title", CELL_ID, "params"]
    assert cells[1] == colab_cell() and cells[2] == nb["cells"][1]
    assert tool.main([], root=tmp_path) == 0
    before = path.read_text()
    assert tool.main(["--write"], root=tmp_path) == 0 and path.read_text() == before


def test_tool_updates_a_stale_cell_and_moves_a_misplaced_one(tmp_path):
    stale = _code(CELL_ID, "%pip install course-utils", (TAG,))
    nb = _notebook(_md("title", "# 07 · Example"), _code("a", "x = 1"), stale)
    path = _tree(tmp_path, nb)
    assert tool.main([], root=tmp_path) == 1
    assert tool.main(["--write"], root=tmp_path) == 0
    cells = json.loads(path.read_text())["cells"]
    assert [c["id"] for c in cells] == ["title", CELL_ID, "a"]
    assert cells[1] == colab_cell(), "a changed source drops the old outputs"


def test_tool_keeps_outputs_of_an_unchanged_cell(tmp_path):
    ran = {**copy.deepcopy(colab_cell()), "execution_count": 1}
    nb = _notebook(_md("title", "# 07 · Example"), ran, _code("a", "x = 1"))
    path = _tree(tmp_path, nb)
    assert tool.main([], root=tmp_path) == 0
    assert json.loads(path.read_text())["cells"][1]["execution_count"] == 1


def test_tool_refuses_a_notebook_without_a_title_cell(tmp_path, capsys):
    _tree(tmp_path, _notebook(_code("a", "x = 1")))
    assert tool.main(["--write"], root=tmp_path) == 1
    assert "title" in capsys.readouterr().out
