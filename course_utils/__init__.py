"""course_utils: plumbing for the Transfer Learning course (profiles, cache, data, plots, checks).

The lessons themselves live in the notebooks; this package only holds the plumbing around them.
Importing it is cheap: torch is loaded only when ``setup`` (or another torch helper) is used.
"""

from typing import TYPE_CHECKING, Any

# The package version, read by pyproject.toml (dynamic version); the release learners install on
# Colab and Binder is its git tag, "v" + this (course_utils/release.py).
__version__ = "0.1.0"

from .config import (
    VALID_PROFILES,
    CourseConfigError,
    cache_dir,
    normalise_profile,
    offline_pack_dir,
    quick_from_env,
)

if TYPE_CHECKING:
    from .session import Course, setup, versions

_LAZY = {"Course", "setup", "versions"}


def __getattr__(name: str) -> Any:
    """Load the torch-dependent session helpers on first use."""
    if name in _LAZY:
        from . import session

        return getattr(session, name)
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")


__all__ = [
    "__version__",
    "VALID_PROFILES",
    "Course",
    "CourseConfigError",
    "cache_dir",
    "normalise_profile",
    "offline_pack_dir",
    "quick_from_env",
    "setup",
    "versions",
]
