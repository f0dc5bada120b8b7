"""course_utils: plumbing for the Transfer Learning course (profiles, cache, data, plots, checks).

The lessons themselves live in the notebooks; this package only holds the plumbing around them.
"""

from .config import (
    VALID_PROFILES,
    CourseConfigError,
    cache_dir,
    normalise_profile,
    offline_pack_dir,
    quick_from_env,
)
from .session import Course, setup, versions

__all__ = [
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
