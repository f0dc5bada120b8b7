"""The Python .deb reader: synthetic packages (ar archive + compressed data tar) unpack exactly.

``make_deb`` writes a .deb the way dpkg-deb lays one out (checked against dpkg-deb itself where
it is installed); other tests import it to put clip art into a fake registry.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from course_utils.packbuild.debfile import DebError, ar_members, iter_data_files

FILES = {
    "usr/share/scratch/Media/Costumes/Animals/cat1-a.png": b"\x89PNG fake cat",
    "usr/share/scratch/Media/Costumes/Animals/dog2-b.gif": b"GIF89a odd-length dog!",
    "usr/share/scratch/Media/Costumes/Animals/bat.png": b"not selected",
    "usr/share/doc/scratch/copyright": b"Files: Media/*\nLicense: CC-BY-SA-3.0\n",
}


def _ar_header(name: str, size: int) -> bytes:
    header = (f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{100644:<8}{size:<10}").encode() + b"`\n"
    assert len(header) == 60
    return header


def make_deb(path: Path, files: dict[str, bytes], compression: str = "xz",
             symlinks: dict[str, str] | None = None,
             extra: list[tuple[str, bytes]] = ()) -> Path:
    """A minimal Debian package: debian-binary, control.tar.<c>, any ``extra`` members, then
    data.tar.<c> (paths './...')."""
    def tar_bytes(entries: dict[str, bytes], links: dict[str, str]) -> bytes:
        buf = io.BytesIO()
        mode = f"w:{compression}" if compression else "w"
        with tarfile.open(fileobj=buf, mode=mode, format=tarfile.GNU_FORMAT) as tf:
            dirs = sorted({str(Path(n).parent) for n in entries})
            for d in dirs:
                info = tarfile.TarInfo(f"./{d}/")
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            for name, data in entries.items():
                info = tarfile.TarInfo(f"./{name}")
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            for name, target in links.items():
                info = tarfile.TarInfo(f"./{name}")
                info.type = tarfile.SYMTYPE
                info.linkname = target
                tf.addfile(info)
        return buf.getvalue()

    suffix = f".{compression}" if compression else ""
    members = [
        ("debian-binary", b"2.0\n"),
        (f"control.tar{suffix}", tar_bytes({"control": b"Package: fake\nVersion: 1\n"}, {})),
        *extra,
        (f"data.tar{suffix}", tar_bytes(files, symlinks or {})),
    ]
    with open(path, "wb") as fh:
        fh.write(b"!<arch>\n")
        for name, data in members:
            fh.write(_ar_header(name, len(data)) + data + (b"\n" if len(data) % 2 else b""))
    return path


ANIMALS = re.compile(r"Animals/(cat|dog)[^/]*\.(png|gif)$")


@pytest.mark.parametrize("compression", ["xz", "gz", "bz2", ""])
def test_data_files_are_read_exactly(tmp_path, compression):
    deb = make_deb(tmp_path / "fake_1_all.deb", FILES, compression,
                   symlinks={"usr/share/scratch/Media/Costumes/Animals/cat9.png": "cat1-a.png"})
    got = dict(iter_data_files(deb, ANIMALS))
    assert got == {k: v for k, v in FILES.items() if ANIMALS.search(k)}, \
        "exactly the matching regular files, byte for byte, symlinks skipped"
    with open(deb, "rb") as fh:
        names = [m.name for m in ar_members(fh)]
    assert names == ["debian-binary", f"control.tar{'.' + compression if compression else ''}",
                     f"data.tar{'.' + compression if compression else ''}"]


def test_odd_sized_members_are_padded_and_offsets_right(tmp_path):
    # dpkg allows extra members (names starting with '_'); an odd-sized one needs a pad byte
    deb = make_deb(tmp_path / "fake.deb", {"a/x.txt": b"odd"}, "", extra=[("_odd", b"abc")])
    with open(deb, "rb") as fh:
        members = {m.name: m for m in ar_members(fh)}
        assert list(members) == ["debian-binary", "control.tar", "_odd", "data.tar"]
        for name, want in (("debian-binary", b"2.0\n"), ("_odd", b"abc")):
            fh.seek(members[name].offset)
            assert fh.read(members[name].size) == want
    assert dict(iter_data_files(deb, re.compile("x.txt"))) == {"a/x.txt": b"odd"}


def test_not_a_deb_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.deb"
    bogus.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(DebError, match="not an ar archive"):
        list(iter_data_files(bogus, ANIMALS))
    truncated = tmp_path / "truncated.deb"
    truncated.write_bytes(make_deb(tmp_path / "ok.deb", FILES).read_bytes()[:70])
    with pytest.raises(DebError):
        list(iter_data_files(truncated, ANIMALS))


def test_missing_data_member_is_an_error(tmp_path):
    deb = tmp_path / "nodata.deb"
    deb.write_bytes(b"!<arch>\n" + _ar_header("debian-binary", 4) + b"2.0\n")
    with pytest.raises(DebError, match="no data.tar"):
        list(iter_data_files(deb, ANIMALS))


def test_zstd_without_support_names_the_problem(tmp_path):
    try:
        from compression import zstd  # noqa: F401  (Python 3.14+)
        pytest.skip("this Python reads zstd")
    except ImportError:
        pass
    deb = tmp_path / "z.deb"
    fake = b"\x28\xb5\x2f\xfd not really zstd"
    deb.write_bytes(b"!<arch>\n" + _ar_header("debian-binary", 4) + b"2.0\n"
                    + _ar_header("data.tar.zst", len(fake)) + fake)
    with pytest.raises(DebError, match="zstd"):
        list(iter_data_files(deb, ANIMALS))


def test_synthetic_deb_is_a_real_deb_for_dpkg(tmp_path):
    """Cross-check of the fixture format (dpkg is not needed by the course, only by this test)."""
    dpkg_deb = shutil.which("dpkg-deb")
    if dpkg_deb is None:
        pytest.skip("dpkg-deb not installed: the cross-check needs it")
    deb = make_deb(tmp_path / "fake_1_all.deb", FILES, "xz")
    tar = subprocess.run([dpkg_deb, "--fsys-tarfile", str(deb)], capture_output=True,
                         check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        theirs = {m.name.removeprefix("./"): tf.extractfile(m).read() for m in tf if m.isfile()}
    assert theirs == FILES == dict(iter_data_files(deb, re.compile(".")))
