"""Shared fixtures: an isolated course environment (fresh cache, no profile variables)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
# COURSE_THREADS is kept: `make test` runs every kernel on one thread (busy shared cores).
COURSE_VARS = ("COURSE_PROFILE", "COURSE_CACHE", "COURSE_QUICK", "COURSE_MIRROR",
               "COURSE_HF_MIRROR", "COURSE_FORCE_OFFLINE", "COURSE_DEVICE",
               "COURSE_BERT_MODEL", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
               "HF_DATASETS_OFFLINE")


@pytest.fixture
def course_env(tmp_path, monkeypatch):
    """No course variables set, and a fresh writable cache in a temp folder."""
    for var in COURSE_VARS:
        monkeypatch.delenv(var, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE", str(cache))
    return cache


def lesson_notebooks() -> list[Path]:
    """Every numbered notebook, found automatically (new lessons need no test edit)."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def pytest_collection_modifyitems(config, items):
    """Notebook files collected by nbval are slow too."""
    for item in items:
        if str(getattr(item, "path", "")).endswith(".ipynb"):
            item.add_marker(pytest.mark.slow)


os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
