"""The ``course`` command: one place for the chores around the notebooks.

    course doctor                      what is installed, which profile, which assets; how to fix
    course assets                      build, verify or repair the offline pack (idempotent)
    course assets --verify-only        only check it (exit 1 when something is wrong)
    course assets --profile full       the pack and every asset of the full profile
    course prefetch                    a workshop's prefetch of the full profile

Every failure ends in a sentence naming the fix, not a traceback. Importing this module is cheap
(no torch): ``course doctor`` loads torch only to report the device.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import importlib.util
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import (
    ASSETS_ENV,
    CACHE_ENV,
    PROFILE_ENV,
    CourseConfigError,
    assets_dir,
    cache_dir,
    normalise_profile,
    offline_pack_dir,
)
from .errors import CourseError
from .paths import display_path

DIST = "course-utils"
FIX_PACK = "course assets"
FIX_FULL = "course prefetch"
VERSIONS = ("torch", "torchvision", "transformers", "accelerate", "datasets", "huggingface_hub",
            "numpy", "scikit-learn", "matplotlib", "ipywidgets", "jupyterlab", "ipykernel")
Say = Callable[[str], None]


@dataclass
class Report:
    """What ``course doctor`` found: printed lines, and the problems that make it exit 1."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    hubs_online: bool | None = None  # None: not probed (offline profile)

    def say(self, line: str = "") -> None:
        self.lines.append(line)

    def ok(self, what: str) -> None:
        self.say(f"  [ok]      {what}")

    def note(self, what: str, fix: str | None = None) -> None:
        """Absent but not needed by the default profile (shown with its fix, exit status 0)."""
        self.say(f"  [absent]  {what}" + (f"\n            fix: {fix}" if fix else ""))

    def missing(self, what: str, fix: str) -> None:
        """Needed by the default profile and not usable: shown with the fix, exit status 1."""
        self.say(f"  [MISSING] {what}\n            fix: {fix}")
        self.problems.append(f"{what} -> {fix}")


# --------------------------------------------------------------------------- small helpers
def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _requirement_name(req: str) -> str:
    return re.split(r"[<>=!~ \[;(]", req.strip(), maxsplit=1)[0]


def core_requirements() -> list[str]:
    """The course's own run-time requirements (no extras), from its installed metadata."""
    try:
        reqs = md.requires(DIST) or []
    except md.PackageNotFoundError:
        return []
    return [r.split(";")[0].strip() for r in reqs if "extra ==" not in r]


def pip_fix(dist: str) -> str:
    """The pip command that installs ``dist`` at the version the course declares."""
    spec = next((r for r in core_requirements()
                 if _requirement_name(r).lower() == dist.lower()), dist)
    return f"pip install '{spec.replace(' ', '')}'"


def _in_layer(path: Path) -> bool:
    layer = assets_dir()
    return layer is not None and path.resolve().is_relative_to(layer.resolve())


def _pack_summary(pack: Path) -> str:
    from .data import pack as packlib

    try:
        info = packlib.read_pack_info(pack)
    except CourseError:
        return display_path(pack)
    counts = info.get("counts", {})
    images = counts.get("images", {}).get("by_label", {})
    return (f"{display_path(pack)}: {counts.get('review_sentences', 0)} review sentences, "
            f"{sum(counts.get('snippets', {}).values())} snippets, {images.get('cat', 0)} cat + "
            f"{images.get('dog', 0)} dog images")


def _device() -> tuple[str, str | None]:
    """(description, problem) of the device the notebooks will use; loads torch."""
    if importlib.util.find_spec("torch") is None:
        return "unknown (torch is not installed)", None
    from .device import choose_device, describe_device

    try:
        return describe_device(choose_device()), None
    except (RuntimeError, ValueError) as exc:
        return "unusable", str(exc)


# --------------------------------------------------------------------------- doctor
def _check_versions(rep: Report) -> None:
    rep.say("Versions")
    rep.say(f"  python          {platform.python_version()} ({sys.executable})")
    own = _version(DIST)
    rep.say(f"  {DIST:<15} {own or 'not installed (run from a checkout?)'}")
    for dist in VERSIONS:
        rep.say(f"  {dist:<15} {_version(dist) or 'not installed'}")
    absent = [r for r in core_requirements() if _version(_requirement_name(r)) is None]
    for req in absent:
        rep.missing(f"package {_requirement_name(req)} (a course dependency) is not installed",
                    f"pip install '{req.replace(' ', '')}'")


def _check_profile(rep: Report, timeout: float) -> str | None:
    """Report the requested and resolved profile; returns the requested one (None if invalid)."""
    rep.say("Profile")
    raw = os.environ.get(PROFILE_ENV)
    try:
        requested = normalise_profile()
    except CourseConfigError as exc:
        rep.missing(f"{PROFILE_ENV}={raw!r} is not a profile", str(exc).split(". ", 1)[-1])
        return None
    origin = f"{PROFILE_ENV}={raw}" if raw else f"{PROFILE_ENV} not set"
    rep.say(f"  requested       {requested} ({origin})")
    if requested == "offline":
        rep.say("  resolves to     offline (no hub probe)")
        return requested
    from .network import hubs_reachable

    t0 = time.perf_counter()
    online = hubs_reachable(timeout=timeout)
    took = time.perf_counter() - t0
    if online:
        rep.say(f"  resolves to     full (the hubs answered in {took:.1f} s)")
    elif os.environ.get("COURSE_FORCE_OFFLINE") == "1":
        rep.say("  resolves to     offline (COURSE_FORCE_OFFLINE=1: the hubs count as unreachable)")
    elif requested == "auto":
        rep.say(f"  resolves to     offline (the hubs did not answer within {timeout:.1f} s)")
    else:
        rep.say("  resolves to     full, but the hubs do not answer: only prefetched assets work")
    rep.hubs_online = online
    return requested


def _check_folders(rep: Report) -> bool:
    """Report the writable cache and the read-only asset layer; False when one is unusable."""
    rep.say("Folders")
    usable = True
    try:
        cache = cache_dir()
        where = f"${CACHE_ENV}" if os.environ.get(CACHE_ENV) else "default"
        rep.say(f"  cache           {display_path(cache)} (writable, {where})")
    except CourseConfigError as exc:
        rep.missing("the course cache is not writable", str(exc).split(". ", 1)[-1])
        usable = False
    try:
        layer = assets_dir()
        rep.say(f"  asset layer     {display_path(layer)} (read-only, ${ASSETS_ENV})" if layer
                else f"  asset layer     none (${ASSETS_ENV} not set)")
    except CourseConfigError as exc:
        rep.missing(f"${ASSETS_ENV} is not usable", str(exc).split(". ", 1)[-1])
        usable = False
    return usable


def _check_pack(rep: Report) -> None:
    from .data import pack as packlib

    pack = offline_pack_dir()
    problems = packlib.verify_pack(pack)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        fix = FIX_PACK
        if _in_layer(pack):
            fix = (f"the shared pack in ${ASSETS_ENV} is damaged; ask whoever provides it to run "
                   f"`{CACHE_ENV}={display_path(assets_dir())} {ASSETS_ENV}= course assets`, "
                   f"or unset {ASSETS_ENV} and run `{FIX_PACK}`")
        rep.missing(f"offline pack: {problems[0]}{more}", fix)
        return
    where = " (asset layer)" if _in_layer(pack) else ""
    rep.ok(f"offline pack{where} {_pack_summary(pack)}")
    info = packlib.read_pack_info(pack)
    for piece in info.get("missing", []):
        if "pip package" not in piece:  # the model packages are checked just below
            rep.note(f"offline pack piece: {piece.split('. Fix:')[0]}",
                     f"{FIX_PACK} (where npm/apt-get are available)")


def _check_models(rep: Report) -> None:
    from .offline_assets import MODEL_PACKAGES

    for spec in MODEL_PACKAGES.values():
        dist = spec["distribution"]
        version = _version(dist)
        found = version is not None and importlib.util.find_spec(spec["module"]) is not None
        if found:
            rep.ok(f"{dist} {version} ({spec['what']})")
        else:
            rep.missing(f"{dist} ({spec['what']}) is not installed", pip_fix(dist))


def _check_full(rep: Report, needed: bool) -> None:
    from . import prefetch

    file_assets, repos = prefetch.select()
    absent = [a.name for a in file_assets if prefetch.asset_present(a, verify=False) is None]
    absent += [r.repo_id for r in repos if prefetch.repo_present(r) is None]
    total = len(file_assets) + len(repos)
    if not absent:
        rep.ok(f"full profile: all {total} assets prefetched (checksums: "
               "`course assets --profile full --verify-only`)")
        return
    what = f"full profile: {len(absent)} of {total} assets not prefetched ({', '.join(absent)})"
    if needed:
        rep.missing(what + "; the hubs do not answer, so the full profile cannot download them",
                    f"`{FIX_FULL}` on a machine with internet, then copy its cache folder here; "
                    "or use COURSE_PROFILE=offline")
    else:
        rep.note(what + " (downloaded on first use when online)",
                 f"{FIX_FULL} (for a workshop without Wi-Fi)")


def doctor(timeout: float = 1.5, say: Say = print) -> int:
    """Print the course environment and what is missing; 1 if the default profile lacks something.

    The offline pack and the offline models always count (``auto`` falls back to them); the full
    profile's assets count only when ``full`` is asked for and the hubs do not answer.
    """
    rep = Report()
    rep.say("Course environment")
    _check_versions(rep)
    device, problem = _device()
    rep.say(f"  device          {device}")
    if problem:
        rep.missing(f"device: {problem}", "unset COURSE_DEVICE or set it to cpu")
    requested = _check_profile(rep, timeout)
    if _check_folders(rep):
        rep.say("Assets")
        _check_pack(rep)
        _check_models(rep)
        _check_full(rep, needed=requested == "full" and rep.hubs_online is False)
    rep.say("")
    if rep.problems:
        rep.say(f"{len(rep.problems)} problem(s) for the default profile; run the fix lines above.")
    else:
        rep.say("Everything the default profile needs is present.")
    for line in rep.lines:
        say(line)
    return 1 if rep.problems else 0


# --------------------------------------------------------------------------- assets
def missing_inputs() -> list[str]:
    """The offline pack's input archives found in neither download cache, with their URLs."""
    from .offline_assets import ALL_INPUTS
    from .prefetch import asset_present

    return [f"{a.source}: from {a.url}" for a in ALL_INPUTS if asset_present(a) is None]


def _verify_pack() -> tuple[Path, list[str]]:
    from .data import pack as packlib

    pack = offline_pack_dir()
    return pack, packlib.verify_pack(pack)


def _models_missing(say: Say) -> int:
    from .offline_assets import MODEL_PACKAGES

    n = 0
    for spec in MODEL_PACKAGES.values():
        if _version(spec["distribution"]) is None:
            say(f"missing: {spec['what']} (pip package {spec['distribution']}); "
                f"fix: {pip_fix(spec['distribution'])}")
            n += 1
    return n


def assets_offline(*, verify_only: bool = False, force: bool = False, say: Say = print) -> int:
    """Verify the offline pack and build or repair it when needed; 0 when it is usable."""
    t0 = time.perf_counter()
    pack, problems = _verify_pack()
    bad_models = _models_missing(say)
    if not problems and not force:
        say(f"offline pack OK ({_pack_summary(pack)}; checked in "
            f"{time.perf_counter() - t0:.1f} s)")
        return 1 if bad_models else 0
    if problems:
        say(f"offline pack at {display_path(pack)} needs work:")
        for p in problems[:10]:
            say(f"  - {p}")
        if len(problems) > 10:
            say(f"  ... and {len(problems) - 10} more")
    if verify_only:
        say(f"fix: {FIX_PACK}")
        return 1
    if _in_layer(pack):
        say(f"That pack is in the read-only asset layer (${ASSETS_ENV}); it is never written from "
            f"here. Rebuild it where it is writable: `{CACHE_ENV}={display_path(assets_dir())} "
            f"{ASSETS_ENV}= course assets`, or unset {ASSETS_ENV} to build your own.")
        return 1
    from .packbuild import build_pack

    try:
        build_pack(force=force, progress=True)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - one sentence, then what is missing and from where
        say(f"\nThe pack build stopped: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    pack, problems = _verify_pack()
    if not problems:
        say(f"offline pack OK ({_pack_summary(pack)}; {time.perf_counter() - t0:.0f} s)")
        return 1 if bad_models else 0
    say(f"\nThe offline pack is still not usable ({problems[0].split(' (')[0]}).")
    inputs = missing_inputs()
    if inputs:
        say("These registry downloads are missing (no network?); run `course assets` again "
            "once online, or download them elsewhere and copy them into "
            f"{display_path(cache_dir() / 'downloads')}:")
        for line in inputs:
            say(f"  - {line}")
    return 1


def assets_full(*, verify_only: bool = False, say: Say = print) -> int:
    """Verify (checksums) or prefetch every full-profile asset; 0 when all are present."""
    from . import prefetch

    if not verify_only:
        return prefetch.run(say=say)
    file_assets, repos = prefetch.select()
    bad = [f"{a.name}: from {a.url}" for a in file_assets if prefetch.asset_present(a) is None]
    bad += [f"{r.repo_id}: from {prefetch.repo_url(r)}" for r in repos
            if prefetch.repo_present(r) is None]
    if not bad:
        say(f"full profile: all {len(file_assets) + len(repos)} assets present and verified")
        return 0
    say(f"full profile: {len(bad)} asset(s) missing or damaged:")
    for line in bad:
        say(f"  - {line}")
    say(f"fix: {FIX_FULL}")
    return 1


# --------------------------------------------------------------------------- entry point
def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="course", description="The course's chores: check the setup, build or verify the "
        "offline pack, prefetch the full profile's assets.")
    sub = ap.add_subparsers(dest="command", metavar="{doctor,assets,prefetch}")
    doc = sub.add_parser("doctor", help="check versions, device, profile, cache and assets")
    doc.add_argument("--timeout", type=float, default=1.5,
                     help="seconds to wait for the hubs when the profile is auto or full")
    ass = sub.add_parser("assets", help="build, verify or repair the offline pack")
    ass.add_argument("--profile", choices=("offline", "full"), default="offline",
                     help="full: also prefetch (or verify) every asset of the full profile")
    ass.add_argument("--verify-only", action="store_true", help="check only; change nothing")
    ass.add_argument("--force", action="store_true", help="rebuild the pack even if it verifies")
    pre = sub.add_parser("prefetch", help="fetch the full profile's assets (workshop prep)")
    pre.add_argument("--list", action="store_true", help="list the assets and exit")
    pre.add_argument("--only", default="", help="comma-separated asset names to fetch")
    pre.add_argument("--skip-hub-repos", action="store_true",
                     help="only the file assets (weights, datasets), not Hugging Face repos")
    return ap


def main(argv: list[str] | None = None) -> int:
    """Run one ``course`` subcommand; returns its exit status (0 = fine)."""
    ap = _parser()
    args = ap.parse_args(argv)
    try:
        if args.command == "doctor":
            return doctor(timeout=args.timeout)
        if args.command == "assets":
            status = assets_offline(verify_only=args.verify_only, force=args.force)
            if args.profile == "full":
                status = max(status, assets_full(verify_only=args.verify_only))
            return status
        if args.command == "prefetch":
            from . import prefetch

            return prefetch.run(args.only.split(","), skip_repos=args.skip_hub_repos,
                                list_only=args.list)
    except CourseError as exc:
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"course {args.command}: interrupted", file=sys.stderr)
        return 130
    ap.print_help()
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
