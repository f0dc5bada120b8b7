"""Fill the course cache with every asset of the ``full`` profile (for a workshop room).

Run it on a machine with internet, then copy the cache folder (``$COURSE_CACHE``, default
``~/.cache/transfer-learning-course``) to the learners' laptops. Files are checksummed and
downloaded atomically; re-running skips what is already there and repairs damaged files.
``$COURSE_MIRROR`` / ``$COURSE_HF_MIRROR`` point it at a local mirror instead of the hubs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils import assets, full_assets  # noqa: E402
from course_utils.assets import Asset, AssetError  # noqa: E402
from course_utils.config import cache_dir  # noqa: E402
from course_utils.paths import display_path  # noqa: E402


def prefetch(
    file_assets: list[Asset], repos: list[full_assets.HubRepo], *, skip_repos: bool = False
) -> list[str]:
    """Fetch every file asset and hub repository; return a list of failures (empty = success)."""
    failures: list[str] = []
    for asset in file_assets:
        t0 = time.perf_counter()
        try:
            path = assets.fetch(asset)
        except AssetError as exc:
            failures.append(f"{asset.name}: {exc}")
            print(f"  FAILED {asset.name}")
            continue
        size = path.stat().st_size / 1e6
        print(f"  ok     {asset.name:32s} {size:8.1f} MB  {time.perf_counter() - t0:5.1f} s")
    if not skip_repos:
        for repo in repos:
            try:
                dest = full_assets.prefetch_repo(repo)
            except Exception as exc:  # noqa: BLE001 - report every failure, then exit non-zero
                failures.append(f"{repo.repo_id}: {exc}")
                print(f"  FAILED {repo.repo_id}")
                continue
            print(f"  ok     {repo.repo_id:32s} -> {display_path(dest)}")
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the assets and exit")
    ap.add_argument("--only", default="", help="comma-separated asset names to fetch")
    ap.add_argument("--skip-hub-repos", action="store_true",
                    help="only the file assets (weights, datasets), not Hugging Face repos")
    args = ap.parse_args(argv)

    file_assets = assets.assets_for("full")
    repos = list(full_assets.HUB_REPOS)
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = wanted - {a.name for a in file_assets} - {r.repo_id for r in repos}
        if unknown:
            print(f"Unknown asset(s): {', '.join(sorted(unknown))}. Use --list to see them.")
            return 2
        file_assets = [a for a in file_assets if a.name in wanted]
        repos = [r for r in repos if r.repo_id in wanted]
    if args.list:
        for a in file_assets:
            print(f"{a.name:32s} {a.licence.split(';')[0]:40s} {a.url}")
        for r in repos:
            print(f"{r.repo_id:32s} {r.licence:40s} hub {r.repo_type}: {r.purpose}")
        return 0

    print(f"Prefetching the full profile into {display_path(cache_dir())}")
    t0 = time.perf_counter()
    failures = prefetch(file_assets, repos, skip_repos=args.skip_hub_repos)
    print(f"done in {time.perf_counter() - t0:.0f} s")
    if failures:
        print("\nSome assets could not be fetched:")
        for f in failures:
            print("  -", f)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
