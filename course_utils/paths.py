"""Paths printed in notebooks must not reveal the machine (no /home/<user>, no checkout path)."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: str | os.PathLike) -> str:
    """Show ``path`` relative to the working directory, or with ``~`` for the home folder."""
    p = Path(path).expanduser().resolve()
    cwd = Path.cwd().resolve()
    home = Path.home().resolve()
    # The deeper base containing the path wins: files of a checkout inside the home folder show
    # relative, a home folder inside the checkout's parent (a checkout in /tmp) shows "~".
    bases = [b for b in (cwd.parent, home) if p.is_relative_to(b)]  # a tie: the checkout
    if bases and max(bases, key=lambda b: len(b.parts)) == cwd.parent:
        try:
            return os.path.relpath(p, cwd)
        except ValueError:  # different drive on Windows
            pass
    return _home_relative(p)


def _home_relative(p: Path) -> str:
    home = Path.home().resolve()
    if p.is_relative_to(home):
        return "~/" + str(p.relative_to(home))
    return "<cache>/" + p.name if "cache" in str(p).lower() else p.name
