"""Paths printed in notebooks must not reveal the machine (no /home/<user>, no checkout path)."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: str | os.PathLike) -> str:
    """Show ``path`` relative to the working directory, or with ``~`` for the home folder."""
    p = Path(path).expanduser().resolve()
    cwd = Path.cwd().resolve()
    try:
        return os.path.relpath(p, cwd) if p.is_relative_to(cwd.parent) else _home_relative(p)
    except ValueError:  # different drive on Windows
        return _home_relative(p)


def _home_relative(p: Path) -> str:
    home = Path.home().resolve()
    if p.is_relative_to(home):
        return "~/" + str(p.relative_to(home))
    return "<cache>/" + p.name if "cache" in str(p).lower() else p.name
