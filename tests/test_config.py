"""Profiles, the QUICK flag and the cache directory."""

from __future__ import annotations

import pytest

from course_utils import CourseConfigError, cache_dir, normalise_profile, quick_from_env
from course_utils.config import default_cache_dir


def test_profile_defaults_to_auto(course_env):
    assert normalise_profile() == "auto"


def test_profile_comes_from_environment(course_env, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "Offline ")
    assert normalise_profile() == "offline"


def test_explicit_profile_beats_environment(course_env, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "offline")
    assert normalise_profile("full") == "full"


def test_unknown_profile_error_lists_the_valid_ones(course_env):
    with pytest.raises(CourseConfigError) as err:
        normalise_profile("fast")
    msg = str(err.value)
    assert "'fast'" in msg and "auto, full, offline" in msg and "COURSE_PROFILE" in msg


@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("0", False),
                                          ("", False), ("no", False)])
def test_quick_flag_parsing(monkeypatch, raw, expected):
    monkeypatch.setenv("COURSE_QUICK", raw)
    assert quick_from_env() is expected


def test_cache_dir_honours_course_cache_and_creates_it(course_env):
    path = cache_dir()
    assert path == course_env and path.is_dir()


def test_default_cache_is_per_user(course_env, monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "transfer-learning-course"
    assert default_cache_dir().name == "transfer-learning-course"


def test_unwritable_cache_gives_a_clear_error(course_env, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_CACHE", str(blocker / "cache"))
    with pytest.raises(CourseConfigError, match="not writable.*COURSE_CACHE"):
        cache_dir()


def test_every_course_error_names_a_common_base():
    """One base class: a learner (or `course doctor`) can catch every fixable problem at once."""
    from course_utils import errors
    from course_utils.assets import AssetError
    from course_utils.data.pack import PackError
    from course_utils.data.pets import PetsUnavailable
    from course_utils.data.sentiment_full import SentimentDatasetUnavailable

    for exc in (errors.CourseConfigError, AssetError, PackError, PetsUnavailable,
                SentimentDatasetUnavailable, errors.CacheError, errors.DatasetUnavailable):
        assert issubclass(exc, errors.CourseError), exc


def test_asset_layer_is_read_first_and_never_needed(tmp_path, monkeypatch):
    from course_utils import config

    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_ASSETS", raising=False)
    assert config.offline_pack_dir() == tmp_path / "cache" / "offline_pack"
    layer = tmp_path / "layer"
    (layer / "offline_pack").mkdir(parents=True)
    monkeypatch.setenv("COURSE_ASSETS", str(layer))
    assert config.offline_pack_dir() == layer / "offline_pack"
    assert config.writable_pack_dir() == tmp_path / "cache" / "offline_pack"
    assert config.find_asset("features") == tmp_path / "cache" / "features"
    monkeypatch.setenv("COURSE_ASSETS", str(tmp_path / "missing"))
    with pytest.raises(config.CourseConfigError, match="unset COURSE_ASSETS"):
        config.assets_dir()


def test_env_registry_lists_every_course_variable_the_code_reads():
    import re

    from conftest import ROOT

    from course_utils.envvars import NAMES

    used = set()
    for path in (ROOT / "course_utils").rglob("*.py"):
        used |= set(re.findall(r"\"(COURSE_[A-Z_]+)\"", path.read_text()))
    assert used <= set(NAMES), f"add to course_utils/envvars.py: {sorted(used - set(NAMES))}"
