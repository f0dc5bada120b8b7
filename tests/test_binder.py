"""binder/ is consistent: the learner's packages of pyproject.toml (core + [lab]) with CPU-only
PyTorch, Python 3.11, a postBuild that installs the course and builds the pack with the real
command, and a start script that makes the offline profile the default."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tomllib

import pytest
from conftest import ROOT
from test_dependencies_declared import CORE, canonical, groups_of
from test_environment_files import _declared_specs, _name, _spec

from course_utils import cli, envvars
from course_utils.config import normalise_profile

BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
DEVELOPER_TOOLS = ("pytest", "ruff", "nbval", "papermill", "playwright", "jupyter-book",
                   "hypothesis", "jupyterhub")
# repo2docker reads these from the root only when there is no binder/ folder: with one, a copy
# at the root would be silently ignored (environment.yml stays: it is the conda route).
IGNORED_AT_ROOT = ("postBuild", "start", "runtime.txt", "requirements.txt", "apt.txt",
                   "install.R", "Project.toml", "Dockerfile")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _requirements() -> tuple[dict[str, str], list[str]]:
    """({canonical name: spec} of binder/requirements.txt, its option lines)."""
    specs, options = {}, []
    for raw in (BINDER / "requirements.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-"):
            options.append(line)
        else:
            specs[canonical(_name(line))] = _spec(line)
    return specs, options


def _lines(name: str) -> list[str]:
    """The commands of a binder script (comments and blank lines left out)."""
    return [line.split(" #", 1)[0].strip() for line in (BINDER / name).read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _start_env(tmp_path, **preset: str) -> dict[str, str]:
    """The environment binder/start hands to the session's Jupyter."""
    env = {"PATH": os.environ["PATH"], "NB_PYTHON_PREFIX": str(tmp_path / "env"), **preset}
    out = subprocess.run(["bash", str(BINDER / "start"), "env", "-0"], env=env,
                         capture_output=True, text=True, check=True, timeout=30).stdout
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


# ----------------------------------------------------------------------------- packages
def test_requirements_are_the_learner_packages_of_pyproject():
    groups = groups_of(_pyproject())
    wanted = groups[CORE] | groups["lab"]
    specs, _ = _requirements()
    assert set(specs) == wanted, (f"binder/requirements.txt: missing {sorted(wanted - set(specs))}"
                                  f"; not core or [lab]: {sorted(set(specs) - wanted)}")
    declared = _declared_specs()
    differ = {n: (declared[n], s) for n, s in specs.items() if declared[n] != s}
    assert not differ, f"constraints differ (pyproject, binder/requirements.txt): {differ}"


def test_requirements_take_cpu_torch_and_no_developer_tools():
    specs, options = _requirements()
    assert options == [f"--extra-index-url {CPU_INDEX}"], (
        f"binder/requirements.txt options {options}: only the PyTorch CPU index (the course "
        "itself is installed by postBuild)")
    for tool in DEVELOPER_TOOLS:
        assert canonical(tool) not in specs, f"{tool} is a developer tool, not for Binder"


def test_runtime_is_the_python_the_course_is_tested_on():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    floor = re.fullmatch(r">=(\d+)\.(\d+)", _pyproject()["project"]["requires-python"])
    assert floor and (3, 11) >= tuple(map(int, floor.groups()))


def test_no_root_level_binder_file_would_be_ignored():
    stray = [name for name in IGNORED_AT_ROOT if (ROOT / name).exists()]
    assert not stray, f"{stray} at the repository root: Binder uses binder/ only; move them there"


# ----------------------------------------------------------------------------- postBuild
def test_postbuild_installs_the_course_without_other_dependencies():
    assert os.access(BINDER / "postBuild", os.X_OK), "binder/postBuild must be executable"
    lines = _lines("postBuild")
    assert lines[0] == "set -euo pipefail"
    installs = [shlex.split(line) for line in lines if " pip install " in f" {line} "]
    assert len(installs) == 1, f"one pip install of the course, found {installs}"
    args = installs[0]
    assert args[:4] == ["python", "-m", "pip", "install"] and "--no-deps" in args
    assert args[-2:] == ["-e", "."], "postBuild installs the checkout itself"


def test_postbuild_builds_the_pack_with_the_real_course_command():
    scripts = _pyproject()["project"]["scripts"]
    assert scripts["course"] == "course_utils.cli:main"
    calls = [shlex.split(line) for line in _lines("postBuild") if re.search(r"\bcourse ", line)]
    assert len(calls) == 1, calls
    words = calls[0]
    env = [w for w in words if re.fullmatch(r"[A-Z_]+=.*", w)]
    command = words[words.index("course") + 1:]
    args = cli._parser().parse_args(command)  # exits (SystemExit) on an unknown subcommand
    assert args.command == "assets" and args.profile == "offline" and not args.verify_only
    assert [e.split("=", 1)[0] for e in env] == ["COURSE_CACHE"]


def test_postbuild_and_start_agree_on_the_asset_folder(tmp_path):
    prefix = tmp_path / "env"
    assignment = next(line for line in _lines("postBuild") if line.startswith("assets="))
    built = subprocess.run(["bash", "-c", f"set -eu; {assignment}; printf %s \"$assets\""],
                           env={"NB_PYTHON_PREFIX": str(prefix)}, capture_output=True,
                           text=True, check=True).stdout
    assert built == f"{prefix}/share/course-assets"
    assert 'COURSE_CACHE="$assets" course assets' in _lines("postBuild")
    assert 'chmod -R a-w "$assets"' in _lines("postBuild")
    assert _start_env(tmp_path)["COURSE_ASSETS"] == built


# ----------------------------------------------------------------------------- start
def test_start_makes_offline_the_default(tmp_path):
    assert os.access(BINDER / "start", os.X_OK), "binder/start must be executable"
    assert _lines("start")[-1] == 'exec "$@"', "start must end by running Binder's command"
    env = _start_env(tmp_path)
    assert normalise_profile(env["COURSE_PROFILE"]) == "offline"
    assert env["COURSE_THREADS"] == "1"


@pytest.mark.parametrize("name, value", [("COURSE_PROFILE", "full"), ("COURSE_THREADS", "2"),
                                         ("COURSE_ASSETS", "/srv/course/assets")])
def test_start_keeps_a_value_already_set(tmp_path, name, value):
    assert _start_env(tmp_path, **{name: value})[name] == value


def test_start_sets_only_registered_course_variables():
    exported = [re.match(r"export (\w+)=", line).group(1) for line in _lines("start")
                if line.startswith("export ")]
    assert exported and set(exported) <= set(envvars.NAMES), exported


BINDER_MEMORY_MIB = 2048  # mybinder.org gives a session about 2 GB
NOTEBOOK_TIMES = ROOT / "benchmarks" / "results" / "notebook_times.csv"


def _binder_peaks() -> dict[str, int]:
    """{notebook file: peak RSS in MiB} of the latest default-parameter run recorded with the
    CPU-only torch that binder/requirements.txt installs (benchmarks/run_notebooks.py)."""
    import csv

    peaks: dict[str, int] = {}
    with NOTEBOOK_TIMES.open(newline="") as fh:
        for row in csv.DictReader(fh):  # appended in time order: the last row wins
            if row["quick"].strip() == "0" and "as on Binder" in row["machine"]:
                peaks[row["notebook"]] = int(float(row["peak_rss_mib"]))
    return peaks


def test_every_lesson_with_a_binder_button_was_measured_within_binder_memory():
    """A Binder button is a promise: the lesson's recorded default-parameter peak, measured with
    Binder's CPU-only torch, is at most 2 GiB; a lesson over it has `binder = false`."""
    from course_utils.lessons import load_lessons

    peaks = _binder_peaks()
    for lesson in load_lessons():
        if not lesson.binder:
            continue
        peak = peaks.get(lesson.filename)
        assert peak is not None, (
            f"{lesson.filename} has a Binder button but no peak measured with CPU-only torch in "
            f"{NOTEBOOK_TIMES.name}: run benchmarks/run_notebooks.py in a CPU-torch environment "
            "with binder/start's settings (COURSE_THREADS=1 COURSE_MEMORY_SAVER=1)")
        assert peak <= BINDER_MEMORY_MIB, (
            f"{lesson.filename} peaks at {peak} MiB on Binder's torch, over the "
            f"{BINDER_MEMORY_MIB} MiB a session gets: lower its memory or set `binder = false` "
            "with a binder_reason in course_utils/lessons.toml")
