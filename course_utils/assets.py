"""Asset registry: what each downloadable file is, where it comes from, and how to trust it.

Downloads are atomic (temp file in the same folder, verified, then renamed), checksummed with
sha256, and a corrupt or truncated cached file is detected and fetched again.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from .config import assets_dir, cache_dir
from .errors import AssetError
from .files import atomic_write
from .paths import display_path

MIRROR_ENV = "COURSE_MIRROR"


class DownloadFailed(AssetError):
    """The download itself failed (no file came); ``no_connection`` when no server answered
    (offline, DNS failure, timeout), as opposed to an HTTP error from a server that did."""

    def __init__(self, message: str, *, no_connection: bool) -> None:
        super().__init__(message)
        self.no_connection = no_connection


@dataclass(frozen=True)
class Asset:
    """One file the course needs.

    ``sha256`` is the full hex digest, or a prefix of at least 8 characters where the upstream
    only publishes a prefix (torchvision names its weight files after the first 8 hex digits).
    ``md5`` is accepted only where the upstream publishes nothing better (Oxford-IIIT Pet, CIFAR).
    """

    name: str
    url: str
    sha256: str | None
    licence: str
    source: str
    subdir: str
    filename: str
    profile: str = "full"
    size: int | None = None
    md5: str | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for label, digest, min_len in (("sha256", self.sha256, 8), ("md5", self.md5, 32)):
            if digest is None:
                continue
            if len(digest) < min_len or any(c not in "0123456789abcdef" for c in digest.lower()):
                raise ValueError(f"Asset {self.name!r}: {label} must be hex, >= {min_len} chars.")
        if not self.sha256 and not self.md5:
            raise ValueError(f"Asset {self.name!r} needs a sha256 (or an upstream md5).")

    @property
    def checksum(self) -> tuple[str, str]:
        """(algorithm, expected digest): sha256 when known, else the upstream md5."""
        return ("sha256", self.sha256.lower()) if self.sha256 else ("md5", str(self.md5).lower())

    @property
    def path(self) -> Path:
        """Where the file is downloaded to: the writable course cache."""
        return cache_dir() / self.subdir / self.filename

    @property
    def shared_path(self) -> Path | None:
        """The copy in the read-only asset layer (``$COURSE_ASSETS``), if that layer is set."""
        layer = assets_dir()
        return None if layer is None else layer / self.subdir / self.filename


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20, algorithm: str = "sha256") -> str:
    """Hex digest (sha256 by default) of a file, streamed so large files do not fill memory."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def digest_matches(actual: str, expected: str) -> bool:
    """Full-digest equality, or prefix match when only a prefix is published."""
    return actual.lower().startswith(expected.lower())


def is_valid(asset: Asset, path: Path | None = None) -> bool:
    """True when the cached file exists and its checksum matches."""
    path = path or asset.path
    algo, expected = asset.checksum
    return path.is_file() and digest_matches(sha256_file(path, algorithm=algo), expected)


def _source_url(asset: Asset) -> str:
    """The asset's URL, or the same file on a local mirror when ``$COURSE_MIRROR`` is set."""
    mirror = os.environ.get(MIRROR_ENV)
    if not mirror:
        return asset.url
    base = mirror if "://" in mirror else Path(mirror).resolve().as_uri()
    return f"{base.rstrip('/')}/{asset.subdir}/{asset.filename}"


def _download(
    url: str, dest: Path, checksum: tuple[str, str], desc: str, timeout: float,
    progress: bool = True,
) -> None:
    """Stream ``url`` to ``dest`` through a temp file, hashing on the way; rename only if valid."""
    algorithm, expected = checksum
    h = hashlib.new(algorithm)
    with atomic_write(dest) as tmp:
        with tmp.open("wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=desc, leave=False,
                      disable=not progress) as bar:
                while block := resp.read(1 << 20):
                    out.write(block)
                    h.update(block)
                    bar.update(len(block))
        actual = h.hexdigest()
        if not digest_matches(actual, expected):
            raise AssetError(
                f"{algorithm} mismatch for {desc} from {url}: expected {expected}, got {actual}. "
                "The download was discarded; try again, or check the mirror's copy."
            )


_OFFLINE_HINT = (
    "You seem to be offline: use the offline profile (PROFILE='offline'), or prefetch the full "
    "assets on a machine with internet (`python data_scripts/prefetch_full.py`) and copy the "
    "cache folder {cache} here."
)


def fetch(
    asset: Asset, *, force: bool = False, timeout: float = 30.0, progress: bool = True,
    hint: str | None = None,
) -> Path:
    """Return the verified cached file, downloading (or repairing) it when needed.

    ``progress`` shows a download bar; ``hint`` replaces the advice given when the download
    fails (the default suits the full profile's assets; the pack builder gives its own).
    """
    shared = asset.shared_path
    if shared is not None and not force and shared.is_file() and is_valid(asset, shared):
        return shared  # the read-only layer is read, never repaired or written
    path = asset.path
    if path.exists() and not force:
        if is_valid(asset, path):
            return path
        print(f"[course] {asset.name}: cached file {path.name} is corrupt (checksum mismatch); "
              "fetching it again.")
        path.unlink()
    url = _source_url(asset)
    try:
        _download(url, path, asset.checksum, asset.name, timeout, progress)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        if isinstance(exc, AssetError):
            raise
        advice = _OFFLINE_HINT.format(cache=display_path(cache_dir())) if hint is None else hint
        no_connection = url.startswith(("http:", "https:")) and not isinstance(
            exc, urllib.error.HTTPError)
        raise DownloadFailed(
            f"Could not download {asset.name} from {url} ({exc}). {advice}".rstrip(),
            no_connection=no_connection,
        ) from None
    return path


REGISTRY: dict[str, Asset] = {}


def register(asset: Asset) -> Asset:
    """Add an asset to the registry (names are unique)."""
    if asset.name in REGISTRY and REGISTRY[asset.name] != asset:
        raise ValueError(f"Asset name {asset.name!r} registered twice with different contents.")
    REGISTRY[asset.name] = asset
    return asset


def get(name: str) -> Asset:
    """Look up a registered asset by name, with a clear error listing the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "(none)"
        raise KeyError(f"No asset named {name!r}. Known assets: {known}.") from None


def assets_for(profile: str) -> list[Asset]:
    """All registered assets of one profile."""
    return [a for a in REGISTRY.values() if a.profile == profile]
