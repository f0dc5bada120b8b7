"""The course's exceptions: one base class, one subclass per area, every message names the fix.

A learner who hits ``except CourseError`` knows the problem is something the course can explain
(a setting, a missing asset, a dataset that is not cached), not a bug in their own code.
"""

from __future__ import annotations


class CourseError(Exception):
    """Base class: a problem the learner can fix; the message says how."""


class CourseConfigError(CourseError, ValueError):
    """A setting the learner can fix (bad profile name, unwritable cache, bad env variable...)."""


class AssetError(CourseError, RuntimeError):
    """An asset could not be fetched or verified; the message says what to do."""


class PackError(CourseError, FileNotFoundError):
    """The offline pack (or a part of it) is missing or damaged; the message names the fix."""


class DatasetUnavailable(CourseError, RuntimeError):
    """A full-profile dataset is neither cached nor downloadable right now."""


class CacheError(CourseError, RuntimeError):
    """A cached artefact cannot be used (wrong key, unreadable file); the message says why."""

