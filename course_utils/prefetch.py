"""Fill the course cache with every asset of the ``full`` profile (for a workshop room).

Run it (``course prefetch``) on a machine with internet, then copy the cache folder
(``$COURSE_CACHE``, default ``~/.cache/transfer-learning-course``) to the learners' laptops, or
point their ``$COURSE_ASSETS`` at it. Files are checksummed and downloaded atomically; a second
run skips what is already there and repairs damaged files. ``$COURSE_MIRROR`` /
``$COURSE_HF_MIRROR`` point it at a local mirror instead of the hubs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import assets, full_assets
from .assets import Asset, AssetError
from .config import assets_dir, cache_dir
from .paths import display_path

Say = Callable[[str], None]
HUB_URL = "https://huggingface.co"


@dataclass(frozen=True)
class Missing:
    """One asset that could not be fetched: its name, where it comes from, and why."""

    name: str
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: from {self.url} ({self.reason})"


def repo_url(repo: full_assets.HubRepo) -> str:
    """The web address of a hub repository (what a learner would open to check it)."""
    kind = "datasets/" if repo.repo_type == "dataset" else ""
    return f"{HUB_URL}/{kind}{repo.repo_id}"


def asset_url(asset: Asset) -> str:
    """Where a file asset is downloaded from (the local mirror when ``$COURSE_MIRROR`` is set)."""
    mirror = os.environ.get(assets.MIRROR_ENV)
    return f"{mirror.rstrip('/')}/{asset.subdir}/{asset.filename}" if mirror else asset.url


def shared_copy(relpath: str) -> Path | None:
    """``relpath`` in the read-only asset layer, when the layer is set and has it."""
    layer = assets_dir()
    return layer / relpath if layer is not None and (layer / relpath).exists() else None


def asset_present(asset: Asset, *, verify: bool = True) -> Path | None:
    """The asset layer's or the cache's copy of ``asset`` (checksummed when ``verify``)."""
    for path in (shared_copy(f"{asset.subdir}/{asset.filename}"), asset.path):
        if path is not None and path.is_file() and (not verify or assets.is_valid(asset, path)):
            return path
    return None


def repo_present(repo: full_assets.HubRepo) -> Path | None:
    """The prefetched folder of a hub repository (asset layer first), if there is one."""
    rel = f"hub-repos/{repo.repo_id.replace('/', '__')}"
    shared = shared_copy(rel)
    if shared is not None and any(shared.iterdir()):
        return shared
    local = cache_dir(create=False) / rel
    return local if local.is_dir() and any(local.iterdir()) else None


def select(only: Iterable[str] = ()) -> tuple[list[Asset], list[full_assets.HubRepo]]:
    """The full profile's file assets and hub repositories, or only the ``only`` names.

    Raises ValueError naming the unknown names.
    """
    file_assets = assets.assets_for("full")
    repos = list(full_assets.HUB_REPOS)
    wanted = {n.strip() for n in only if n.strip()}
    if not wanted:
        return file_assets, repos
    unknown = wanted - {a.name for a in file_assets} - {r.repo_id for r in repos}
    if unknown:
        raise ValueError(f"Unknown asset(s): {', '.join(sorted(unknown))}. "
                         "Use --list to see them.")
    return [a for a in file_assets if a.name in wanted], [r for r in repos if r.repo_id in wanted]


def describe(file_assets: list[Asset], repos: list[full_assets.HubRepo]) -> list[str]:
    """One line per asset: name, licence, source."""
    lines = [f"{a.name:32s} {a.licence.split(';')[0]:40s} {a.url}" for a in file_assets]
    lines += [f"{r.repo_id:32s} {r.licence:40s} hub {r.repo_type}: {r.purpose}" for r in repos]
    return lines


def _hub_available() -> bool:
    """A local hub mirror is set, or the Hugging Face hub answers quickly."""
    if os.environ.get(full_assets.HF_MIRROR_ENV):
        return True
    from .network import hubs_reachable

    return hubs_reachable(timeout=3.0)


def prefetch_missing(
    file_assets: list[Asset], repos: list[full_assets.HubRepo], *, skip_repos: bool = False,
    say: Say = print, progress: bool = True,
) -> list[Missing]:
    """Fetch every file asset and hub repository not already present; return what failed.

    Valid copies (in the asset layer or the cache) are kept; damaged ones in the cache are
    fetched again. When the hub does not answer, its repositories are reported at once instead
    of waiting on the hub client's retries.
    """
    failures: list[Missing] = []
    for asset in file_assets:
        t0 = time.perf_counter()
        try:
            path = assets.fetch(asset, progress=progress)
        except AssetError as exc:
            reason = str(exc).split(". ", 1)[0]
            failures.append(Missing(asset.name, asset_url(asset), reason))
            say(f"  FAILED {asset.name}")
            continue
        size = path.stat().st_size / 1e6
        say(f"  ok     {asset.name:32s} {size:8.1f} MB  {time.perf_counter() - t0:5.1f} s")
    if skip_repos:
        return failures
    hub_ok: bool | None = None
    for repo in repos:
        shared = shared_copy(f"hub-repos/{repo.repo_id.replace('/', '__')}")
        if shared is not None:
            say(f"  ok     {repo.repo_id:32s} (asset layer {display_path(shared)})")
            continue
        if hub_ok is None:
            hub_ok = _hub_available()
        if not hub_ok:
            failures.append(Missing(repo.repo_id, repo_url(repo), "the hub did not answer"))
            say(f"  FAILED {repo.repo_id}")
            continue
        try:
            dest = full_assets.prefetch_repo(repo)
        except Exception as exc:  # noqa: BLE001 - report every failure, then exit non-zero
            failures.append(Missing(repo.repo_id, repo_url(repo), f"{type(exc).__name__}: "
                                    f"{str(exc).splitlines()[0] if str(exc) else ''}"))
            say(f"  FAILED {repo.repo_id}")
            continue
        say(f"  ok     {repo.repo_id:32s} -> {display_path(dest)}")
    return failures


def prefetch(
    file_assets: list[Asset], repos: list[full_assets.HubRepo], *, skip_repos: bool = False
) -> list[str]:
    """Fetch every file asset and hub repository; failures as sentences (empty = success)."""
    return [str(m) for m in prefetch_missing(file_assets, repos, skip_repos=skip_repos)]


def run(only: Iterable[str] = (), *, skip_repos: bool = False, list_only: bool = False,
        say: Say = print) -> int:
    """The whole prefetch as a command: 0 when everything is present, 1 if not, 2 on bad names."""
    try:
        file_assets, repos = select(only)
    except ValueError as exc:
        say(str(exc))
        return 2
    if list_only:
        for line in describe(file_assets, [] if skip_repos else repos):
            say(line)
        return 0
    say(f"Prefetching the full profile into {display_path(cache_dir())}")
    t0 = time.perf_counter()
    failures = prefetch_missing(file_assets, repos, skip_repos=skip_repos, say=say)
    say(f"done in {time.perf_counter() - t0:.0f} s")
    if failures:
        say(f"\n{len(failures)} asset(s) could not be fetched (nothing else was changed):")
        for m in failures:
            say(f"  - {m}")
        say("Run this again on a machine with internet (or with COURSE_MIRROR / COURSE_HF_MIRROR "
            "set to a local mirror), then copy the cache folder here; or use the offline "
            "profile (COURSE_PROFILE=offline).")
        return 1
    return 0
