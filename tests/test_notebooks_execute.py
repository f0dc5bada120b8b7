"""Every numbered notebook runs top to bottom offline with the QUICK budget (papermill)."""

from __future__ import annotations

import papermill as pm
import pytest
from conftest import ROOT, lesson_notebooks

ARTIFACTS = ROOT / "build" / "test_artifacts"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", lesson_notebooks(), ids=lambda p: p.stem)
def test_notebook_runs_offline_quick(notebook, monkeypatch):
    """Parameters PROFILE='offline', QUICK=True; the notebook's own asserts are the checks."""
    monkeypatch.setenv("COURSE_PROFILE", "offline")
    monkeypatch.setenv("COURSE_QUICK", "1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(notebook),
        str(ARTIFACTS / notebook.name),
        parameters={"PROFILE": "offline", "QUICK": True},
        cwd=str(notebook.parent),
        kernel_name="python3",
        progress_bar=False,
        request_save_on_cell_execute=False,
        execution_timeout=900,
    )
