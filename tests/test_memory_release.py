"""The kernel gives freed memory back after each cell (course_utils/memory.py)."""

import sys

import pytest

from course_utils import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim is Linux-only")
def test_release_freed_memory_shrinks_the_resident_size_after_a_large_free():
    def rss_kib() -> int:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    # Many small blocks (below the mmap threshold) land in malloc's pools; freeing them leaves
    # the pages resident until the pools are trimmed.
    blocks = [bytearray(64 * 1024 - 64) for _ in range(4000)]  # about 250 MB
    for b in blocks[::2]:
        b[0] = 1
    keep = blocks[-1]
    del blocks
    before = rss_kib()
    assert memory.release_freed_memory()
    after = rss_kib()
    assert len(keep) and before - after > 50_000, (before, after)


def test_hook_is_registered_once_per_shell(monkeypatch):
    registered = []

    class Events:
        def register(self, name, fn):
            registered.append(name)

    class Shell:
        events = Events()

    shell = Shell()
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    monkeypatch.setattr(memory, "_HOOKED", set())
    if memory._libc() is None:
        assert memory.release_memory_after_each_cell() is False
        return
    assert memory.release_memory_after_each_cell() and memory.release_memory_after_each_cell()
    assert registered == ["post_run_cell"]


def test_outside_ipython_nothing_is_registered(monkeypatch):
    monkeypatch.setattr("IPython.get_ipython", lambda: None)
    assert memory.release_memory_after_each_cell() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt is Linux-only")
def test_large_blocks_go_back_to_the_os_as_soon_as_they_are_freed():
    import subprocess
    import textwrap

    # In a fresh process, so glibc's own threshold adjustment starts from its default.
    code = textwrap.dedent("""
        import sys
        from course_utils import memory
        def rss():
            status = open("/proc/self/status").read().splitlines()
            return next(int(x.split()[1]) for x in status if x.startswith("VmRSS:"))
        if sys.argv[1] == "fixed":
            assert memory.return_large_blocks_on_free()
        big = bytearray(24 << 20); del big         # glibc would now raise its threshold to 24 MiB
        blocks = [bytearray(16 << 20) for _ in range(16)]   # 256 MiB of 16 MiB blocks
        before = rss(); del blocks[::2]             # free every other one: holes in the heap
        print(before - rss())
    """)
    freed = {mode: int(subprocess.run([sys.executable, "-c", code, mode], capture_output=True,
                                      text=True, check=True).stdout)
             for mode in ("default", "fixed")}
    assert freed["fixed"] > 100_000, freed           # KiB: the freed 128 MiB went back at once
    assert freed["default"] < freed["fixed"] / 2, freed
