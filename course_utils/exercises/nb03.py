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
    """Exercise 2: ``fn(input_ids, attention_mask, special_ids)`` counts maskable positions."""

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

    check("Exercise 2 (eligible positions)", test, strict=strict)


def check_mask_probabilities(p_mask: Any, p_random: Any, p_unchanged: Any, *,
                             strict: bool = False) -> None:
    """Exercise 3: shares of ALL eligible tokens shown as [MASK] / random / unchanged-with-label."""

    def test() -> None:
        require_attempt(p_mask, p_random, p_unchanged)
        if abs(float(p_mask) - 0.8) < 1e-9:
            raise AssertionError("0.8 is the share among the CHOSEN tokens; the question asks "
                                 "about all eligible tokens (only 15% are chosen).")
        expect_close("p_mask", p_mask, 0.15 * 0.8, 1e-6, "15% are chosen, 80% of those -> [MASK].")
        expect_close("p_random", p_random, 0.15 * 0.1, 1e-6, "10% of the chosen 15%.")
        expect_close("p_unchanged", p_unchanged, 0.15 * 0.1, 1e-6,
                     "Only CHOSEN tokens carry a label: 10% of the chosen 15% stay unchanged.")

    check("Exercise 3 (80-10-10 arithmetic)", test, strict=strict)


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


def _synthetic_batch(tokenizer: Any, n: int = 800, length: int = 64,
                     seed: int = 11) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` padded rows of random word ids framed by [CLS] ... [SEP], and their special mask."""
    gen = torch.Generator().manual_seed(seed)
    special_ids = torch.tensor(sorted(tokenizer.all_special_ids))
    ids = torch.full((n, length), tokenizer.pad_token_id, dtype=torch.long)
    lengths = torch.randint(8, length + 1, (n,), generator=gen)
    words = torch.randint(1000, len(tokenizer), (n, length), generator=gen)
    for row, k in enumerate(lengths.tolist()):
        ids[row, 0] = tokenizer.cls_token_id
        ids[row, 1:k - 1] = words[row, 1:k - 1]
        ids[row, k - 1] = tokenizer.sep_token_id
    return ids, torch.isin(ids, special_ids)


def mask_statistics(original: torch.Tensor, inputs: torch.Tensor, labels: torch.Tensor,
                    special: torch.Tensor, mask_id: int) -> dict[str, float | int]:
    """Counts and ratios the 15% / 80-10-10 rule predicts, measured on one corrupted batch."""
    chosen = labels != -100
    n_eligible, n_chosen = int((~special).sum()), int(chosen.sum())
    masked = chosen & (inputs == mask_id)
    unchanged = chosen & (inputs == original)
    return {"eligible": n_eligible, "chosen": n_chosen,
            "chosen / eligible": n_chosen / max(1, n_eligible),
            "[MASK] / chosen": int(masked.sum()) / max(1, n_chosen),
            "random / chosen": int((chosen & ~masked & ~unchanged).sum()) / max(1, n_chosen),
            "unchanged / chosen": int(unchanged.sum()) / max(1, n_chosen),
            "special chosen": int((chosen & special).sum()),
            "changed but not chosen": int(((inputs != original) & ~chosen).sum()),
            "labels wrong": int((labels[chosen] != original[chosen]).sum())}


_RATIOS = (("chosen / eligible", 0.15, "eligible"), ("[MASK] / chosen", 0.8, "chosen"),
           ("random / chosen", 0.1, "chosen"), ("unchanged / chosen", 0.1, "chosen"))
_RATIO_HINTS = {
    "chosen / eligible": "choose each eligible position with probability select_prob (0.15): "
                         "`torch.rand(shape, generator=generator) < select_prob`, and never a "
                         "special token.",
    "[MASK] / chosen": "80% of the CHOSEN positions become mask_id.",
    "random / chosen": "10% of the chosen positions get a random id: split the chosen ones "
                       "with ONE uniform draw u (u < 0.8: [MASK]; 0.8 <= u < 0.9: random; "
                       "the rest stay). "
                       "Two independent draws overlap and give the wrong shares.",
    "unchanged / chosen": "10% of the chosen positions keep their original id (but still carry "
                          "a label).",
}


def _run(fn: Callable[..., Any], ids: torch.Tensor, special: torch.Tensor, tokenizer: Any,
         seed: int, **kw: Any) -> tuple[torch.Tensor, torch.Tensor]:
    original = ids.clone()
    out = fn(ids, special, vocab_size=len(tokenizer), mask_id=tokenizer.mask_token_id,
             generator=torch.Generator().manual_seed(seed), **kw)
    require_attempt(out)
    assert isinstance(out, tuple) and len(out) == 2, (
        f"mask_tokens should return a pair (inputs, labels), got {type(out).__name__}.")
    require_attempt(*out)
    assert torch.equal(ids, original), (
        "mask_tokens changed `input_ids` in place: start from copies (`input_ids.clone()`), the "
        "caller still needs the original ids.")
    inputs, labels = (torch.as_tensor(t) for t in out)
    assert inputs.shape == ids.shape and labels.shape == ids.shape, (
        f"inputs and labels must have the batch's shape {tuple(ids.shape)}.")
    return inputs, labels


def check_mask_tokens(fn: Callable[..., Any], tokenizer: Any, *, strict: bool = False) -> None:
    """Exercise 1: ``fn`` implements BERT's 15% / 80-10-10 rule with -100 labels elsewhere.

    Checked on ~27,500 eligible random tokens: invariants exactly, ratios within 5 standard errors
    of the rule, the same seed gives the same result, and the statistics agree (two-sample z below
    4) with ``transformers``' DataCollatorForLanguageModeling run with a DIFFERENT seed.
    """

    def test() -> None:
        require_attempt(fn)
        ids, special = _synthetic_batch(tokenizer)
        inputs, labels = _run(fn, ids, special, tokenizer, seed=0)
        stats = mask_statistics(ids, inputs, labels, special, tokenizer.mask_token_id)
        assert stats["chosen"] > 0, "no position has a label: labels must keep the original id " \
            "at the chosen positions (and -100 elsewhere)."
        assert int((labels == -100).sum()) > 0, "every position has a label: put -100 where " \
            "nothing was chosen, so the loss ignores those positions."
        assert stats["special chosen"] == 0, (
            f"{stats['special chosen']} special or padding positions were chosen: AND the random "
            "choice with `~special_mask`.")
        assert stats["labels wrong"] == 0, (
            f"{stats['labels wrong']} labels at chosen positions are not the original ids (did "
            "you take the labels from the corrupted inputs?).")
        assert stats["changed but not chosen"] == 0, (
            f"{stats['changed but not chosen']} positions changed although they carry no label: "
            "only chosen positions may be replaced.")
        for key, want, base in _RATIOS:
            n = stats[base]
            tol = 5 * (want * (1 - want) / max(1, n)) ** 0.5
            assert abs(stats[key] - want) < tol, (
                f"{key} is {stats[key]:.3f}, the rule says {want} (tolerance {tol:.3f} on {n:,} "
                f"tokens). " + _RATIO_HINTS[key])
        random_pos = (labels != -100) & (inputs != tokenizer.mask_token_id) & (inputs != ids)
        assert len(inputs[random_pos].unique()) > 0.5 * int(random_pos.sum()), (
            "the random replacements repeat the same few ids: draw each one uniformly from the "
            "vocabulary (torch.randint(vocab_size, ..., generator=generator)).")
        again, _ = _run(fn, ids, special, tokenizer, seed=0)
        other, _ = _run(fn, ids, special, tokenizer, seed=1)
        assert torch.equal(again, inputs), (
            "the same seed gave a different masking: draw every random number from `generator` "
            "(torch.rand(..., generator=generator), torch.randint(..., generator=generator)).")
        assert not torch.equal(other, inputs), "a different seed gave the same masking."
        all_mask, all_labels = _run(fn, ids, special, tokenizer, seed=2, mask_frac=1.0,
                                    random_frac=0.0)
        chosen = all_labels != -100
        assert bool((all_mask[chosen] == tokenizer.mask_token_id).all()), (
            "with mask_frac=1.0, random_frac=0.0 every chosen position must become mask_id: use "
            "the mask_frac and random_frac arguments instead of fixed 0.8 and 0.1.")
        from transformers import DataCollatorForLanguageModeling

        collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15, seed=12345)
        rows = [{"input_ids": r[r != tokenizer.pad_token_id].tolist()} for r in ids]
        ref = collator(rows)
        theirs = mask_statistics(ids, ref["input_ids"], ref["labels"], special,
                                 tokenizer.mask_token_id)
        for key, _, base in _RATIOS:
            p1, n1, p2, n2 = stats[key], stats[base], theirs[key], theirs[base]
            pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
            se = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)) ** 0.5
            assert abs(p1 - p2) < 4 * se, (
                f"{key}: yours {p1:.3f}, transformers' collator {p2:.3f}; the difference is more "
                "than 4 standard errors. " + _RATIO_HINTS[key])

    check("Exercise 1 (write mask_tokens)", test, strict=strict)
