"""The lesson manifest is the one source of truth: files, titles and generated lists agree."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, lesson_notebooks

from course_utils import lessons
from course_utils.errors import CourseConfigError

LESSONS = lessons.load_lessons()


def test_every_notebook_is_in_the_manifest_and_every_lesson_has_a_notebook():
    assert [p.stem for p in lesson_notebooks()] == [x.notebook for x in LESSONS]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.notebook)
def test_title_cell_matches_the_manifest(lesson):
    cells = json.loads((ROOT / "notebooks" / lesson.filename).read_text())["cells"]
    heading = "".join(cells[0]["source"]).splitlines()[0]
    assert heading == f"# {lesson.id} · {lesson.title}", (
        f"{lesson.filename}: title cell says {heading!r}; the manifest says {lesson.title!r}")


def test_generated_lesson_lists_are_in_sync():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_lessons.py")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_asset_references_resolve():
    from course_utils import full_assets  # noqa: F401  (registers the full-profile assets)
    from course_utils.assets import REGISTRY
    from course_utils.data.pack import PARTS
    from course_utils.full_assets import HUB_REPOS
    from course_utils.offline_assets import MODEL_PACKAGES

    known = ({f"pack:{p}" for p in PARTS} | {f"pip:{k}" for k in MODEL_PACKAGES}
             | {f"full:{n}" for n in REGISTRY} | {f"hub:{r.repo_id}" for r in HUB_REPOS})
    for lesson in LESSONS:
        unknown = set(lesson.assets) - known
        assert not unknown, f"lesson {lesson.id}: unknown assets {sorted(unknown)}"


def test_notebook_00_prints_the_course_map_from_the_manifest():
    cells = json.loads((ROOT / "notebooks" / "00_setup_and_tour.ipynb").read_text())["cells"]
    cell = next(c for c in cells if "course_map()" in "".join(c["source"]))
    assert "".join(cell["outputs"][0]["text"]).rstrip("\n") == lessons.course_map()


def test_time_table_lists_the_manifest_lessons():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import time_table

    table = time_table.build_table()
    for lesson in LESSONS:
        assert f"| {lesson.id} · {lesson.short_title} |" in table


def test_markers_missing_gives_the_fix():
    with pytest.raises(CourseConfigError, match="sync_lessons.py --write"):
        lessons.replace_between("no markers here", lessons.BEGIN, lessons.END, "x")
