"""Short rated texts from the offline pack: the four VADER ground-truth corpora.

``amazon`` (product review sentences), ``movie`` (movie review snippets), ``tweets`` and ``nyt``
(New York Times editorial snippets); each row has the mean human rating (-4..+4). Used as the
text corpus of the offline masked-language-model demo.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .pack import CORPORA, PART_FILES, SNIPPET_COLUMNS, require_pack


def load_snippets(corpora: Iterable[str] | None = None) -> pd.DataFrame:
    """Snippets of the chosen corpora (default: all four), columns corpus, snippet_id (str),
    mean_rating (float), text (str), in file order."""
    wanted = list(CORPORA if corpora is None else ([corpora] if isinstance(corpora, str)
                                                   else corpora))
    unknown = sorted(set(wanted) - set(CORPORA))
    if unknown:
        raise ValueError(f"unknown corpus {unknown}; choose from {', '.join(CORPORA)}")
    pack = require_pack(parts=("text",))
    df = pd.read_csv(
        pack / PART_FILES["text"], sep="\t", keep_default_na=False,
        dtype={"corpus": str, "snippet_id": str, "mean_rating": float, "text": str},
    )
    return df[df["corpus"].isin(wanted)].reset_index(drop=True)[list(SNIPPET_COLUMNS)]
