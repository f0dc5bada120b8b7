#!/usr/bin/env python
"""What a learner's server runs first, as the learner: their own copy of the lessons and their
own writable cache, then ``jupyterhub-singleuser`` with the arguments the hub passed.

Running this inside the learner's process (rather than in the hub) means the files belong to the
learner with every spawner (a systemd dynamic user, a Kubernetes pod, a local process).
``--copy-only`` does the first part alone (the Zero to JupyterHub postStart hook).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from room import ROOT, copy_course_notebooks  # noqa: E402


def prepare_learner_folder(home: Path) -> Path:
    """Copy missing lessons into ``home/notebooks``; set and create the learner's cache."""
    src = Path(os.environ.get("WORKSHOP_NOTEBOOKS") or ROOT / "notebooks")
    copy_course_notebooks(src, home / "notebooks")
    cache = Path(os.environ.get("COURSE_CACHE") or home / ".cache" / "transfer-learning-course")
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["COURSE_CACHE"] = str(cache)
    return cache


def main(argv: list[str]) -> int:
    """Prepare the folder, then become the single-user server (``--copy-only``: stop there)."""
    home = Path(os.environ.get("HOME") or Path.cwd())
    prepare_learner_folder(home)
    if argv[:1] == ["--copy-only"]:
        return 0
    os.chdir(home)
    exe = Path(sys.executable).with_name("jupyterhub-singleuser")
    os.execv(exe, [str(exe), *argv])
    return 1  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
