"""How the test suite runs notebooks: isolated caches, the shared read-only asset layer, one run.

Every notebook the tests execute gets a fresh writable ``COURSE_CACHE`` owned by the test run and
the read-only ``COURSE_ASSETS`` layer (the offline pack built by ``make assets``), whatever the
environment says: the suite never writes into a learner's cache. Two executors, each with a role:

- nbval runs each lesson once, offline with the QUICK budget, from the *installed wheel* in an
  empty folder, and compares the outputs of the cells tagged ``nbval-check-output``;
- papermill runs the notebooks whose parameters must be injected (the full profile against the
  local fake mirror, and the harness's own tests).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from course_utils.envvars import NAMES as COURSE_VARIABLES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
# Library caches a learner may have pointed elsewhere: the tests must not write there either.
LIBRARY_CACHES = ("TORCH_HOME", "HF_HOME", "HF_DATASETS_CACHE", "HUGGINGFACE_HUB_CACHE")


def isolated_env(
    cache: Path,
    *,
    assets: Path | None,
    profile: str = "offline",
    quick: bool = True,
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for a notebook run: no inherited course variables, the test cache, the
    read-only asset layer, the profile and budget, then ``extra``."""
    env = {k: v for k, v in (base if base is not None else os.environ).items()
           if k not in COURSE_VARIABLES and k not in LIBRARY_CACHES}
    if "COURSE_THREADS" in (base if base is not None else os.environ):
        env["COURSE_THREADS"] = (base if base is not None else os.environ)["COURSE_THREADS"]
    # TQDM_DISABLE as in benchmarks/run_notebooks.py: it silences tqdm's text bars only (widget
    # bars ignore it, and nbval compares no cell that shows one).
    env.update(COURSE_CACHE=str(cache), COURSE_PROFILE=profile, COURSE_QUICK="1" if quick else "0",
               PYDEVD_DISABLE_FILE_VALIDATION="1", TQDM_DISABLE="1")
    if assets is not None:
        env["COURSE_ASSETS"] = str(assets)
    env.update(extra or {})
    return env


@contextlib.contextmanager
def environ(env: Mapping[str, str]) -> Iterator[None]:
    """Replace ``os.environ`` for the duration (the papermill kernel inherits it)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_papermill(
    notebook: Path,
    output: Path,
    *,
    cache: Path,
    assets: Path | None,
    parameters: Mapping[str, object],
    extra_env: Mapping[str, str] | None = None,
    timeout: int = 900,
) -> None:
    """Execute ``notebook`` with injected ``parameters`` in an isolated environment."""
    import papermill as pm

    profile = str(parameters.get("PROFILE", "offline"))
    quick = bool(parameters.get("QUICK", True))
    env = isolated_env(cache, assets=assets, profile=profile, quick=quick, extra=extra_env)
    output.parent.mkdir(parents=True, exist_ok=True)
    with environ(env):
        pm.execute_notebook(
            str(notebook), str(output), parameters=dict(parameters), cwd=str(notebook.parent),
            kernel_name="python3", progress_bar=False, request_save_on_cell_execute=False,
            execution_timeout=timeout,
        )


def run_nbval(
    notebook: Path,
    workdir: Path,
    *,
    python: str | os.PathLike,
    cache: Path,
    assets: Path | None,
    timeout: int = 1200,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Copy ``notebook`` alone into ``workdir``; run nbval on it with ``python`` (offline, QUICK).

    The kernel is the one of ``python`` (``--nbval-current-env``); the checkout is neither the
    working directory nor on ``PYTHONPATH``, so the notebook imports only what is installed.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / notebook.name
    shutil.copyfile(notebook, copy)
    shutil.copyfile(SANITIZE, workdir / "nbval_sanitize.cfg")
    (workdir / "pytest.ini").write_text("[pytest]\n")  # keep the project's settings out of it
    env = isolated_env(cache, assets=assets, extra=extra_env)
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "--nbval-sanitize-with", "nbval_sanitize.cfg",
         "--nbval-cell-timeout", str(timeout), copy.name],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout * 3,
    )


def tree_snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``folder``: size, mtime and sha256 (compare two to prove nothing wrote)."""
    import hashlib

    snap: dict[str, tuple[int, int, str]] = {}
    if not folder.exists():
        return snap
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if st.st_size < 1 << 22 else ""
            snap[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns, digest)
    return snap


def wheel_python(base: Path) -> Path:
    """A fresh virtual environment holding the course's wheel, built from this checkout.

    Installing torch again would cost 5.5 GB and minutes, so the third-party packages come from
    the running environment through a plain path entry (``.pth`` lines that are folders are added
    to ``sys.path``, but the ``.pth`` files inside them are not run: the checkout's editable
    install stays invisible). The course itself is importable only from the wheel.
    """
    venv = base / "wheel-venv"
    python = venv / "bin" / "python"
    if python.exists():
        return python
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(ROOT)], check=True, capture_output=True, text=True)
    wheel = next(dist.glob("*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    import sysconfig

    (site / "zz_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "-q", str(wheel)], check=True, capture_output=True, text=True)
    return python
