"""Amazon review sentences from the offline pack (VADER ground truth, Hutto & Gilbert 2014).

Each row is one sentence with the mean of human ratings on a -4..+4 scale; ``review_id`` says
which review it came from, so a train/test split can (and must) keep a review's sentences
together. Turning ratings into classes is done visibly in the notebooks.
"""

from __future__ import annotations

import pandas as pd

from .pack import PART_FILES, REVIEW_COLUMNS, require_pack


def load_review_sentences(*, profile: str = "offline") -> pd.DataFrame:
    """All 3,708 sentences: sentence_id (str, "review_sentence"), review_id (int),
    mean_rating (float, -4..+4), text (str), in file order.

    ``profile="full"`` reads the same rows from the pack's source file, the vaderSentiment
    sdist (:mod:`.vader_source`), and never needs the offline pack."""
    if profile == "full":
        from .vader_source import groundtruth

        rows = groundtruth()["amazon"]
        return pd.DataFrame([(sid, int(sid.split("_")[0]), float(r), t) for sid, r, t in rows],
                            columns=list(REVIEW_COLUMNS))
    if profile != "offline":
        raise ValueError(f"profile must be 'full' or 'offline', got {profile!r}.")
    pack = require_pack(parts=("reviews",))
    df = pd.read_csv(
        pack / PART_FILES["reviews"], sep="\t", keep_default_na=False,
        dtype={"sentence_id": str, "review_id": int, "mean_rating": float, "text": str},
    )
    missing = set(REVIEW_COLUMNS) - set(df.columns)
    if missing:
        raise ValueError(f"review file lacks columns {sorted(missing)}; rebuild the pack with "
                         "`python data_scripts/build_offline_pack.py --force --only reviews`.")
    return df[list(REVIEW_COLUMNS)]
