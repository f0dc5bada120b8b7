"""Plumbing for notebook 03's tiny masked-language model (the offline stand-in for BERT's MLM head).

What lives here: remapping the 30,522-token WordPiece vocabulary to the tokens a corpus actually
uses (a smaller output layer trains faster), a PCA initialisation of the small model's word
embeddings from a pretrained encoder's, padding, and a checkpoint cache (safetensors, keyed by a
hash of everything that determines the result) so a re-run of the notebook is instant.
What does NOT live here: the masking rule and the training loop; they stay in the notebook.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ..cache_keys import cache_key, require_key
from ..config import cache_dir
from ..files import atomic_write

CACHE_SUBDIR = ("models", "tiny_mlm")


@dataclass(frozen=True)
class VocabMap:
    """A bijection between the tokenizer's ids ("old") and a compact model vocabulary ("new").

    ``old_to_new[i]`` is the compact id of tokenizer id ``i`` (tokens the corpus never uses map to
    the compact ``[UNK]``); ``new_to_old[j]`` is the tokenizer id of compact id ``j``.
    """

    old_to_new: torch.Tensor
    new_to_old: torch.Tensor
    unk_old: int

    def __len__(self) -> int:
        return int(self.new_to_old.numel())

    def encode(self, ids: torch.Tensor | Sequence[int]) -> torch.Tensor:
        """Tokenizer ids -> compact ids (same shape)."""
        return self.old_to_new[torch.as_tensor(ids, dtype=torch.long)]

    def decode(self, ids: torch.Tensor | Sequence[int]) -> torch.Tensor:
        """Compact ids -> tokenizer ids (same shape)."""
        return self.new_to_old[torch.as_tensor(ids, dtype=torch.long)]

    def fingerprint(self) -> str:
        """A short hash of the mapping (part of the checkpoint key)."""
        return fingerprint(self.new_to_old)


def fingerprint(tensor: torch.Tensor, decimals: int = 4) -> str:
    """A short hash of a tensor's values, floats rounded to ``decimals`` (robust to last-bit noise
    from different thread counts), for checkpoint keys."""
    t = tensor.detach().cpu()
    if t.is_floating_point():
        t = torch.round(t.double() * 10**decimals).long()
    return hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest()[:16]


def build_vocab_map(
    token_ids: Iterable[Sequence[int]], *, tokenizer_size: int, always_keep: Iterable[int],
    unk_id: int,
) -> VocabMap:
    """Keep the ids that occur in ``token_ids`` plus ``always_keep`` (the special tokens).

    Compact ids follow the tokenizer's order, so ``[PAD]`` (id 0 in BERT's vocabulary) stays 0.
    """
    used = torch.zeros(tokenizer_size, dtype=torch.bool)
    for ids in token_ids:
        used[torch.as_tensor(list(ids), dtype=torch.long)] = True
    keep = [int(i) for i in always_keep] + [unk_id]
    used[torch.as_tensor(keep, dtype=torch.long)] = True
    new_to_old = torch.nonzero(used).flatten()
    old_to_new = torch.full((tokenizer_size,), -1, dtype=torch.long)
    old_to_new[new_to_old] = torch.arange(new_to_old.numel())
    old_to_new[old_to_new < 0] = old_to_new[unk_id]
    return VocabMap(old_to_new=old_to_new, new_to_old=new_to_old, unk_old=unk_id)


def pca_embeddings(weight: torch.Tensor, dim: int, *, target_std: float = 0.04,
                   seed: int = 0) -> torch.Tensor:
    """Project embedding rows on their top ``dim`` principal components, rescaled to ``target_std``.

    A small model cannot reuse a 384- or 768-wide embedding table, but the main directions of that
    table (which words behave alike) survive the projection and give training a head start.
    """
    if dim > min(weight.shape):
        raise ValueError(f"Cannot keep {dim} components of a {tuple(weight.shape)} matrix.")
    w = weight.detach().float()
    centred = w - w.mean(dim=0, keepdim=True)
    gen_state = torch.random.get_rng_state()
    torch.manual_seed(seed)  # pca_lowrank is randomised: make it reproducible
    try:
        _, _, v = torch.pca_lowrank(centred, q=dim, center=False, niter=4)
    finally:
        torch.random.set_rng_state(gen_state)
    projected = centred @ v[:, :dim]
    return projected * (target_std / projected.std())


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad lists of ids to the longest one: returns ``(input_ids, attention_mask)``."""
    if not sequences:
        raise ValueError("pad_batch needs at least one sequence.")
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
        mask[row, : len(seq)] = 1
    return ids, mask


def checkpoint_key(**parts: Any) -> str:
    """The checkpoint's key: :func:`course_utils.cache_keys.cache_key` over everything that
    determines the trained model (config, seed, steps, data, and the code: functions are hashed
    by their source, so editing the masking function or the training loop retrains)."""
    code = parts.pop("code", ())
    return cache_key("tiny-mlm", functions=code, params=parts)


def checkpoint_dir() -> Path:
    """``<course cache>/models/tiny_mlm``: where trained tiny models are kept."""
    return cache_dir().joinpath(*CACHE_SUBDIR)


@dataclass
class Checkpoint:
    """What the cache returns besides the weights: the training record."""

    key: str
    losses: list[float]
    train_seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(model: torch.nn.Module, key: str, *, losses: Sequence[float],
                    train_seconds: float, extra: dict[str, Any] | None = None) -> Path:
    """Save ``model`` (safetensors, tied weights handled) with its loss curve and training time."""
    from safetensors.torch import save_model

    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{require_key(key, 'save_checkpoint')}.safetensors"
    meta = {
        "key": key,
        "losses": json.dumps([round(float(x), 5) for x in losses]),
        "train_seconds": f"{float(train_seconds):.2f}",
        "saved": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "extra": json.dumps(extra or {}),
    }
    with atomic_write(path) as tmp:  # never a half-written checkpoint, even with two kernels
        save_model(model, str(tmp), metadata=meta)
    return path


def load_checkpoint(model: torch.nn.Module, key: str) -> Checkpoint | None:
    """Load the cached weights for ``key`` into ``model``; ``None`` when there is no (valid) one."""
    from safetensors import safe_open
    from safetensors.torch import load_model

    path = checkpoint_dir() / f"{require_key(key, 'load_checkpoint')}.safetensors"
    if not path.exists():
        return None
    try:
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
        load_model(model, str(path), strict=True)
    except Exception:  # noqa: BLE001 - a damaged or incompatible file: retrain instead
        path.unlink(missing_ok=True)
        return None
    return Checkpoint(key=key, losses=json.loads(meta.get("losses", "[]")),
                      train_seconds=float(meta.get("train_seconds", "nan")),
                      extra=json.loads(meta.get("extra", "{}")))


def length_bucketed_batches(lengths: Sequence[int], batch_size: int, *,
                            generator: torch.Generator) -> list[list[int]]:
    """Batches of indices with similar lengths, in random order (less padding, same data).

    Shuffle, sort within windows of 50 batches by length, cut into batches, shuffle the batches:
    every example is used once per pass and a batch pads to a length close to its members'.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    order = torch.randperm(len(lengths), generator=generator).tolist()
    window = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffle = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffle]
