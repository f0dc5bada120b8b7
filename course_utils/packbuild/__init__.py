"""Build the offline pack from package registries with Python alone (no pip, npm, apt or dpkg).

The inputs (the vaderSentiment sdist from PyPI, emoji sets from npm, clip art .debs from
Debian) are downloaded over HTTPS, each pinned by URL and sha256 in
``course_utils/offline_assets.py``; the .debs are unpacked in Python. Modules:

``inputs`` fetching and checking the archives; ``vader`` the reviews and text parts;
``emoji`` and ``clipart`` (with ``debfile``) the image sources; ``raster`` rasterising;
``images`` the images part; ``manifest`` pack.json, ATTRIBUTION.md and MANIFEST.sha256;
``record`` BUILD.json (the build's times and machine, outside the manifest); ``reference`` the
comparison with the committed reference manifest; ``report`` what is printed; ``build``
planning, repairing and swapping in; ``cli`` the scripts.

The build is reproducible: the same pinned inputs give a byte-identical MANIFEST.sha256.

The pack's layout and columns are defined once, in :mod:`course_utils.data.pack`, next to the
readers.
"""

from __future__ import annotations

from ..data.pack import verify_pack
from .build import BuildOutcome, build_pack, run_build
from .reference import manifest_differences, reference_status

__all__ = ["BuildOutcome", "build_pack", "manifest_differences", "reference_status", "run_build",
           "verify_pack"]
