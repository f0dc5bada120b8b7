"""Give freed memory back to the operating system after every notebook cell.

glibc keeps memory that Python and PyTorch have freed in its own pools, so a kernel's resident
size creeps up cell after cell (about 1 GB over notebook 02 on these machines). On a 2 GB Binder
or a shared workshop server that creep, not the lesson, is what runs out. ``malloc_trim`` returns
those pools; it takes milliseconds and changes no result.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys

_HOOKED: set[int] = set()
_M_MMAP_THRESHOLD = -3  # mallopt parameter (glibc malloc.h)
MMAP_THRESHOLD = 8 << 20  # blocks from 8 MiB up get their own mapping, returned on free


@functools.cache  # loaded once, not after every cell
def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None  # musl has none
    except OSError:
        return None


def release_freed_memory() -> bool:
    """Return glibc's free pools to the OS now; False where that is not possible (not glibc)."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def return_large_blocks_on_free(threshold: int = MMAP_THRESHOLD) -> bool:
    """Serve blocks of ``threshold`` bytes and more from their own memory mappings.

    glibc raises this threshold by itself as large blocks are freed (up to 32 MiB), after which
    tensors of a few MiB come from the heap and fragment it during a training loop; a fixed
    threshold returns them to the OS as soon as they are freed."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(_M_MMAP_THRESHOLD, int(threshold)))


def release_memory_after_each_cell() -> bool:
    """In IPython/Jupyter, call :func:`release_freed_memory` after every cell; with
    ``COURSE_MEMORY_SAVER=1`` (Binder, the workshop hub) also keep large blocks out of the heap
    (:func:`return_large_blocks_on_free`), which costs training-loop speed; idempotent."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or _libc() is None:
        return False
    if id(shell) not in _HOOKED:
        if os.environ.get("COURSE_MEMORY_SAVER", "0") == "1":  # Binder, the workshop hub
            return_large_blocks_on_free()
        shell.events.register("post_run_cell", lambda *_: release_freed_memory())
        _HOOKED.add(id(shell))
    return True
