"""Profiles and the course cache directory.

A *profile* says where assets come from: ``full`` (model and dataset hubs), ``offline``
(package registries only, via the offline pack) or ``auto`` (full when the hubs answer,
else offline).

Two cache layers: ``$COURSE_ASSETS`` (optional, read-only: the offline pack and prefetched full
assets, shared by a workshop room or by the test suite) is searched first; ``$COURSE_CACHE``
(per person, writable: features, checkpoints, predictions, and anything downloaded) second.
Nothing in the course ever writes into ``$COURSE_ASSETS``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import CourseConfigError

VALID_PROFILES = ("auto", "full", "offline")
PROFILE_ENV = "COURSE_PROFILE"
CACHE_ENV = "COURSE_CACHE"
QUICK_ENV = "COURSE_QUICK"
ASSETS_ENV = "COURSE_ASSETS"
PACK_SUBDIR = "offline_pack"

__all__ = ["CourseConfigError", "assets_dir", "cache_dir", "find_asset", "normalise_profile",
           "offline_pack_dir", "quick_from_env", "writable_pack_dir"]


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


def assets_dir() -> Path | None:
    """The read-only asset layer (``$COURSE_ASSETS``), or ``None`` when it is not set."""
    raw = os.environ.get(ASSETS_ENV, "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise CourseConfigError(
            f"{ASSETS_ENV} points at {path}, which is not a folder. Point it at the shared, "
            f"read-only asset folder (built with `course assets` and COURSE_CACHE set to it), "
            f"or unset it: `unset {ASSETS_ENV}`."
        )
    return path


def find_asset(relpath: str | os.PathLike, *, create: bool = True) -> Path:
    """``relpath`` in the read-only asset layer when it is there, else in the writable cache.

    Readers use this; writers always use :func:`cache_dir`, so the asset layer stays untouched.
    """
    layer = assets_dir()
    if layer is not None and (layer / relpath).exists():
        return layer / relpath
    return cache_dir(create=create) / relpath


def writable_pack_dir() -> Path:
    """Where the pack builder writes the offline pack: always in the writable cache."""
    return cache_dir() / PACK_SUBDIR


def offline_pack_dir() -> Path:
    """The offline pack to read: the asset layer's when it has one, else the cache's."""
    return find_asset(PACK_SUBDIR)
