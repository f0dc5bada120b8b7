"""Checks for notebook 03 (BERT masking): each prints what is wrong and never raises for a learner.

``strict=True`` (used by the hidden solution cells) re-raises, so the test suite proves that the
solutions pass their own checks. They return None, so a cell shows only the printed verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..checks import check, expect_close, require_attempt

_SENTENCES = [
    "The projector's fan was unbearably loud.",
    "A quietly devastating film.",
    "Snowstorms closed every school in the county on Tuesday.",
]


def check_eligible_count(fn: Callable[..., Any], tokenizer: Any, *, strict: bool = False) -> None:
    """Exercise 1: ``fn(input_ids, attention_mask, special_ids)`` counts maskable positions."""

    def test() -> None:
        require_attempt(fn)
        assert callable(fn), "`n_eligible` should be a function."
        batch = tokenizer(_SENTENCES, padding=True, return_tensors="pt")
        ids, att = batch["input_ids"], batch["attention_mask"]
        special = torch.tensor(sorted(tokenizer.all_special_ids))
        want = int((~torch.isin(ids, special) & att.bool()).sum())
        got = fn(ids, att, special)
        require_attempt(got)
        got = int(got)
        n_real = int(att.sum())
        if got == n_real:
            raise AssertionError(f"you counted {got}, every non-padding position: [CLS] and [SEP] "
                                 "are never chosen either.")
        if got == ids.numel():
            raise AssertionError(f"you counted {got}, every position: padding and special tokens "
                                 "must be left out.")
        assert got == want, (f"you counted {got}, but {want} positions are neither special tokens "
                             f"nor padding ({len(_SENTENCES)} sentences, {n_real} real tokens "
                             "including [CLS] and [SEP]).")

    check("Exercise 1 (eligible positions)", test, strict=strict)


def check_mask_probabilities(p_mask: Any, p_random: Any, p_unchanged: Any, *,
                             strict: bool = False) -> None:
    """Exercise 2: shares of ALL eligible tokens shown as [MASK] / random / unchanged-with-label."""

    def test() -> None:
        require_attempt(p_mask, p_random, p_unchanged)
        if abs(float(p_mask) - 0.8) < 1e-9:
            raise AssertionError("0.8 is the share among the CHOSEN tokens; the question asks "
                                 "about all eligible tokens (only 15% are chosen).")
        expect_close("p_mask", p_mask, 0.15 * 0.8, 1e-6, "15% are chosen, 80% of those -> [MASK].")
        expect_close("p_random", p_random, 0.15 * 0.1, 1e-6, "10% of the chosen 15%.")
        expect_close("p_unchanged", p_unchanged, 0.15 * 0.1, 1e-6,
                     "Only CHOSEN tokens carry a label: 10% of the chosen 15% stay unchanged.")

    check("Exercise 2 (80-10-10 arithmetic)", test, strict=strict)


def check_make_labels(fn: Callable[..., Any], *, strict: bool = False) -> None:
    """Exercise 3: ``fn(input_ids, chosen)`` returns original ids where chosen, -100 elsewhere."""

    def test() -> None:
        require_attempt(fn)
        gen = torch.Generator().manual_seed(3)
        ids = torch.randint(1000, 2000, (4, 9), generator=gen)
        chosen = torch.rand(ids.shape, generator=gen) < 0.3
        original = ids.clone()
        got = fn(ids, chosen)
        require_attempt(got)
        assert torch.equal(ids, original), ("your function changed `input_ids` in place: work on "
                                            "a copy (`input_ids.clone()`).")
        got = torch.as_tensor(got)
        assert got.shape == ids.shape, (f"labels have shape {tuple(got.shape)}, "
                                        f"want {tuple(ids.shape)}.")
        want = torch.where(chosen, ids, torch.full_like(ids, -100))
        if torch.equal(got, torch.where(chosen, torch.full_like(ids, -100), ids)):
            raise AssertionError("the labels are swapped: keep the ids at the CHOSEN positions and "
                                 "put -100 everywhere else.")
        wrong = int((got != want).sum())
        assert wrong == 0, (f"{wrong} of {ids.numel()} labels differ; chosen positions keep their "
                            "original id, all others get -100 (ignored by the loss).")

    check("Exercise 3 (labels)", test, strict=strict)


def check_causal_mask(fn: Callable[[int], Any], *, strict: bool = False) -> None:
    """Exercise 4: ``fn(n)`` is the n x n boolean "may attend" matrix of a left-to-right model."""

    def test() -> None:
        require_attempt(fn)
        for n in (1, 4, 7):
            got = fn(n)
            require_attempt(got)
            got = torch.as_tensor(got).bool()
            assert got.shape == (n, n), f"causal_mask({n}) has shape {tuple(got.shape)}."
            want = torch.tril(torch.ones(n, n, dtype=torch.bool))
            if n > 1 and torch.equal(got, want.T):
                raise AssertionError("that is the transpose: row i is the query position, so row i "
                                     "may look at columns 0..i (the past), not i..n-1.")
            if n > 1 and torch.equal(got, want & ~torch.eye(n, dtype=torch.bool)):
                raise AssertionError("a position may also attend to itself (the diagonal).")
            assert torch.equal(got, want), (f"causal_mask({n}) differs from the expected pattern "
                                            "in " + str(int((got != want).sum())) + " entries.")

    check("Exercise 4 (causal mask)", test, strict=strict)
