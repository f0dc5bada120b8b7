"""Save and load a model's test-set predictions so notebook 05 can evaluate them.

Notebooks 02 (cats vs dogs) and 04 (sentiment) call :func:`save_predictions` at the end of
training; notebook 05 calls :func:`load_predictions` and falls back to a small model of its own
when nothing was saved. Files live in ``<course cache>/predictions/<name>.npz`` (no pickles).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .config import cache_dir
from .files import atomic_write

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def predictions_path(name: str) -> Path:
    """Where the predictions called ``name`` are stored (the name must be a plain file stem)."""
    if not _NAME.match(name) or name.endswith(".npz"):
        raise ValueError(
            f"Invalid predictions name {name!r}: use letters, digits, '_', '-' or '.', "
            "no slashes and no extension (e.g. 'nb02_cats_dogs')."
        )
    return cache_dir() / "predictions" / f"{name}.npz"


def _as_labels(values: Any, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be 1-D (one label per example), got shape {arr.shape}.")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.equal(np.mod(arr, 1), 0)):
            raise ValueError(f"{what} must hold integer class indices 0..K-1, got {arr.dtype}.")
    return arr.astype(np.int64)


def save_predictions(
    name: str,
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    y_score: Sequence[float] | np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
    note: str = "",
    *,
    profile: str,
    quick: bool,
    model: str,
    groups: Sequence[Any] | np.ndarray | None = None,
    systems: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """Save test-set labels, predicted labels and (optionally) scores; return the file path.

    ``y_true``/``y_pred`` are class indices ``0..K-1``. ``y_score`` is either one score per
    example (binary: the score of class 1) or an ``(n, K)`` array of class probabilities.
    ``class_names[k]`` names class ``k``; ``note`` says what produced them (model, split, epochs).
    ``profile``, ``quick`` and ``model`` record how they were made (with today's date), so that
    notebook 05 can say what it scores and warn about predictions from a QUICK test-budget run.

    Optional, for paired comparisons on the same test examples: ``groups`` gives each example's
    cluster (e.g. the review a sentence comes from, for a review-level bootstrap), and
    ``systems`` maps other systems' names to ``{"y_pred": ..., "y_score": ... (optional),
    "meta": {...} (optional, JSON-able, e.g. the validation score used to pick a baseline)}``.
    """
    if profile not in ("full", "offline"):
        raise ValueError(f"profile must be the resolved profile 'full' or 'offline', got "
                         f"{profile!r} (pass course.profile).")
    yt, yp = _as_labels(y_true, "y_true"), _as_labels(y_pred, "y_pred")
    if yt.shape != yp.shape:
        raise ValueError(f"y_true has {yt.size} labels but y_pred has {yp.size}.")
    if yt.size == 0:
        raise ValueError("No predictions to save (y_true is empty).")
    if min(yt.min(), yp.min()) < 0:
        raise ValueError("Labels must be class indices 0..K-1 (found a negative label).")
    n_classes = int(max(yt.max(), yp.max())) + 1
    if class_names is None:
        class_names = [str(k) for k in range(n_classes)]
    names = np.array([str(c) for c in class_names], dtype=np.str_)
    if names.size < n_classes:
        raise ValueError(
            f"class_names has {names.size} entries but the labels go up to {n_classes - 1}."
        )
    arrays: dict[str, np.ndarray] = {
        "y_true": yt,
        "y_pred": yp,
        "class_names": names,
        "note": np.array(str(note), dtype=np.str_),
        "provenance": np.array(json.dumps({
            "profile": profile, "quick": bool(quick), "model": str(model),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        }), dtype=np.str_),
    }
    if y_score is not None:
        score = np.asarray(y_score, dtype=np.float64)
        if score.shape[0] != yt.size or score.ndim not in (1, 2):
            raise ValueError(
                f"y_score must have shape (n,) or (n, K) with n={yt.size}, got {score.shape}."
            )
        if score.ndim == 2 and score.shape[1] != names.size:
            raise ValueError(
                f"y_score has {score.shape[1]} columns but there are {names.size} class names."
            )
        arrays["y_score"] = score
    if groups is not None:
        g = np.asarray(groups)
        if g.shape != yt.shape:
            raise ValueError(f"groups must have one entry per example ({yt.size}), got {g.shape}.")
        arrays["groups"] = g.astype(np.str_) if g.dtype.kind in "OUS" else g
    names_meta = []
    for i, (sys_name, sys) in enumerate((systems or {}).items()):
        if "y_pred" not in sys:
            raise ValueError(f"system {sys_name!r} needs a 'y_pred' array.")
        sp = _as_labels(sys["y_pred"], f"systems[{sys_name!r}]['y_pred']")
        if sp.shape != yt.shape:
            raise ValueError(f"system {sys_name!r} has {sp.size} predictions, y_true {yt.size}.")
        if sp.size and (sp.min() < 0 or sp.max() >= names.size):
            raise ValueError(f"system {sys_name!r} predicts a class outside 0..{names.size - 1}.")
        arrays[f"system{i}_y_pred"] = sp
        if sys.get("y_score") is not None:
            sc = np.asarray(sys["y_score"], dtype=np.float64)
            if sc.shape[0] != yt.size:
                raise ValueError(f"system {sys_name!r}: y_score has {sc.shape[0]} rows, "
                                 f"expected {yt.size}.")
            arrays[f"system{i}_y_score"] = sc
        names_meta.append({"name": str(sys_name), "meta": dict(sys.get("meta") or {})})
    if names_meta:
        arrays["systems"] = np.array(json.dumps(names_meta), dtype=np.str_)
    path = predictions_path(name)
    with atomic_write(path) as tmp, tmp.open("wb") as fh:  # a crash never leaves half a file
        np.savez(fh, **arrays)
    return path


def load_predictions(name: str) -> dict[str, Any] | None:
    """Load predictions saved under ``name``; ``None`` when none were saved (or the file is bad).

    Returns a dict with ``y_true``, ``y_pred`` (int arrays), ``y_score`` (array or ``None``),
    ``class_names`` (list of str), ``note`` (str), ``provenance`` (dict), ``groups`` (array or
    ``None``) and ``systems`` (``{name: {"y_pred", "y_score", "meta"}}``, empty if none saved).
    """
    path = predictions_path(name)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            out: dict[str, Any] = {
                "y_true": data["y_true"].astype(np.int64),
                "y_pred": data["y_pred"].astype(np.int64),
                "y_score": data["y_score"] if "y_score" in data.files else None,
                "class_names": [str(c) for c in data["class_names"]],
                "note": str(data["note"]) if "note" in data.files else "",
                "provenance": (json.loads(str(data["provenance"]))
                               if "provenance" in data.files else {}),
                "groups": data["groups"] if "groups" in data.files else None,
                "systems": {},
            }
            if "systems" in data.files:
                for i, entry in enumerate(json.loads(str(data["systems"]))):
                    out["systems"][entry["name"]] = {
                        "y_pred": data[f"system{i}_y_pred"].astype(np.int64),
                        "y_score": (data[f"system{i}_y_score"]
                                    if f"system{i}_y_score" in data.files else None),
                        "meta": entry.get("meta", {}),
                    }
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:  # JSONDecodeError too
        warnings.warn(
            f"Ignoring the saved predictions {name!r}: the file could not be read "
            f"({type(exc).__name__}). "
            "Re-run the notebook that writes them to recreate it.",
            stacklevel=2,
        )
        return None
    if out["y_true"].shape != out["y_pred"].shape:
        warnings.warn(f"Ignoring the saved predictions {name!r}: label arrays differ in length.",
                      stacklevel=2)
        return None
    return out


def describe_provenance(saved: dict[str, Any]) -> str:
    """One line saying how saved predictions were made (profile, budget, model, date)."""
    prov = saved.get("provenance") or {}
    if not prov:
        return "made by an older version of the course (no record of profile or budget)"
    budget = "QUICK test budget" if prov.get("quick") else "full budget"
    return (f"{prov.get('model', '?')}, {prov.get('profile', '?')} profile, {budget}, "
            f"saved {prov.get('date', '?')}")


def quick_warning(saved: dict[str, Any]) -> str | None:
    """A warning when saved predictions come from a QUICK run (tiny budget: not the real model)."""
    if (saved.get("provenance") or {}).get("quick"):
        return ("WARNING: these predictions come from a QUICK run (the test suite's tiny budget), "
                "not from a model trained at the lesson's settings. Re-run the notebook that "
                "saved them with QUICK = False for numbers worth interpreting.")
    return None
