"""Shared fixtures. The whole run is isolated from the learner's files before any test starts:

- ``COURSE_CACHE`` becomes a fresh folder owned by this test run (per xdist worker);
- ``COURSE_ASSETS`` becomes the read-only asset layer: the caller's ``COURSE_ASSETS`` if set, else
  the caller's cache when it holds the offline pack (built by ``make assets``). The course never
  writes into that layer, and a session check proves the run left it unchanged.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from course_utils.config import default_cache_dir
from course_utils.envvars import NAMES as COURSE_VARIABLES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
KEEP = {"COURSE_THREADS"}  # `make test` runs every kernel on one thread (busy shared cores)

# What the caller (a learner, `make test`, CI) had, captured before anything is changed.
LEARNER_CACHE = Path(os.environ.get("COURSE_CACHE") or default_cache_dir()).expanduser()
_layer = os.environ.get("COURSE_ASSETS")
ASSET_LAYER: Path | None = (Path(_layer) if _layer else
                            LEARNER_CACHE if (LEARNER_CACHE / "offline_pack").is_dir() else None)
TEST_CACHE = Path(tempfile.mkdtemp(prefix="course-test-cache-"))

for _var in COURSE_VARIABLES:
    if _var not in KEEP:
        os.environ.pop(_var, None)
for _var in ("TORCH_HOME", "HF_HOME", "HF_DATASETS_CACHE", "HUGGINGFACE_HUB_CACHE"):
    os.environ.pop(_var, None)
os.environ["COURSE_CACHE"] = str(TEST_CACHE)
if ASSET_LAYER is not None:
    os.environ["COURSE_ASSETS"] = str(ASSET_LAYER)
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def in_ci() -> bool:
    """True under CI (`.ci/run` sets CI=true): tests that need data or tools fail, never skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine; fail under CI, where everything must be present."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def require_pack() -> Path:
    """The offline pack every data-dependent test reads; missing: skip locally, fail in CI."""
    from course_utils.data import pack as packlib

    problems = packlib.verify_pack()
    if problems:
        skip_or_fail(f"offline pack not built or damaged ({'; '.join(problems[:2])}): "
                     "run `make assets` (or `course assets`)")
    return packlib.pack_dir()


@pytest.fixture
def course_env(tmp_path, monkeypatch):
    """No course variables set but the asset layer, and a fresh writable cache in a temp folder."""
    for var in COURSE_VARIABLES:
        if var not in KEEP and var != "COURSE_ASSETS":
            monkeypatch.delenv(var, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE", str(cache))
    return cache


@pytest.fixture
def no_asset_layer(monkeypatch):
    """No read-only asset layer: the course sees only its (fresh) writable cache."""
    monkeypatch.delenv("COURSE_ASSETS", raising=False)


@pytest.fixture(scope="session")
def asset_layer() -> Path | None:
    """The read-only asset layer this run uses (None when no pack was built)."""
    return ASSET_LAYER


def lesson_notebooks() -> list[Path]:
    """Every numbered notebook, found automatically (new lessons need no test edit)."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="session", autouse=True)
def _asset_layer_is_never_written():
    """The run must leave the read-only asset layer exactly as it found it."""
    if ASSET_LAYER is None:
        yield
        return
    from harness import tree_snapshot

    pack = ASSET_LAYER / "offline_pack"
    before = tree_snapshot(pack)
    yield
    after = tree_snapshot(pack)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the test run wrote into the read-only asset layer: {changed[:5]}"
