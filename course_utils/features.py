"""Disk cache for tensors that are expensive to compute, such as a frozen backbone's features.

Computing a frozen CNN's features once and training the head on them is exact (the backbone's
output never changes) and many times faster; this module only stores and reloads the tensors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import torch

from .config import cache_dir
from .files import atomic_write


def feature_cache_path(*key_parts: object) -> Path:
    """A cache file named by a hash of ``key_parts`` (model name, image size, file list...)."""
    blob = json.dumps([str(p) for p in key_parts], sort_keys=True).encode()
    digest = hashlib.sha256(blob).hexdigest()[:16]
    return cache_dir() / "features" / f"{digest}.pt"


def cached_tensors(
    key_parts: tuple, compute: Callable[[], dict[str, torch.Tensor]], *, refresh: bool = False
) -> tuple[dict[str, torch.Tensor], bool]:
    """Return ``(tensors, from_cache)``: load them if cached, else ``compute()`` and save.

    Saving is atomic, loading uses ``weights_only=True``; an unreadable cache file is recomputed.
    """
    path = feature_cache_path(*key_parts)
    if path.exists() and not refresh:
        try:
            return torch.load(path, map_location="cpu", weights_only=True), True
        except Exception:  # noqa: BLE001 - a damaged cache file is simply recomputed
            path.unlink(missing_ok=True)
    tensors = compute()
    if not isinstance(tensors, dict) or not all(
        isinstance(v, torch.Tensor) for v in tensors.values()
    ):
        raise TypeError("compute() must return a dict of tensors, e.g. {'x': feats, 'y': labels}")
    with atomic_write(path) as tmp:
        torch.save({k: v.detach().cpu() for k, v in tensors.items()}, tmp)
    return tensors, False
