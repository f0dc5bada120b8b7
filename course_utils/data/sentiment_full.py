"""Full-profile sentiment data: a public product-review set from the hub, mapped to 3 classes.

The source is configurable because public datasets vanish: the once-popular
``amazon_reviews_multi`` was withdrawn by its publisher in 2023 and every tutorial built on it
broke. The default is ``SetFit/amazon_reviews_multi_en`` (an English port of it with 1-5 star
labels stored as 0-4); set ``$COURSE_SENTIMENT_DATASET`` (or pass ``source=``) to another hub
dataset id or to a local folder of ``train`` / ``validation`` / ``test`` files (csv, json, jsonl
or parquet), and ``$COURSE_SENTIMENT_LABELS`` to say how its labels read.

Label schemes (``label_scheme``):
- ``stars0``: 0-4 stars (1-5 shifted down): 0-1 negative, 2 neutral, 3-4 positive
- ``stars1``: 1-5 stars: 1-2 negative, 3 neutral, 4-5 positive
- ``3class``: already 0 negative, 1 neutral, 2 positive
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DatasetUnavailable
from ..full_assets import resolve_repo

DATASET_ENV = "COURSE_SENTIMENT_DATASET"
LABELS_ENV = "COURSE_SENTIMENT_LABELS"
DEFAULT_DATASET = "SetFit/amazon_reviews_multi_en"
DEFAULT_SCHEME = "stars0"
CLASS_NAMES = ("negative", "neutral", "positive")
SPLITS = ("train", "validation", "test")
TEXT_COLUMNS = ("text", "review_body", "content", "sentence", "review")
LABEL_COLUMNS = ("label", "stars", "rating", "sentiment")

# star (in the scheme's own numbering) -> class index (0 negative, 1 neutral, 2 positive)
LABEL_SCHEMES: dict[str, dict[int, int]] = {
    "stars0": {0: 0, 1: 0, 2: 1, 3: 2, 4: 2},
    "stars1": {1: 0, 2: 0, 3: 1, 4: 2, 5: 2},
    "3class": {0: 0, 1: 1, 2: 2},
}


class SentimentDatasetUnavailable(DatasetUnavailable):
    """The configured review dataset could not be loaded; the message says what to do."""


@dataclass(frozen=True)
class SentimentSource:
    """Where the full-profile reviews come from and how to read their labels."""

    source: str
    label_scheme: str

    @property
    def label_map(self) -> dict[int, int]:
        return LABEL_SCHEMES[self.label_scheme]


def configured_source(source: str | None = None, label_scheme: str | None = None
                      ) -> SentimentSource:
    """The source to use: arguments, else the environment variables, else the default."""
    src = source or os.environ.get(DATASET_ENV) or DEFAULT_DATASET
    if label_scheme is None:
        label_scheme = os.environ.get(LABELS_ENV) or (
            DEFAULT_SCHEME if src == DEFAULT_DATASET else "stars0")
    if label_scheme not in LABEL_SCHEMES:
        raise ValueError(f"Unknown label scheme {label_scheme!r}; choose one of "
                         f"{', '.join(LABEL_SCHEMES)} (set {LABELS_ENV}).")
    return SentimentSource(src, label_scheme)


def _unavailable(src: SentimentSource, why: str) -> SentimentDatasetUnavailable:
    shown = src.source if not os.path.isabs(src.source) else Path(src.source).name
    return SentimentDatasetUnavailable(
        f"The review dataset {shown!r} could not be loaded ({why}). Public datasets do "
        "disappear (amazon_reviews_multi was withdrawn in 2023). Options: "
        f"(1) point {DATASET_ENV} at another hub dataset id or at a local folder with "
        "train/validation/test files that have a text column and a star or 3-class label "
        f"column, and set {LABELS_ENV} to one of {', '.join(LABEL_SCHEMES)}; "
        "(2) run data_scripts/prefetch_full.py while online; "
        "(3) use PROFILE='offline', which needs no hub."
    )


def _honour_offline_env() -> None:
    """Apply ``HF_HUB_OFFLINE`` / ``HF_DATASETS_OFFLINE`` set after import (no ~30 s retries)."""
    flags = (os.environ.get("HF_HUB_OFFLINE"), os.environ.get("HF_DATASETS_OFFLINE"))
    if not any(f and f.strip().upper() in ("1", "ON", "YES", "TRUE") for f in flags):
        return
    import datasets.config
    import huggingface_hub.constants

    huggingface_hub.constants.HF_HUB_OFFLINE = True
    datasets.config.HF_HUB_OFFLINE = datasets.config.HF_DATASETS_OFFLINE = True


def _pick(columns: list[str], candidates: tuple[str, ...], what: str) -> str:
    for name in candidates:
        if name in columns:
            return name
    raise KeyError(f"No {what} column found (looked for {', '.join(candidates)}; "
                   f"the dataset has {', '.join(columns)}).")


def load_full_reviews(
    source: str | None = None,
    label_scheme: str | None = None,
    *,
    max_per_split: dict[str, int | None] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Load the configured review set with ``datasets``; return text, label (0-2), split, group.

    ``max_per_split`` caps each split with a seeded random sample (CPU budgets). ``group`` is a
    per-review id so the notebook's "no review straddles splits" check applies here too.
    """
    src = configured_source(source, label_scheme)
    try:
        from datasets import load_dataset
        from datasets.utils.logging import disable_progress_bar
    except ImportError:
        raise ImportError("The full profile loads reviews with `datasets`: "
                          "`pip install datasets`.") from None
    disable_progress_bar()
    _honour_offline_env()
    path = src.source
    if os.path.isabs(path) or path.startswith("."):
        if not os.path.isdir(path):
            raise _unavailable(src, "the local folder does not exist")
    elif not os.path.isdir(path):
        path = resolve_repo(path)  # a prefetched copy in the course cache, when there is one
    try:
        ds = load_dataset(path)
    except Exception as exc:  # noqa: BLE001 - hub/network/format errors all mean "unavailable"
        raise _unavailable(src, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                           ) from None
    missing = [s for s in SPLITS if s not in ds]
    if missing:
        raise _unavailable(src, f"it has no {', '.join(missing)} split (found "
                                f"{', '.join(ds)})")
    frames = []
    caps = max_per_split or {}
    for split in SPLITS:
        part = ds[split].to_pandas()
        text_col = _pick(list(part.columns), TEXT_COLUMNS, "text")
        label_col = _pick(list(part.columns), LABEL_COLUMNS, "label")
        raw = part[label_col].astype(int)
        unknown = sorted(set(raw) - set(src.label_map))
        if unknown:
            raise ValueError(f"Labels {unknown} in split {split!r} do not fit the label scheme "
                             f"{src.label_scheme!r} ({LABELS_ENV}); choose another scheme.")
        frame = pd.DataFrame({
            "text": part[text_col].astype(str),
            "stars": raw,
            "label": raw.map(src.label_map).astype(int),
            "split": split,
        })
        cap = caps.get(split)
        if cap is not None and len(frame) > cap:
            frame = frame.sample(n=cap, random_state=seed).sort_index()
        frame["group"] = [f"{split}-{i}" for i in frame.index]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
