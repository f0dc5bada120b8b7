"""Read Debian packages (.deb) in Python, so the pack builds without dpkg or apt.

A .deb is an ``ar`` archive of three members: ``debian-binary``, ``control.tar.*`` and
``data.tar.*`` (the files it installs, compressed with xz, gzip, bzip2, zstd or not at all).
The pinned packages all use xz, which the standard library reads; zstd is read only where
Python has it (``compression.zstd``, Python 3.14+), with a clear error otherwise.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

AR_MAGIC = b"!<arch>\n"
_HEADER = 60  # name 16, mtime 12, uid 6, gid 6, mode 8, size 10, magic 2


class DebError(ValueError):
    """The file is not a readable Debian package."""


class ArMember(NamedTuple):
    """One member of an ar archive: its name and where its bytes lie in the file."""

    name: str
    offset: int
    size: int


def ar_members(fh: BinaryIO) -> Iterator[ArMember]:
    """The members of the ar archive open in ``fh`` (GNU/SysV names, as dpkg writes them)."""
    fh.seek(0)
    if fh.read(len(AR_MAGIC)) != AR_MAGIC:
        raise DebError("not an ar archive (a .deb starts with '!<arch>')")
    while header := fh.read(_HEADER):
        if len(header) < _HEADER or header[58:60] != b"`\n":
            raise DebError("truncated or malformed ar member header")
        name = header[:16].decode("ascii", "replace").rstrip()
        name = name[:-1] if name.endswith("/") else name  # GNU ar ends names with '/'
        try:
            size = int(header[48:58])
        except ValueError:
            raise DebError(f"bad size field in ar member {name!r}") from None
        offset = fh.tell()
        yield ArMember(name, offset, size)
        fh.seek(offset + size + size % 2)  # members are padded to an even length


class _Slice:
    """A read-only view of ``size`` bytes of ``fh`` from ``offset`` (for streaming tarfile)."""

    def __init__(self, fh: BinaryIO, offset: int, size: int) -> None:
        self._fh, self._left = fh, size
        fh.seek(offset)

    def read(self, n: int = -1) -> bytes:
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._fh.read(n)
        self._left -= len(data)
        return data


def _open_zstd(raw: _Slice) -> BinaryIO:
    try:
        from compression import zstd  # Python 3.14+
    except ImportError:
        raise DebError(
            "its data archive is compressed with zstd, which this Python cannot read "
            "(Python 3.14+ can); the pinned packages use xz, so a zstd one means the pin changed"
        ) from None
    return zstd.ZstdFile(raw)


def iter_data_files(deb: Path, pattern: re.Pattern[str]) -> Iterator[tuple[str, bytes]]:
    """``(path, bytes)`` of each regular file in ``deb``'s data archive whose path (without
    the leading ``./``) matches ``pattern``; streamed, so the package is never unpacked whole."""
    with open(deb, "rb") as fh:
        try:
            member = next(m for m in ar_members(fh) if m.name.startswith("data.tar"))
        except StopIteration:
            raise DebError(f"{deb.name} has no data.tar member") from None
        except DebError as exc:
            raise DebError(f"{deb.name}: {exc}") from None
        raw = _Slice(fh, member.offset, member.size)
        stream = _open_zstd(raw) if member.name.endswith(".zst") else raw
        try:
            with tarfile.open(fileobj=stream, mode="r|*") as tf:  # xz, gz, bz2 or plain
                for entry in tf:
                    rel = entry.name.removeprefix("./")
                    if entry.isfile() and pattern.search(rel):
                        yield rel, tf.extractfile(entry).read()
        except tarfile.TarError as exc:
            raise DebError(f"{deb.name}: cannot read {member.name} ({exc})") from None
