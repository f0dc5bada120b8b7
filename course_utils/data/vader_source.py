"""The VADER ground truth read straight from its PyPI source archive: no offline pack needed.

The full profile's lessons that need human-rated sentences (notebook 06's text domain shift,
notebook 05's stand-in) use the same data as the pack's ``reviews`` and ``text`` parts, which
are built from one pinned file: the ``vaderSentiment==3.3.2`` sdist (2.5 MB, PyPI, MIT).
:func:`groundtruth` fetches that single file (one download with a progress bar, checksummed,
cached under ``<cache>/downloads/pypi`` where the pack builder also looks, or taken from the
read-only asset layer) and parses it in memory. Nothing is written into the offline pack's
folder, and the rows are exactly those the pack's files hold.
"""

from __future__ import annotations

from functools import lru_cache

Rows = list[tuple[str, float, str]]


@lru_cache(maxsize=1)
def groundtruth() -> dict[str, Rows]:
    """``{corpus: [(id, mean rating, text), ...]}`` for amazon, movie, tweets and nyt."""
    from .. import offline_assets as oa
    from ..assets import fetch
    from ..config import cache_dir
    from ..packbuild.vader import read_groundtruth
    from ..paths import display_path

    archive = fetch(oa.VADER_SDIST, progress=True, hint=(
        "It is one file from PyPI (the human-rated sentences); with no internet at all, copy "
        f"the course cache ({display_path(cache_dir())}) from a machine that has it, or use "
        "PROFILE='offline' with a built offline pack."))
    return read_groundtruth(archive)
