"""Short rated texts: the four VADER ground-truth corpora.

``amazon`` (product review sentences), ``movie`` (movie review snippets), ``tweets`` and ``nyt``
(New York Times editorial snippets); each row has the mean human rating (-4..+4). Used as the
text corpus of the offline masked-language-model demo and as notebook 06's target domains.
The offline profile reads them from the offline pack; the full profile reads the same rows
from the pack's one source file, the vaderSentiment sdist (:mod:`.vader_source`), so it never
needs the pack.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .pack import CORPORA, PART_FILES, SNIPPET_COLUMNS, require_pack


def load_snippets(corpora: Iterable[str] | None = None, *,
                  profile: str = "offline") -> pd.DataFrame:
    """Snippets of the chosen corpora (default: all four), columns corpus, snippet_id (str),
    mean_rating (float), text (str), in file order.

    ``profile="full"`` reads the source archive instead of the pack (same rows)."""
    wanted = list(CORPORA if corpora is None else ([corpora] if isinstance(corpora, str)
                                                   else corpora))
    unknown = sorted(set(wanted) - set(CORPORA))
    if unknown:
        raise ValueError(f"unknown corpus {unknown}; choose from {', '.join(CORPORA)}")
    if profile == "full":
        from .vader_source import groundtruth

        rows = groundtruth()
        return pd.DataFrame(
            [(c, sid, float(r), t) for c in CORPORA if c in wanted for sid, r, t in rows[c]],
            columns=list(SNIPPET_COLUMNS))
    if profile != "offline":
        raise ValueError(f"profile must be 'full' or 'offline', got {profile!r}.")
    pack = require_pack(parts=("text",))
    df = pd.read_csv(
        pack / PART_FILES["text"], sep="\t", keep_default_na=False,
        dtype={"corpus": str, "snippet_id": str, "mean_rating": float, "text": str},
    )
    return df[df["corpus"].isin(wanted)].reset_index(drop=True)[list(SNIPPET_COLUMNS)]
