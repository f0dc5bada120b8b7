"""Fill the course cache with every asset of the ``full`` profile (for a workshop room).

A thin script around :mod:`course_utils.prefetch` (the same code as ``course prefetch``). Run it
on a machine with internet, then copy the cache folder (``$COURSE_CACHE``, default
``~/.cache/transfer-learning-course``) to the learners' laptops. Re-running skips what is already
there and repairs damaged files. ``$COURSE_MIRROR`` / ``$COURSE_HF_MIRROR`` point it at a local
mirror instead of the hubs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils.prefetch import prefetch, run  # noqa: E402

__all__ = ["main", "prefetch"]


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the prefetch; the exit status of ``course prefetch``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the assets and exit")
    ap.add_argument("--only", default="", help="comma-separated asset names to fetch")
    ap.add_argument("--skip-hub-repos", action="store_true",
                    help="only the file assets (weights, datasets), not Hugging Face repos")
    args = ap.parse_args(argv)
    return run(args.only.split(","), skip_repos=args.skip_hub_repos, list_only=args.list)


if __name__ == "__main__":
    raise SystemExit(main())
