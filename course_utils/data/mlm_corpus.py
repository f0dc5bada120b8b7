"""The text corpus of notebook 03's masked-language-model pretraining, per profile.

- ``offline``: the movie-review, tweet and New York Times editorial snippets of the VADER ground
  truth, from the offline pack (:func:`course_utils.data.text.load_snippets`). The Amazon review
  sentences of the same archive are left out: they are notebook 04's data, test reviews included.
- ``full``: WikiText-2 (Merity et al. 2016, "Pointer Sentinel Mixture Models"), the raw
  configuration ``wikitext-2-raw-v1`` of the hub dataset ``Salesforce/wikitext``, loaded with
  ``datasets``; its paragraphs are cut into sentences. It never needs the offline pack.

Why the full corpus cannot contain the sentiment lesson's test reviews: WikiText-2 is the text
of about 600 verified Good and Featured *Wikipedia articles*, frozen when the data set was
published in 2016. Notebook 04's full-profile data are *Amazon product reviews*
(``SetFit/amazon_reviews_multi_en``) and its offline data are the VADER Amazon review
sentences; encyclopaedia articles hold neither, so no test review can leak into pretraining.
(bert-base itself was pretrained on Wikipedia; notebook 03's tiny BERT is trained from scratch
and scored on WikiText sentences it never saw, so that overlap does not touch its evaluation.)

Both profiles return the same columns: ``corpus`` (source name), ``snippet_id`` (str, stable),
``text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..errors import DatasetUnavailable

MLM_COLUMNS = ("corpus", "snippet_id", "text")
OFFLINE_CORPORA = ("movie", "tweets", "nyt")  # never "amazon": notebook 04's data
WIKITEXT_REPO = "Salesforce/wikitext"
WIKITEXT_CONFIG = "wikitext-2-raw-v1"
WIKITEXT_SPLIT = "train"
FULL_DEFAULT_N = 20_000  # sentences kept in the full profile (WikiText-2 train has ~80k)
MIN_WORDS, MAX_WORDS = 5, 60  # snippet-sized sentences, like the offline corpus


@dataclass(frozen=True)
class CorpusSource:
    """Where a profile's corpus comes from, for the notebook to print."""

    name: str
    origin: str
    licence: str
    citation: str


SOURCES = {
    "offline": CorpusSource(
        "VADER ground truth: movie reviews, tweets, NYT editorials",
        "offline pack (PyPI vaderSentiment 3.3.2 source archive)", "MIT",
        "Hutto & Gilbert (2014), VADER, ICWSM"),
    "full": CorpusSource(
        "WikiText-2 (raw), training split, cut into sentences",
        f"Hugging Face hub dataset {WIKITEXT_REPO}, configuration {WIKITEXT_CONFIG}",
        "CC BY-SA 3.0 and GFDL (Wikipedia text)",
        "Merity, Xiong, Bradbury & Socher (2016), Pointer Sentinel Mixture Models"),
}


class CorpusUnavailable(DatasetUnavailable):
    """The full-profile text corpus is neither prefetched nor downloadable right now."""


def _check_profile(profile: str) -> None:
    if profile not in SOURCES:
        raise ValueError(f"profile must be 'full' or 'offline' (resolved by setup()), "
                         f"got {profile!r}.")


def describe_source(profile: str) -> str:
    """One printable line: what the corpus is, where it comes from, its licence."""
    _check_profile(profile)
    s = SOURCES[profile]
    return f"{s.name}; from the {s.origin}; licence {s.licence}; {s.citation}"


# WikiText's raw files keep the tokenisation of the original release: numbers are split as
# "1 @,@ 000", "3 @.@ 5", hyphenated words as "role @-@ playing", punctuation stands apart.
_JOINS = ((" @-@ ", "-"), (" @,@ ", ","), (" @.@ ", "."))
_SPACE_BEFORE = re.compile(r" ([.,;:!?)\]]|'s\b|n't\b|'re\b|'ve\b|'ll\b|'d\b|'m\b)")
_SPACE_AFTER = re.compile(r"([(\[]) ")
_SENTENCE_END = re.compile(r"(?<=[.!?]) +(?=[A-Z0-9\"'(])")


def wikitext_sentences(lines, *, min_words: int = MIN_WORDS,
                       max_words: int = MAX_WORDS) -> list[tuple[str, str]]:
    """``[(snippet_id, sentence), ...]`` from WikiText lines, in file order.

    Headings (`` = Title = ``) and empty lines are dropped, WikiText's ``@-@`` style joins are
    undone, paragraphs are cut at sentence ends, and sentences of ``min_words`` to
    ``max_words`` words are kept. ``snippet_id`` is ``"<line>-<sentence>"`` (0-based).
    """
    out = []
    for n, line in enumerate(lines):
        line = (line or "").strip()
        if not line or (line.startswith("=") and line.endswith("=")):
            continue
        for old, new in _JOINS:
            line = line.replace(old, new)
        line = _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", line))
        for k, sentence in enumerate(_SENTENCE_END.split(line)):
            if min_words <= len(sentence.split()) <= max_words:
                out.append((f"{n}-{k}", sentence))
    return out


def _load_wikitext_lines() -> list[str]:
    """The ``text`` column of WikiText-2 raw's training split, through ``datasets``.

    A prefetched copy of the hub repository (asset layer, then cache; or one copied from
    ``$COURSE_HF_MIRROR``) is read from disk with its own dataset card; otherwise the hub is
    asked. The processed copy goes to the course cache (``<cache>/huggingface/datasets``).
    """
    try:
        from datasets import load_dataset
        from datasets.utils.logging import disable_progress_bar
    except ImportError:
        raise ImportError("The full profile loads its text corpus with `datasets`: "
                          "`pip install datasets`.") from None
    from ..config import cache_dir
    from ..full_assets import resolve_repo
    from .sentiment_full import _honour_offline_env

    disable_progress_bar()
    _honour_offline_env()
    path = resolve_repo(WIKITEXT_REPO)
    try:
        ds = load_dataset(path, WIKITEXT_CONFIG, split=WIKITEXT_SPLIT,
                          cache_dir=str(cache_dir() / "huggingface" / "datasets"))
    except Exception as exc:  # noqa: BLE001 - hub, network and format errors: "unavailable"
        why = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        raise CorpusUnavailable(
            f"The text corpus {WIKITEXT_REPO} ({WIKITEXT_CONFIG}) could not be loaded ({why}). "
            "Options: (1) run `course prefetch` (data_scripts/prefetch_full.py) while online, "
            "or point COURSE_HF_MIRROR at a folder of hub repositories; (2) use "
            "PROFILE='offline', whose corpus comes with the offline pack."
        ) from None
    if "text" not in ds.column_names:
        raise CorpusUnavailable(f"{WIKITEXT_REPO} has no 'text' column (it has "
                                f"{', '.join(ds.column_names)}); the hub repository changed.")
    return list(ds["text"])


def load_mlm_corpus(profile: str, *, n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The pretraining snippets of ``profile``: columns ``corpus``, ``snippet_id``, ``text``.

    ``n``: keep a seeded random sample of that many snippets, in corpus order (``None``: all
    offline snippets, :data:`FULL_DEFAULT_N` sentences in the full profile).
    ``offline`` reads the pack (and raises :class:`~course_utils.errors.PackError` naming the
    fix when it is missing); ``full`` never touches the pack.
    """
    _check_profile(profile)
    if profile == "offline":
        from .text import load_snippets

        frame = load_snippets(list(OFFLINE_CORPORA))[list(MLM_COLUMNS)]
    else:
        rows = wikitext_sentences(_load_wikitext_lines())
        frame = pd.DataFrame({"corpus": "wikitext", "snippet_id": [i for i, _ in rows],
                              "text": [t for _, t in rows]}, columns=list(MLM_COLUMNS))
        if n is None:
            n = FULL_DEFAULT_N
    if n is not None and n < len(frame):
        frame = frame.sample(n=n, random_state=seed).sort_index()
    return frame.reset_index(drop=True)

