#!/usr/bin/env python
"""What `make assets` runs: make sure the offline pack is present and intact, quickly.

Verifies the pack's manifest (about a second) and builds or repairs the pack when it is
missing or damaged (``course_utils.packbuild``). Prints one status line when all is well;
exits non-zero only when a part is unusable (the message says how to fix it).
"""

from __future__ import annotations

import sys

from course_utils.packbuild.cli import ensure_main

if __name__ == "__main__":
    sys.exit(ensure_main())
