"""Disk cache for tensors that are expensive to compute, such as a frozen backbone's features.

Computing a frozen CNN's features once and training the head on them is exact (the backbone's
output never changes) and many times faster; this module only stores and reloads the tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from .cache_keys import require_key
from .config import cache_dir
from .files import atomic_write


def feature_cache_path(key: str) -> Path:
    """The cache file for ``key`` (made by :func:`course_utils.cache_keys.cache_key`)."""
    return cache_dir() / "features" / f"{require_key(key, 'cached_tensors')}.pt"


def cached_tensors(
    key: str, compute: Callable[[], dict[str, torch.Tensor]], *, refresh: bool = False
) -> tuple[dict[str, torch.Tensor], bool]:
    """Return ``(tensors, from_cache)``: load them if cached, else ``compute()`` and save.

    ``key`` comes from ``cache_key(...)`` over the functions, transforms, data files and
    parameters that produce the tensors, so a changed transform never reuses stale features.
    Saving is atomic, loading uses ``weights_only=True``; an unreadable cache file is recomputed.
    """
    path = feature_cache_path(key)
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
