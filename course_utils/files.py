"""Atomic file writes for everything the course caches (downloads, features, checkpoints...)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_write(dest: str | os.PathLike) -> Iterator[Path]:
    """Yield a unique temp path next to ``dest``; rename it onto ``dest`` if the block succeeds.

    A crash or an error never leaves a half-written ``dest``; two writers never share a temp file.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
