"""One source picture before rasterising, and how a cat or dog label is read from its name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..assets import Asset

if TYPE_CHECKING:
    from PIL.Image import Image

CAT_WORDS = {"cat", "kitten", "catside"}
DOG_WORDS = {"dog", "poodle", "puppy", "dogside"}
EXCLUDE_WORDS = {"hot", "person", "man", "woman", "people", "flag", "food"}


@dataclass
class ImageItem:
    """One source image: its label, style and provenance, and how to load it as PIL."""

    label: str
    style: str
    domain: str
    source_name: str
    licence: str
    attribution: str
    file_stem: str  # readable stem of the PNG written for it (made file-system safe later)
    load: Callable[[], Image]


Reader = Callable[[Asset, Path], tuple[list[ImageItem], dict]]
"""Reads one input archive: (its cat and dog items, set-level metadata for pack.json)."""


def label_from_name(name: str) -> str | None:
    """'cat' / 'dog' from an icon or file name by whole words; None if neither or both."""
    words = set(re.split(r"[^a-z]+", name.lower()))
    words |= {re.sub(r"\d+$", "", w) for w in words}
    if words & EXCLUDE_WORDS:
        return None
    cat, dog = bool(words & CAT_WORDS), bool(words & DOG_WORDS)
    if cat == dog:
        return None
    return "cat" if cat else "dog"


def safe_name(name: str) -> str:
    """File-system-safe stem: lower case, [a-z0-9_-] only."""
    return re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_") or "image"
