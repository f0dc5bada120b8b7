"""Oxford-IIIT Pet with the binary cat/dog target (full profile), read by torchvision.

The two archives are fetched through the course's asset registry (checksummed, cached,
``$COURSE_MIRROR`` aware), extracted by torchvision, and parsed by
``torchvision.datasets.OxfordIIITPet(target_types="binary-category")``. The official
``trainval`` split is divided into train and validation (stratified, seeded); the official
``test`` split is kept for the single final evaluation.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from torch.utils.data import Dataset, Subset

from .. import assets, full_assets
from ..config import find_asset
from ..errors import DatasetUnavailable

CLASSES = ("cat", "dog")  # torchvision's binary-category: 0 = Cat, 1 = Dog
SPLITS = ("train", "val", "test")


class PetsUnavailable(DatasetUnavailable):
    """Oxford-IIIT Pet is not in the cache and could not be fetched; the message says what to do."""


def pets_root() -> Path:
    """The ``root`` handed to torchvision: the asset layer's when it holds the dataset, else
    ``<course cache>/torchvision``."""
    return find_asset("torchvision/oxford-iiit-pet").parent


def _base_folder() -> Path:
    return pets_root() / "oxford-iiit-pet"  # torchvision's own layout under root


def pets_ready() -> bool:
    """True when the images folder and both split lists are in place (extracted)."""
    base = _base_folder()
    return (base / "images").is_dir() and all(
        (base / "annotations" / f"{s}.txt").is_file() for s in ("trainval", "test")
    )


def ensure_pets(download: bool = True) -> Path:
    """Make the extracted dataset available under :func:`pets_root`; return that root.

    The archives are fetched and verified by :func:`course_utils.assets.fetch` (a workshop room
    prefetches them with ``data_scripts/prefetch_full.py``), then extracted by torchvision into a
    temporary folder and moved into place, so an interrupted extraction never looks complete.
    """
    if pets_ready():
        return pets_root()
    if not download:
        raise PetsUnavailable(
            "Oxford-IIIT Pet is not in the course cache. Run with download=True while online, "
            "or prefetch it (`python data_scripts/prefetch_full.py`), or use PROFILE='offline'."
        )
    from torchvision.datasets.utils import extract_archive

    base = _base_folder()
    base.mkdir(parents=True, exist_ok=True)
    for asset, folder in ((full_assets.PETS_IMAGES, "images"),
                          (full_assets.PETS_ANNOTATIONS, "annotations")):
        if folder == "annotations" and pets_ready():
            continue
        archive = assets.fetch(asset)  # raises AssetError with advice when offline
        with tempfile.TemporaryDirectory(dir=base, prefix=f".{folder}-") as tmp:
            extract_archive(str(archive), tmp)
            extracted = Path(tmp) / folder
            if not extracted.is_dir():
                raise PetsUnavailable(
                    f"{archive.name} does not contain a '{folder}/' folder; the cached archive "
                    "may be from another dataset. Delete it and fetch it again."
                )
            if (base / folder).exists():
                shutil.rmtree(base / folder)
            os.replace(extracted, base / folder)
    if not pets_ready():
        raise PetsUnavailable("Oxford-IIIT Pet was extracted but annotations/trainval.txt or "
                              "annotations/test.txt is missing: delete the cache folder "
                              "torchvision/oxford-iiit-pet and try again.")
    return pets_root()


def load_pets(split: str = "trainval", transform: Callable | None = None,
              download: bool = True):
    """torchvision's ``OxfordIIITPet`` with the binary target (0 = cat, 1 = dog)."""
    from torchvision.datasets import OxfordIIITPet

    if split not in ("trainval", "test"):
        raise ValueError(f"Oxford-IIIT Pet has the official splits 'trainval' and 'test', "
                         f"not {split!r}.")
    root = ensure_pets(download)
    return OxfordIIITPet(root=root, split=split, target_types="binary-category",
                         transform=transform, download=False)


def binary_labels(split: str) -> np.ndarray:
    """Cat/dog labels of an official split, read from its list file (species: 1 cat, 2 dog)."""
    path = _base_folder() / "annotations" / f"{split}.txt"
    species = [int(line.split()[2]) for line in path.read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    return np.asarray(species, dtype=np.int64) - 1


def stratified_split(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """Indices ``(keep, held_out)``: ``fraction`` of each class held out, chosen with ``seed``."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}.")
    rng = np.random.default_rng(seed)
    keep, held = [], []
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        n_held = max(1, round(fraction * len(idx))) if len(idx) > 1 else 0
        held.append(idx[:n_held])
        keep.append(idx[n_held:])
    return np.sort(np.concatenate(keep)), np.sort(np.concatenate(held))


class PetSplits:
    """Train / validation (carved from ``trainval``) / official test, as torch Datasets.

    ``dataset(split, transform)`` returns a fresh ``Subset`` of ``OxfordIIITPet`` using
    ``transform`` (so the same images can be read with or without augmentation);
    ``max_train`` caps the training images (seeded, stratified) for a CPU budget.
    """

    classes = CLASSES

    def __init__(self, *, val_fraction: float = 0.2, seed: int = 0,
                 max_train: int | None = None, download: bool = True) -> None:
        ensure_pets(download)
        trainval = binary_labels("trainval")
        train_idx, val_idx = stratified_split(trainval, val_fraction, seed)
        if max_train is not None and max_train < len(train_idx):
            drop = 1 - max_train / len(train_idx)
            keep, _ = stratified_split(trainval[train_idx], drop, seed + 1)
            train_idx = train_idx[keep]
        test_idx = np.arange(len(binary_labels("test")))
        self.indices = {"train": train_idx, "val": val_idx, "test": test_idx}
        self._labels = {"train": trainval[train_idx], "val": trainval[val_idx],
                        "test": binary_labels("test")}

    def labels(self, split: str) -> np.ndarray:
        """The 0/1 labels of one split, in dataset order."""
        return self._labels[self._check(split)]

    def dataset(self, split: str, transform: Callable | None = None) -> Dataset:
        """Images of ``split`` ('train', 'val' or 'test'): items are ``(image, label)``."""
        official = "test" if self._check(split) == "test" else "trainval"
        return Subset(load_pets(official, transform, download=False),
                      self.indices[split].tolist())

    def file_ids(self, split: str) -> list[str]:
        """Image names of a split (for cache keys and reports)."""
        official = "test" if split == "test" else "trainval"
        path = _base_folder() / "annotations" / f"{official}.txt"
        names = [ln.split()[0] for ln in path.read_text().splitlines()
                 if ln.strip() and not ln.startswith("#")]
        return [names[i] for i in self.indices[self._check(split)]]

    def files(self, split: str) -> list[Path]:
        """Image files of a split (their content goes into cache keys)."""
        return [_base_folder() / "images" / f"{name}.jpg" for name in self.file_ids(split)]

    @staticmethod
    def _check(split: str) -> str:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}.")
        return split
