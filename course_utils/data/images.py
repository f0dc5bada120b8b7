"""Cat and dog pictures from the offline pack (emoji artwork and clip art, several styles).

``images/metadata.csv`` has one row per picture: ``path`` (relative to ``images/``), ``label``
(cat|dog), ``style`` (twemoji, noto, ..., openclipart, scratch, art4apps), ``domain``
(emoji|clipart), the source package and file, its licence and attribution. The notebooks
choose which rows train and which test (e.g. one domain against the other).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from PIL import Image
from torch.utils.data import Dataset

from .pack import METADATA_COLUMNS, PART_FILES, require_pack

CLASSES = ("cat", "dog")


def load_image_metadata() -> pd.DataFrame:
    """metadata.csv as a DataFrame, plus ``file``: the absolute path of each PNG."""
    pack = require_pack(parts=("images",))
    df = pd.read_csv(pack / PART_FILES["images"], dtype=str, keep_default_na=False)
    if tuple(df.columns) != METADATA_COLUMNS:
        raise ValueError(f"{PART_FILES['images']} has columns {list(df.columns)}, expected "
                         f"{list(METADATA_COLUMNS)}; rebuild the pack with "
                         "`python data_scripts/build_offline_pack.py --force --only images`.")
    df["file"] = [str(pack / "images" / p) for p in df["path"]]
    return df


def load_image(path: str | Path) -> Image.Image:
    """Open an image as PIL RGB (transparency composited on white)."""
    with Image.open(path) as im:
        if im.mode in ("RGBA", "LA", "P"):
            rgba = im.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return Image.alpha_composite(white, rgba).convert("RGB")
        return im.convert("RGB")


class CatDogImages(Dataset):
    """A torch ``Dataset`` over metadata rows: item ``i`` is ``(transform(image), label)``
    with label 0 = cat, 1 = dog (``classes``)."""

    classes = CLASSES

    def __init__(self, metadata: pd.DataFrame, transform: Callable | None = None) -> None:
        unknown = set(metadata["label"]) - set(CLASSES)
        if unknown:
            raise ValueError(f"labels must be {CLASSES}, found {sorted(unknown)}")
        if "file" not in metadata.columns:
            raise ValueError("metadata has no 'file' column: use load_image_metadata()")
        self.metadata = metadata.reset_index(drop=True)
        self.transform = transform
        self.targets = [CLASSES.index(lab) for lab in self.metadata["label"]]

    def __len__(self) -> int:
        return len(self.metadata)

    def __getitem__(self, index: int):
        image = load_image(self.metadata.at[index, "file"])
        if self.transform is not None:
            image = self.transform(image)
        return image, self.targets[index]

    def __repr__(self) -> str:
        counts = self.metadata["label"].value_counts().to_dict()
        return (f"CatDogImages({len(self)} images: {counts.get('cat', 0)} cat, "
                f"{counts.get('dog', 0)} dog)")
