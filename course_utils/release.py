"""Where the course lives and which release learners get, written once.

The repository address and the Binder and Colab services are the ``[course]`` table of
``lessons.toml``; the release is the package version (``course_utils.__version__``), tagged
``v<version>`` in the repository. README's clone line and launch links, the site's repository
link and launch buttons (``book/_config.yml``) and the notebooks' Colab install cell are all
made from here (``tools/sync_lessons.py``, ``tools/colab_cell.py``), so they cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import __version__, lessons
from .errors import CourseConfigError

DISTRIBUTION = "course-utils"  # pyproject.toml's [project] name (a test keeps them equal)
GITHUB = re.compile(r"https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+)")


@dataclass(frozen=True)
class Release:
    """The repository, the launch services and the version learners install."""

    repository: str  # https://github.com/OWNER/NAME (Colab and the Binder links need GitHub)
    binderhub: str
    colab: str
    version: str

    @property
    def tag(self) -> str:
        """The git tag of this release: what Colab installs and the launch buttons open."""
        return f"v{self.version}"

    @property
    def owner_and_name(self) -> tuple[str, str]:
        owner, name = GITHUB.fullmatch(self.repository).groups()  # type: ignore[union-attr]
        return owner, name

    @property
    def folder(self) -> str:
        """The folder ``git clone`` makes."""
        return self.owner_and_name[1]

    def requirement(self, extras: tuple[str, ...] = ()) -> str:
        """A pip requirement for this release, straight from the repository."""
        extra = f"[{','.join(extras)}]" if extras else ""
        return f"{DISTRIBUTION}{extra} @ git+{self.repository}@{self.tag}"

    def colab_url(self, path: str) -> str:
        """Colab opening ``path`` (a notebook, relative to the repository root) at this tag."""
        owner, name = self.owner_and_name
        return f"{self.colab}/github/{owner}/{name}/blob/{self.tag}/{path}"

    def binder_url(self, path: str) -> str:
        """Binder building this tag and opening ``path`` in JupyterLab."""
        owner, name = self.owner_and_name
        return f"{self.binderhub}/v2/gh/{owner}/{name}/{self.tag}?urlpath=lab/tree/{path}"


@cache
def release() -> Release:
    """The ``[course]`` table of lessons.toml and the package version, validated."""
    table = lessons.manifest().get("course")
    if not isinstance(table, dict):
        raise CourseConfigError("lessons.toml has no [course] table: add one with the "
                                "repository address (see the comment at the top of the file).")
    try:
        found = Release(repository=table["repository"], binderhub=table["binderhub"],
                        colab=table["colab"], version=__version__)
    except KeyError as exc:
        raise CourseConfigError(f"lessons.toml [course] lacks {exc.args[0]!r}.") from None
    if not GITHUB.fullmatch(found.repository) or found.repository.endswith(".git"):
        raise CourseConfigError(f"lessons.toml [course] repository = {found.repository!r}: "
                                "write it as https://github.com/OWNER/NAME (no trailing slash "
                                "or .git); the Colab and Binder links need a GitHub address.")
    for key in ("binderhub", "colab"):
        url = getattr(found, key)
        if not url.startswith("https://") or url.endswith("/"):
            raise CourseConfigError(f"lessons.toml [course] {key} = {url!r}: write an https:// "
                                    "address without a trailing slash.")
    return found


# ------------------------------------------------------------------ what the generated parts say
def markers(name: str, comment: str = "md") -> tuple[str, str]:
    """The begin and end marker lines of a generated part (markdown or YAML comments)."""
    if comment == "md":
        return (f"<!-- {name}:begin (generated from course_utils/lessons.toml) -->",
                f"<!-- {name}:end -->")
    return f"# {name}:begin (generated from course_utils/lessons.toml)", f"# {name}:end"


def clone_block() -> str:
    """The fenced ``git clone`` lines of README and the site's intro."""
    rel = release()
    return f"```bash\ngit clone {rel.repository}\ncd {rel.folder}\n```"


def _first_notebook() -> str:
    return f"notebooks/{lessons.load_lessons()[0].filename}"


def binder_left_out() -> list[lessons.Lesson]:
    """The lessons that do not fit a Binder session (no Binder button on the site)."""
    return [x for x in lessons.load_lessons() if not x.binder]


def readme_launch_block() -> str:
    """README's lines on running the course in Colab, on Binder or from a pip install."""
    rel, first = release(), _first_notebook()
    left_out = binder_left_out()
    binder_gap = (" Not on Binder (too big for its 2 GiB): "
                  + "; ".join(f"{x.id} ({x.binder_reason})" for x in left_out) + "."
                  if left_out else "")
    return "\n".join([
        f"- **Google Colab**: [open notebook {lessons.load_lessons()[0].id} in Colab]"
        f"({rel.colab_url(first)}), or any lesson from the site's launch button. Each "
        f"notebook's first cell installs the course's helpers (release {rel.tag}) when it runs "
        "on Colab and does nothing anywhere else; Colab's own PyTorch is kept, so no restart "
        "is needed.",
        f"- **Binder**: [launch the course on Binder]({rel.binder_url(first)}). mybinder.org "
        f"builds `binder/` at {rel.tag} (CPU PyTorch, the course, the offline pack) and the "
        "offline profile is the default there; the first build takes a while." + binder_gap,
        f"- **pip, into a Jupyter you already have**: `pip install \"{rel.requirement()}\"`, "
        "then `course doctor` and `course assets`; the notebooks come with a clone (above).",
    ])


def binder_note() -> str:
    """The site intro's sentence on which lessons have no Binder button, and why."""
    left_out = binder_left_out()
    if not left_out:
        return "Every lesson offers Binder."
    lines = ["These lessons have no Binder button, because they do not fit in a Binder session:",
             ""]
    lines += [f"- {{doc}}`notebooks/{x.notebook}`: {x.binder_reason}" for x in left_out]
    return "\n".join(lines)


def book_config_block() -> str:
    """``repository`` and ``launch_buttons`` of book/_config.yml."""
    rel = release()
    return "\n".join([
        "repository:",
        f"  url: {rel.repository}",
        f"  branch: {rel.tag}  # the release: the buttons open what the Colab cell installs",
        '  path_to_book: ""',
        "launch_buttons:",
        "  notebook_interface: jupyterlab",
        f"  binderhub_url: {rel.binderhub}  # Binder builds binder/ (requirements, postBuild)",
        f"  colab_url: {rel.colab}",
        "  thebe: false  # live code would load thebe and a kernel from outside: not offline",
    ])
