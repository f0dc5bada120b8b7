"""The lesson manifest (``lessons.toml``): the one list of lessons, and what is generated from it.

README's lesson table, the site's intro table and table of contents, the instructor time table
and notebook 00's course map all come from here, so adding or renaming a lesson is one edit
(``python tools/sync_lessons.py --write`` regenerates the files; a fast test fails on drift).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import CourseConfigError

BEGIN = "<!-- lessons:begin (generated from course_utils/lessons.toml) -->"
END = "<!-- lessons:end -->"
TOC_BEGIN, TOC_END = "# lessons:begin (generated from course_utils/lessons.toml)", "# lessons:end"


@dataclass(frozen=True)
class Lesson:
    """One lesson: its notebook, title, summary, time budgets, assets and the lessons it reads."""

    id: str
    notebook: str
    title: str
    summary: str
    budget_min: dict[str, float]
    assets: tuple[str, ...]
    reads_from: tuple[str, ...]
    binder: bool = True  # False: too big for a Binder session; the site drops its button
    binder_reason: str = ""  # why, shown on the site (required when binder is False)

    @property
    def filename(self) -> str:
        return f"{self.notebook}.ipynb"

    @property
    def short_title(self) -> str:
        """The title up to any colon ('ResNet skip connections')."""
        return self.title.split(":", 1)[0].strip()


@cache
def manifest() -> dict:
    """The parsed ``lessons.toml``: its ``lesson`` list and the ``course`` table."""
    return tomllib.loads(resources.files("course_utils").joinpath("lessons.toml").read_text())


@cache
def load_lessons() -> tuple[Lesson, ...]:
    """All lessons in order, validated (ids match notebook prefixes, references resolve)."""
    lessons = tuple(
        Lesson(id=e["id"], notebook=e["notebook"], title=e["title"], summary=e["summary"],
               budget_min=dict(e["budget_min"]), assets=tuple(e["assets"]),
               reads_from=tuple(e["reads_from"]), binder=e.get("binder", True),
               binder_reason=e.get("binder_reason", "").strip())
        for e in manifest()["lesson"]
    )
    ids = [lesson.id for lesson in lessons]
    for lesson in lessons:
        if not lesson.notebook.startswith(f"{lesson.id}_"):
            raise CourseConfigError(f"lessons.toml: notebook {lesson.notebook!r} must start with "
                                    f"its id {lesson.id!r} and an underscore.")
        unknown = [r for r in lesson.reads_from if r not in ids or r >= lesson.id]
        if unknown:
            raise CourseConfigError(f"lessons.toml: lesson {lesson.id} reads from {unknown}, "
                                    "which are not earlier lessons.")
        if not isinstance(lesson.binder, bool) or lesson.binder == bool(lesson.binder_reason):
            raise CourseConfigError(f"lessons.toml: lesson {lesson.id} has binder = "
                                    f"{lesson.binder!r}; write `binder = false` together with "
                                    "`binder_reason` (what does not fit), or neither.")
    if ids != sorted(set(ids)):
        raise CourseConfigError("lessons.toml: lesson ids must be unique and in order.")
    return lessons


def course_map() -> str:
    """The course map notebook 00 prints: number, short title and what the learner does."""
    import textwrap

    blocks = []
    for lesson in load_lessons():
        budget = lesson.budget_min.get("offline")
        head = f"{lesson.id}  {lesson.short_title}" + (
            f"  (budget: {budget:g} min offline on a 2-core CPU)" if budget else "")
        blocks.append(head + "\n" + textwrap.fill(lesson.summary, width=92,
                                                  initial_indent="    ", subsequent_indent="    "))
    return "\n".join(blocks)


def readme_table() -> str:
    """The README's lesson table (markdown)."""
    rows = ["| # | notebook | what you will do |", "|---|---|---|"]
    rows += [f"| {x.id} | `{x.notebook}` | {x.summary} |" for x in load_lessons()]
    return "\n".join(rows)


def intro_table() -> str:
    """The site intro's lesson table (MyST, links to the pages)."""
    rows = ["| lesson | what you will do |", "|---|---|"]
    rows += [f"| {{doc}}`notebooks/{x.notebook}` | {x.summary} |" for x in load_lessons()]
    return "\n".join(rows)


def no_binder_pages() -> dict[str, str]:
    """{site page name: reason} of the lessons without a Binder button (book/_ext)."""
    return {f"notebooks/{x.notebook}": x.binder_reason for x in load_lessons() if not x.binder}


def toc_chapters(indent: str = "      ") -> str:
    """The lessons' ``- file:`` lines of the site's ``_toc.yml``."""
    return "\n".join(f"{indent}- file: notebooks/{x.notebook}" for x in load_lessons())


def replace_between(text: str, begin: str, end: str, body: str) -> str:
    """``text`` with the part between the ``begin`` and ``end`` marker lines replaced."""
    try:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
    except ValueError:
        raise CourseConfigError(f"markers {begin!r} ... {end!r} not found: add them around the "
                                "generated part, then run `python tools/sync_lessons.py --write`."
                                ) from None
    return f"{head}{begin}\n{body}\n{end}{tail}"
