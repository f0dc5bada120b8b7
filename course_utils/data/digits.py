"""Small image-classification data for notebook 01 (degradation experiment).

``offline``: scikit-learn's handwritten digits (1,797 real 8x8 scans that ship inside the
library), resized with bilinear interpolation and standardised with training-set statistics.
``full``: CIFAR-10 through torchvision, downloaded into the course cache only for that profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config import find_asset
from ..errors import DatasetUnavailable
from ..paths import display_path


class CifarUnavailable(DatasetUnavailable):
    """CIFAR-10 is neither cached nor downloadable right now; the message says what to do."""


DIGITS_CLASSES = tuple(str(i) for i in range(10))
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")


@dataclass
class ImageSplits:
    """Standardised tensors (N, C, H, W) for training and validation, plus a description."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    classes: tuple[str, ...]

    @property
    def in_channels(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def image_size(self) -> int:
        return int(self.x_train.shape[-1])

    def describe(self) -> str:
        """One line: dataset, sizes and image shape."""
        c, h, w = self.x_train.shape[1:]
        return (f"{self.name}: {len(self.y_train)} training / {len(self.y_val)} validation "
                f"images, {c}x{h}x{w}, {len(self.classes)} classes")


def _standardise(x_train: torch.Tensor, x_val: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean 0 / std 1 using training statistics only (no validation leakage)."""
    dims = (0, 2, 3)
    mean = x_train.mean(dim=dims, keepdim=True)
    std = x_train.std(dim=dims, keepdim=True).clamp_min(1e-6)
    return (x_train - mean) / std, (x_val - mean) / std


def load_digits_splits(image_size: int = 16, val_size: int = 360, seed: int = 0) -> ImageSplits:
    """scikit-learn digits, bilinearly resized to ``image_size`` px, stratified train/val split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if image_size < 8:
        raise ValueError(f"image_size must be at least 8 (the scans are 8x8), got {image_size}.")
    bunch = load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0
    if image_size != 8:
        images = F.interpolate(images, size=(image_size, image_size), mode="bilinear",
                               align_corners=False)
    labels = torch.tensor(bunch.target, dtype=torch.long)
    idx_train, idx_val = train_test_split(np.arange(len(labels)), test_size=val_size,
                                          stratify=bunch.target, random_state=seed)
    x_train, x_val = _standardise(images[idx_train], images[idx_val])
    return ImageSplits(f"scikit-learn digits ({image_size}x{image_size}, bilinear)",
                       x_train, labels[idx_train], x_val, labels[idx_val], DIGITS_CLASSES)


def _subset(n_total: int, n_keep: int | None, seed: int) -> np.ndarray:
    """Seeded random subset of indices (all of them when ``n_keep`` is None or too large)."""
    if n_keep is None or n_keep >= n_total:
        return np.arange(n_total)
    return np.sort(np.random.default_rng(seed).permutation(n_total)[:n_keep])


def ensure_cifar10(download: bool = True) -> Path:
    """The ``root`` holding ``cifar-10-batches-py`` (torchvision's layout), extracted if needed.

    The asset layer's copy is used when it has one. Otherwise the official archive is fetched
    through the course's asset registry (checksummed, cached, ``$COURSE_MIRROR`` and prefetch
    aware: the same file ``course prefetch`` stores) and extracted into ``<cache>/torchvision``
    through a temporary folder, so an interrupted extraction never looks complete.
    """
    import shutil
    import tempfile

    from torchvision.datasets.utils import extract_archive

    from .. import assets, full_assets
    from ..config import cache_dir

    root = find_asset("torchvision/cifar-10-batches-py").parent  # shared layer first
    if (root / "cifar-10-batches-py").is_dir() or not download:
        return root
    root = cache_dir() / "torchvision"
    try:
        archive = assets.fetch(full_assets.CIFAR10)
    except assets.AssetError as exc:
        raise CifarUnavailable(
            f"CIFAR-10 is not in the course cache and could not be fetched "
            f"({str(exc).split('. ', 1)[0]}). Run `course prefetch` while online, or use "
            "PROFILE='offline' (scikit-learn digits)."
        ) from None
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".cifar-") as tmp:
        extract_archive(str(archive), tmp)
        extracted = Path(tmp) / "cifar-10-batches-py"
        if not extracted.is_dir():
            raise CifarUnavailable(f"{archive.name} has no cifar-10-batches-py/ folder; delete "
                                   "it from the cache and run again.")
        target = root / "cifar-10-batches-py"
        if target.exists():
            shutil.rmtree(target)
        extracted.rename(target)
    return root


def load_cifar10_splits(
    max_train: int | None = None,
    max_val: int | None = None,
    seed: int = 0,
    download: bool = True,
) -> ImageSplits:
    """CIFAR-10 (torchvision) from the course cache: training subset and a test-set subset."""
    from torchvision.datasets import CIFAR10

    root = ensure_cifar10(download)
    try:  # torchvision checks every batch file's md5 itself
        train = CIFAR10(root=str(root), train=True, download=False)
        test = CIFAR10(root=str(root), train=False, download=False)
    except (RuntimeError, OSError) as exc:
        raise CifarUnavailable(
            f"CIFAR-10 is not available in {display_path(root)} ({type(exc).__name__}: "
            f"{exc}). Run once with internet (PROFILE='full') or `course prefetch`, or use "
            "PROFILE='offline' (scikit-learn digits)."
        ) from None

    def to_tensor(ds, keep: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.from_numpy(ds.data[keep]).permute(0, 3, 1, 2).float() / 255.0
        return x, torch.tensor(np.asarray(ds.targets)[keep], dtype=torch.long)

    x_train, y_train = to_tensor(train, _subset(len(train), max_train, seed))
    x_val, y_val = to_tensor(test, _subset(len(test), max_val, seed + 1))
    x_train, x_val = _standardise(x_train, x_val)
    return ImageSplits("CIFAR-10 (32x32)", x_train, y_train, x_val, y_val, CIFAR10_CLASSES)


def load_profile_images(
    profile: str,
    *,
    seed: int = 0,
    image_size: int = 16,
    max_train: int | None = None,
    max_val: int | None = None,
) -> ImageSplits:
    """The degradation experiment's data: CIFAR-10 for ``full``, digits for ``offline``.

    Only the ``full`` profile touches the network (torchvision's CIFAR-10 download).
    """
    if profile == "full":
        return load_cifar10_splits(max_train=max_train, max_val=max_val, seed=seed)
    if profile == "offline":
        splits = load_digits_splits(image_size=image_size, seed=seed)
        keep = _subset(len(splits.y_train), max_train, seed)
        splits.x_train, splits.y_train = splits.x_train[keep], splits.y_train[keep]
        return splits
    raise ValueError(f"profile must be 'full' or 'offline' (resolved by setup()), got {profile!r}.")
