"""Exercise checks explain what is wrong; printed paths never reveal the machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkutil import passed

from course_utils.checks import check, expect_close, require_attempt
from course_utils.paths import display_path


def _answer_is(value, want):
    def test():
        require_attempt(value)
        assert value == want, f"expected {want}, got {value}"
    return test


def test_placeholder_answer_is_reported_as_not_attempted(capsys):
    assert not passed(check, "Exercise 1", _answer_is(..., 3))
    assert "not attempted yet" in capsys.readouterr().out


def test_wrong_answer_prints_the_reason_without_raising(capsys):
    assert not passed(check, "Exercise 1", _answer_is(2, 3))
    assert "expected 3, got 2" in capsys.readouterr().out


def test_right_answer_is_confirmed(capsys):
    assert passed(check, "Exercise 1", _answer_is(3, 3))
    assert "correct" in capsys.readouterr().out


def test_strict_mode_raises_so_broken_solutions_fail_the_tests():
    with pytest.raises(AssertionError, match="expected 3"):
        check("Exercise 1", _answer_is(2, 3), strict=True)
    with pytest.raises(AssertionError, match="placeholder"):
        check("Exercise 1", _answer_is(..., 3), strict=True)


def test_expect_close_names_the_quantity():
    expect_close("accuracy", 0.905, 0.9, 0.01)
    with pytest.raises(AssertionError, match="accuracy is 0.8.*tolerance"):
        expect_close("accuracy", 0.8, 0.9, 0.01)


def test_display_path_hides_home_and_checkout(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home" / "alice"))
    home_file = Path.home() / ".cache" / "x"
    assert display_path(home_file) == "~/.cache/x"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notebooks").mkdir()
    assert display_path(tmp_path / "notebooks" / "a.png") == "notebooks/a.png"


def test_display_path_prefers_home_when_checkout_and_home_share_a_parent(tmp_path, monkeypatch):
    # A checkout in /tmp/ci and a home in /tmp/home: the cache shows as ~/..., not ../home/...
    monkeypatch.setenv("HOME", str(tmp_path / "home" / "alice"))
    (tmp_path / "checkout" / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "checkout" / "notebooks")
    assert display_path(Path.home() / ".cache" / "x") == "~/.cache/x"
    assert display_path(tmp_path / "checkout" / "data" / "a.csv") == "../data/a.csv"
