"""Uncertainty helpers for lesson results: Wilson intervals and paired cluster bootstraps."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % (by default) Wilson score interval for ``k`` successes out of ``n``."""
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def paired_bootstrap_diff(a: Sequence[float], b: Sequence[float],
                          clusters: Sequence[int] | None = None, *, n_boot: int = 2000,
                          seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``a - b`` and its 95 % percentile bootstrap interval.

    ``a`` and ``b`` are paired per item (the same hidden token, the same re-split). With
    ``clusters`` (e.g. the snippet a token comes from), whole clusters are resampled, because
    items of one cluster are not independent.
    """
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if clusters is None:
        clusters = np.arange(len(d))
    ids, inverse = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.bincount(inverse, weights=d, minlength=len(ids))
    sizes = np.bincount(inverse, minlength=len(ids)).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(ids), size=(n_boot, len(ids)))
    means = sums[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(d.mean()), float(low), float(high)
