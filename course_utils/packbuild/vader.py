"""The reviews and text parts, from the VADER ground truth in the vaderSentiment sdist.

``vaderSentiment-3.3.2.tar.gz`` holds ``additional_resources/hutto_ICWSM_2014.tar.gz``, whose
four ``*_GroundTruth.txt`` files (id, mean human rating, text; tab-separated) are the Amazon
review sentences, movie review snippets, tweets and New York Times editorial snippets.
"""

from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path

from .. import offline_assets as oa
from ..data.pack import CORPORA, PART_FILES, REVIEW_COLUMNS, SNIPPET_COLUMNS
from .inputs import Inputs, InputUnavailable, input_record, missing_sentence
from .parts import PartResult, write_tsv

SDIST = oa.VADER_SDIST
GROUND_TRUTH = {  # corpus (pack.CORPORA) -> its file inside hutto_ICWSM_2014.tar.gz
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}
Rows = list[tuple[str, float, str]]


def read_groundtruth(archive: Path) -> dict[str, Rows]:
    """``{corpus: [(id, mean rating, text), ...]}`` from the sdist's nested data archive."""
    out: dict[str, Rows] = {}
    with tarfile.open(archive) as sdist:
        inner_name = next(n for n in sdist.getnames()
                          if n.endswith("additional_resources/hutto_ICWSM_2014.tar.gz"))
        inner_bytes = sdist.extractfile(inner_name).read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        names = {Path(n).name: n for n in inner.getnames()}
        for corpus in CORPORA:  # the pack's corpus order
            fname = GROUND_TRUTH[corpus]
            raw = inner.extractfile(names[fname]).read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # not seen in 3.3.2, but do not crash on a cp1252 file
                text = raw.decode("cp1252")
            rows = []
            for n, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                fields = line.split("\t")
                if len(fields) != 3:
                    raise ValueError(f"{fname} line {n}: expected 3 tab-separated fields")
                sid, rating, snippet = (f.strip() for f in fields)
                rows.append((sid, float(rating), snippet))
            out[corpus] = rows
    return out


def _corpora(res: PartResult, part: str, inputs: Inputs) -> dict[str, Rows] | None:
    """The parsed archive, or None (recorded in ``res``) when it cannot be downloaded."""
    try:
        archive = inputs.get(SDIST)
    except InputUnavailable as exc:
        res.complete = False
        res.missing.append(missing_sentence(f"The {part} part", [SDIST], exc))
        return None
    res.inputs.append(input_record(SDIST, authors=SDIST.extra["authors"], part=part))
    return read_groundtruth(archive)


def build_reviews(dest: Path, inputs: Inputs) -> PartResult:
    """reviews/amazon_review_sentences.tsv: the Amazon sentences with their review id."""
    res = PartResult()
    corpora = _corpora(res, "reviews", inputs)
    if corpora is None:
        return res
    rows = corpora["amazon"]
    bad = [sid for sid, _, _ in rows if not re.fullmatch(r"\d+_\d+", sid)]
    if bad:
        raise ValueError(f"Amazon sentence ids not of the form review_sentence: {bad[:5]}")
    n = write_tsv(dest / PART_FILES["reviews"], REVIEW_COLUMNS,
                  ([sid, sid.split("_")[0], rating, text] for sid, rating, text in rows))
    reviews = {sid.split("_")[0] for sid, _, _ in rows}
    res.counts = {"review_sentences": n, "reviews": len(reviews)}
    return res


def build_text(dest: Path, inputs: Inputs) -> PartResult:
    """text/snippets.tsv: all four ground-truth corpora (amazon, movie, tweets, nyt)."""
    res = PartResult()
    corpora = _corpora(res, "text", inputs)
    if corpora is None:
        return res
    write_tsv(dest / PART_FILES["text"], SNIPPET_COLUMNS,
              ([c, sid, r, t] for c, rows in corpora.items() for sid, r, t in rows))
    res.counts = {"snippets": {c: len(rows) for c, rows in corpora.items()}}
    return res
