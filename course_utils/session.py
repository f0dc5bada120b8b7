"""``setup()``: the one call at the top of every notebook (profile, cache, device, seeds)."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

import torch

from .config import cache_dir, normalise_profile, offline_pack_dir
from .device import MixedPrecision, choose_device, describe_device, set_threads
from .memory import release_memory_after_each_cell
from .network import hubs_reachable, set_hub_offline
from .paths import display_path
from .seeding import seed_everything


@dataclass
class Course:
    """What a notebook needs to know about where and how it runs."""

    profile: str  # resolved: "full" or "offline"
    requested_profile: str  # what was asked for: "auto", "full" or "offline"
    quick: bool
    seed: int
    device: torch.device
    threads: int
    cache: Path
    generator: torch.Generator
    hubs_online: bool | None

    @property
    def pack(self) -> Path:
        """Folder of the offline pack (built by data_scripts/build_offline_pack.py)."""
        return offline_pack_dir()

    @property
    def is_offline(self) -> bool:
        return self.profile == "offline"

    def mixed_precision(self, enabled: bool = True) -> MixedPrecision:
        """A fresh mixed-precision helper for one training run on this device (GPU only)."""
        return MixedPrecision(self.device, enabled=enabled)

    def summary(self) -> str:
        """A short, human description of this session."""
        quick = " QUICK (small test budget)" if self.quick else ""
        return (
            f"profile={self.profile} (asked: {self.requested_profile}){quick} | "
            f"device={describe_device(self.device)} | seed={self.seed} | "
            f"cache={display_path(self.cache)}"
        )


def _point_caches_at(cache: Path) -> None:
    """Keep torchvision and Hugging Face downloads inside the course cache (prefetchable)."""
    os.environ.setdefault("TORCH_HOME", str(cache / "torch"))
    os.environ.setdefault("HF_HOME", str(cache / "huggingface"))


def setup(
    profile: str | None = None,
    *,
    seed: int = 0,
    quick: bool = False,
    threads: int | None = None,
    probe_timeout: float = 1.5,
    verbose: bool = True,
) -> Course:
    """Resolve the profile (probing the hubs for ``auto``), seed everything, choose the device."""
    requested = normalise_profile(profile)
    cache = cache_dir()
    _point_caches_at(cache)
    online: bool | None = None
    message = ""
    if requested == "offline":
        resolved = "offline"
        set_hub_offline(True)
    else:
        online = hubs_reachable(timeout=probe_timeout)
        if online:
            resolved = "full"
            set_hub_offline(False)
        elif requested == "auto":
            resolved = "offline"
            set_hub_offline(True)
            message = (
                "[course] The model/dataset hubs did not answer within "
                f"{probe_timeout:.1f} s: using the OFFLINE profile (assets from the offline pack; "
                "HF_HUB_OFFLINE=1 so nothing waits on retries). Set PROFILE='full' once online."
            )
        else:
            resolved = "full"
            set_hub_offline(True)
            message = (
                "[course] PROFILE='full' but the hubs are not reachable: only assets already in "
                f"the cache ({display_path(cache)}) can be used. Run data_scripts/prefetch_full.py "
                "while online, "
                "or use PROFILE='offline'."
            )
    n_threads = set_threads(threads)
    release_memory_after_each_cell()  # keeps the kernel's size from creeping up (see memory.py)
    device = choose_device()
    gen = seed_everything(seed)
    course = Course(
        profile=resolved,
        requested_profile=requested,
        quick=bool(quick),
        seed=seed,
        device=device,
        threads=n_threads,
        cache=cache,
        generator=gen,
        hubs_online=online,
    )
    if verbose:
        if message:
            print(message)
        print("[course] " + course.summary())
    return course


def versions() -> dict[str, str]:
    """Versions of the main libraries (for the setup notebook and bug reports)."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("torch", "torchvision", "transformers", "scikit-learn", "matplotlib",
                "ipywidgets", "jupyterlab", "papermill", "nbval"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out
