"""Each lesson runs ONCE per test run offline: nbval executes it (QUICK budget) from the installed
wheel in an empty folder and compares its checked outputs; the notebook's own asserts are the
other checks. Lessons are found by file name, so a new notebook needs no test edit."""

from __future__ import annotations

import nbformat
import pytest
from conftest import ASSET_LAYER, ROOT, lesson_notebooks, require_pack
from harness import run_nbval, run_papermill, tree_snapshot, wheel_python


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory) -> str:
    """Python of a fresh venv with the course's wheel (one per xdist worker, built once)."""
    return str(wheel_python(tmp_path_factory.mktemp("wheel")))


@pytest.mark.slow
@pytest.mark.parametrize("notebook", lesson_notebooks(), ids=lambda p: p.stem)
def test_runs_from_installed_wheel(notebook, installed_wheel, tmp_path):
    """The lesson runs offline, QUICK, from the wheel alone; nbval compares the checked cells."""
    require_pack()
    result = run_nbval(notebook, tmp_path / "alone", python=installed_wheel,
                       cache=tmp_path / "cache", assets=ASSET_LAYER)
    assert result.returncode == 0, (
        f"nbval failed for {notebook.name} (run from the installed wheel, offline, QUICK):\n"
        + (result.stdout + result.stderr)[-6000:])
    assert "passed" in result.stdout and "failed" not in result.stdout.split("\n")[-2]


def test_the_wheel_is_what_the_notebook_imports(installed_wheel, tmp_path):
    """The wheel's python imports course_utils from the wheel, never from the checkout."""
    import subprocess

    code = "import course_utils; print(course_utils.__file__)"
    out = subprocess.run([installed_wheel, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout
    assert "wheel-venv" in out and str(ROOT) not in out


@pytest.mark.slow
def test_learner_cache_untouched(tmp_path, monkeypatch):
    """A learner's cache (the one in their environment) is byte-identical after a harness run."""
    learner = tmp_path / "learner-cache"
    (learner / "predictions").mkdir(parents=True)
    sentinel = learner / "predictions" / "nb04_sentiment.npz"
    sentinel.write_bytes(b"predictions a learner saved from a full run")
    monkeypatch.setenv("COURSE_CACHE", str(learner))  # as if the learner had exported it
    before = tree_snapshot(learner)

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("PROFILE = 'auto'\nQUICK = False",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import torch\n"
            "from course_utils import setup\n"
            "from course_utils.cache_keys import cache_key\n"
            "from course_utils.features import cached_tensors\n"
            "from course_utils.predictions import save_predictions\n"
            "course = setup(PROFILE, quick=QUICK)\n"
            "cached_tensors(cache_key('harness-test'), lambda: {'x': torch.ones(2)})\n"
            "print(save_predictions('nb04_sentiment', [0, 1, 2], [0, 1, 1],\n"
            "      profile=course.profile, quick=course.quick, model='harness test'))"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    source = tmp_path / "writes_to_the_cache.ipynb"
    nbformat.write(nb, source)
    test_cache = tmp_path / "test-cache"
    run_papermill(source, tmp_path / "out.ipynb", cache=test_cache, assets=ASSET_LAYER,
                  parameters={"PROFILE": "offline", "QUICK": True})

    assert tree_snapshot(learner) == before, "the harness wrote into the learner's cache"
    assert sentinel.read_bytes() == b"predictions a learner saved from a full run"
    written = sorted(p.relative_to(test_cache).as_posix() for p in test_cache.rglob("*.*"))
    assert "predictions/nb04_sentiment.npz" in written and any(
        w.startswith("features/harness-test-") for w in written), written
