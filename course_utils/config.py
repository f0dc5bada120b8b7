"""Profiles and the course cache directory.

A *profile* says where assets come from: ``full`` (model and dataset hubs), ``offline``
(package registries only, via the offline pack) or ``auto`` (full when the hubs answer,
else offline). Everything is cached under one directory so a workshop room can prefetch it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

VALID_PROFILES = ("auto", "full", "offline")
PROFILE_ENV = "COURSE_PROFILE"
CACHE_ENV = "COURSE_CACHE"
QUICK_ENV = "COURSE_QUICK"


class CourseConfigError(ValueError):
    """A setting the learner can fix (bad profile name, unwritable cache...)."""


def normalise_profile(profile: str | None = None) -> str:
    """The requested profile (argument, else ``$COURSE_PROFILE``, else ``auto``), validated."""
    value = profile if profile is not None else os.environ.get(PROFILE_ENV, "auto")
    value = str(value).strip().lower()
    if value not in VALID_PROFILES:
        raise CourseConfigError(
            f"Unknown profile {value!r}. Valid profiles are: {', '.join(VALID_PROFILES)}. "
            f"Set PROFILE in the notebook's parameters cell or the {PROFILE_ENV} environment "
            "variable to one of them."
        )
    return value


def quick_from_env(default: bool = False) -> bool:
    """Read ``$COURSE_QUICK`` (1/true/yes = small test budget)."""
    raw = os.environ.get(QUICK_ENV)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def default_cache_dir() -> Path:
    """Per-user cache: ``$XDG_CACHE_HOME/transfer-learning-course`` or ``~/.cache/...``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "transfer-learning-course"


def cache_dir(create: bool = True) -> Path:
    """The one cache directory (``$COURSE_CACHE`` or the per-user default), checked writable."""
    raw = os.environ.get(CACHE_ENV)
    path = Path(raw).expanduser() if raw else default_cache_dir()
    if not create:
        return path
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-", delete=True):
            pass
    except OSError as exc:
        raise CourseConfigError(
            f"The course cache directory {path} is not writable ({exc.strerror or exc}). "
            f"Point {CACHE_ENV} at a folder you can write to, e.g. "
            f"`export {CACHE_ENV}=$HOME/course-cache`."
        ) from None
    return path


def offline_pack_dir() -> Path:
    """Where ``data_scripts/build_offline_pack.py`` writes the offline pack."""
    return cache_dir() / "offline_pack"
