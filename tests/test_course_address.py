"""One repository address (lessons.toml [course]) and one release (the package version): README,
the site's configuration and intro are generated from them, drift fails the check, and a lesson
too big for Binder loses its Binder button with the reason on the site."""

from __future__ import annotations

import dataclasses
import re
import shutil
import sys

import pytest
import yaml
from conftest import ROOT

from course_utils import __version__, colab, lessons, release
from course_utils.errors import CourseConfigError

sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import course_launch  # noqa: E402  (book/_ext/course_launch.py)
import sync_lessons  # noqa: E402  (tools/sync_lessons.py)

REL = release.release()
OTHER = release.Release(repository="https://github.com/example-org/example-course",
                        binderhub="https://binder.example.org",
                        colab="https://colab.example.org", version="9.8.7")
# Files that may be read for the address; lessons.toml (the source) and the notebooks (their
# Colab cell, tests/test_colab_cell.py) are checked elsewhere.
SCANNED = ("README.md", "CONTRIBUTING.md", "pyproject.toml", "environment.yml",
           "environment-dev.yml", "Makefile", "book/*.md", "book/*.yml", "book/*.py",
           "book/_ext/*.py", "binder/*", "course_utils/*.py", "tools/*.py", "data_scripts/*",
           "workshop/*.py", "workshop/*.md", "workshop/z2jh/*")


def _copy_generated_files(tmp_path):
    for rel in sync_lessons.plan():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, tmp_path / rel)


GENERATED = re.compile(r"<!-- (\w+):begin \(generated[^\n]*-->.*?<!-- \1:end -->"
                       r"|# (\w+):begin \(generated[^\n]*\n.*?# \2:end", re.S)


def _without_generated_parts(text: str) -> str:
    return GENERATED.sub("", text)


# ----------------------------------------------------------------------------- the one place
def test_site_config_reads_the_configured_address_and_release():
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    assert config["repository"]["url"] == REL.repository
    assert config["repository"]["branch"] == REL.tag == f"v{__version__}"
    assert config["launch_buttons"]["binderhub_url"] == REL.binderhub
    assert config["launch_buttons"]["colab_url"] == REL.colab
    assert config["html"]["use_repository_button"] is True


def test_readme_and_intro_clone_the_configured_repository():
    for rel in ("README.md", "book/intro.md"):
        text = (ROOT / rel).read_text()
        assert f"git clone {REL.repository}\ncd {REL.folder}\n" in text, rel
    readme = (ROOT / "README.md").read_text()
    assert REL.colab_url("notebooks/00_setup_and_tour.ipynb") in readme
    assert REL.binder_url("notebooks/00_setup_and_tour.ipynb") in readme


def test_the_address_is_written_nowhere_by_hand():
    owner, _ = REL.owner_and_name
    by_hand = []
    for pattern in SCANNED:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file():
                text = _without_generated_parts(path.read_text(encoding="utf-8"))
                if f"github.com/{owner}/" in text:
                    by_hand.append(str(path.relative_to(ROOT)))
    assert not by_hand, (f"{by_hand} write the repository address by hand: generate it from "
                         "course_utils/lessons.toml [course] (tools/sync_lessons.py)")


def test_the_masking_of_generated_parts_only_hides_generated_parts():
    begin, end = release.markers("clone")
    text = f"a\n{begin}\nhidden\n{end}\nb https://github.com/x/y"
    assert _without_generated_parts(text) == "a\n\nb https://github.com/x/y"
    ybegin, yend = release.markers("course", "yaml")
    assert _without_generated_parts(f"{ybegin}\nhidden\n{yend}\nkept") == "\nkept"


def test_colab_cell_and_readme_name_the_same_release():
    assert REL.requirement() in colab.colab_cell_source()
    assert REL.requirement() in (ROOT / "README.md").read_text()


# ----------------------------------------------------------------------------- drift
def test_check_fails_on_a_hand_edited_address_and_write_repairs_it(tmp_path, capsys):
    _copy_generated_files(tmp_path)
    assert sync_lessons.main([], root=tmp_path) == 0
    config = tmp_path / "book" / "_config.yml"
    config.write_text(config.read_text().replace(REL.repository, "https://github.com/a/b"))
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text().replace(f"@{REL.tag}", "@v0.0.1"))
    assert sync_lessons.main([], root=tmp_path) == 1
    out = capsys.readouterr().out
    assert "book/_config.yml" in out and "README.md" in out and "--write" in out
    assert sync_lessons.main(["--write"], root=tmp_path) == 0
    assert sync_lessons.main([], root=tmp_path) == 0
    for rel in sync_lessons.plan():
        assert (tmp_path / rel).read_text() == (ROOT / rel).read_text(), rel


def test_a_new_address_or_release_reaches_every_generated_part(tmp_path, monkeypatch):
    _copy_generated_files(tmp_path)
    monkeypatch.setattr(release, "release", lambda: OTHER)
    monkeypatch.setattr(colab, "release", lambda: OTHER)
    files = {p.relative_to(tmp_path).as_posix(): text
             for p, text in sync_lessons.generated_files(tmp_path).items()}
    for rel, text in files.items():
        assert REL.repository not in text, f"{rel} still names the old address"
    for rel in ("README.md", "book/intro.md"):
        assert "git clone https://github.com/example-org/example-course\ncd example-course" in (
            files[rel])
    config = yaml.safe_load(files["book/_config.yml"])
    assert config["repository"] == {"url": OTHER.repository, "branch": "v9.8.7",
                                    "path_to_book": ""}
    assert config["launch_buttons"]["binderhub_url"] == "https://binder.example.org"
    assert config["launch_buttons"]["colab_url"] == "https://colab.example.org"
    assert "https://colab.example.org/github/example-org/example-course/blob/v9.8.7/" in (
        files["README.md"])
    assert "https://binder.example.org/v2/gh/example-org/example-course/v9.8.7?" in (
        files["README.md"])
    assert "course-utils @ git+https://github.com/example-org/example-course@v9.8.7" in (
        colab.colab_cell_source())


@pytest.mark.parametrize("course, message", [
    (None, "no \\[course\\] table"),
    ({"binderhub": "https://mybinder.org", "colab": "https://colab.research.google.com"},
     "lacks 'repository'"),
    ({"repository": "https://gitlab.com/a/b", "binderhub": "https://mybinder.org",
      "colab": "https://colab.research.google.com"}, "GitHub"),
    ({"repository": "https://github.com/a/b.git", "binderhub": "https://mybinder.org",
      "colab": "https://colab.research.google.com"}, "no trailing slash or .git"),
    ({"repository": "https://github.com/a/b", "binderhub": "https://mybinder.org/",
      "colab": "https://colab.research.google.com"}, "binderhub"),
])
def test_a_bad_course_table_names_the_fix(monkeypatch, course, message):
    raw = {"lesson": lessons.manifest()["lesson"]} | ({"course": course} if course else {})
    monkeypatch.setattr(lessons, "manifest", lambda: raw)
    with pytest.raises(CourseConfigError, match=message):
        release.release.__wrapped__()


# ----------------------------------------------------------------------------- too big for Binder
def _with_lesson_off_binder(monkeypatch, lesson_id: str, reason: str):
    changed = tuple(dataclasses.replace(x, binder=False, binder_reason=reason)
                    if x.id == lesson_id else x for x in lessons.load_lessons())
    monkeypatch.setattr(lessons, "load_lessons", lambda: changed)
    return next(x for x in changed if x.id == lesson_id)


def test_every_lesson_offers_binder_until_one_is_measured_too_big():
    assert all(x.binder and not x.binder_reason for x in lessons.load_lessons())
    assert release.binder_note() == "Every lesson offers Binder."
    assert "Every lesson offers Binder." in (ROOT / "book" / "intro.md").read_text()


def test_a_lesson_off_binder_is_explained_on_the_site_and_in_readme(monkeypatch, tmp_path):
    lesson = _with_lesson_off_binder(monkeypatch, "04", "its peak memory, 2.6 GiB, is above 2 GiB")
    note = release.binder_note()
    assert f"{{doc}}`notebooks/{lesson.notebook}`: its peak memory, 2.6 GiB" in note
    assert "04 (its peak memory, 2.6 GiB, is above 2 GiB)" in release.readme_launch_block()
    _copy_generated_files(tmp_path)
    intro = sync_lessons.generated_files(tmp_path)[tmp_path / "book" / "intro.md"]
    assert note in intro and "Every lesson offers Binder." not in intro


def _page_buttons() -> dict:
    return {"header_buttons": [
        {"type": "group", "label": "download-buttons", "buttons": [{"text": ".ipynb"}]},
        {"type": "group", "label": "launch-buttons",
         "buttons": [{"text": "Binder", "url": "https://mybinder.org/x"},
                     {"text": "Colab", "url": "https://colab.research.google.com/x"}]}]}


def test_a_lesson_off_binder_loses_only_its_binder_button(monkeypatch):
    lesson = _with_lesson_off_binder(monkeypatch, "04", "too big")
    assert lessons.no_binder_pages() == {f"notebooks/{lesson.notebook}": "too big"}
    page = _page_buttons()
    course_launch.drop_binder_button(None, f"notebooks/{lesson.notebook}", "page.html", page, None)
    launch = page["header_buttons"][1]["buttons"]
    assert [b["text"] for b in launch] == ["Colab"]
    assert page["header_buttons"][0]["buttons"] == [{"text": ".ipynb"}]
    other = _page_buttons()
    course_launch.drop_binder_button(None, "notebooks/05_evaluating_models", "page.html", other,
                                     None)
    assert other == _page_buttons()


def test_the_site_loads_the_extension_after_the_theme():
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"] == {"course_launch": "_ext"}
    extensions = config["sphinx"]["config"]["extensions"]
    assert extensions.index("course_launch") > extensions.index("sphinx_book_theme")

    class App:
        connected: list = []

        def connect(self, event, handler, priority=500):
            self.connected.append((event, handler, priority))

    app = App()
    course_launch.setup(app)
    assert app.connected == [("html-page-context", course_launch.drop_binder_button, 600)]


@pytest.mark.parametrize("entry, message", [
    ({"binder": False}, "binder_reason"),
    ({"binder_reason": "too big"}, "binder_reason"),
    ({"binder": "no", "binder_reason": "too big"}, "binder"),
])
def test_binder_flag_needs_a_reason_and_nothing_else(monkeypatch, entry, message):
    raw = lessons.manifest()
    broken = [dict(raw["lesson"][0], **entry), *raw["lesson"][1:]]
    monkeypatch.setattr(lessons, "manifest", lambda: {**raw, "lesson": broken})
    with pytest.raises(CourseConfigError, match=message):
        lessons.load_lessons.__wrapped__()
