"""One key function for every cache (features, tiny-BERT checkpoints, saved predictions).

A cached artefact is valid only while everything that produced it is unchanged, so the key hashes
all of it: the *source* of the functions that computed it (also functions defined in a notebook
cell), a description of the transforms (including the code inside ``Lambda`` transforms, which
torchvision's repr hides), the sha256 of the data files, and the parameters that matter. Edit an
augmentation, a transform or the data, and the key changes: the old artefact is never reused.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import CacheError

KEY_LENGTH = 20
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_FILE_DIGESTS: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256


def source_of(fn: Callable[..., Any]) -> str:
    """Source code of a function (notebook cells included), else its bytecode and constants."""
    target = getattr(fn, "__func__", fn)  # bound methods
    try:
        return textwrap.dedent(inspect.getsource(target))
    except (OSError, TypeError):
        code = getattr(target, "__code__", None)
        if code is None:  # a callable object: its class's source, and its state
            return describe_transform(target)
        return f"{code.co_name}:{code.co_code.hex()}:{code.co_consts!r}"


def describe_transform(transform: Any) -> str:
    """A stable text for a transform pipeline: reprs, plus the source of any wrapped function."""
    inner = getattr(transform, "transforms", None)
    if isinstance(inner, (list, tuple)):  # Compose, RandomApply, RandomChoice, ...
        parts = ", ".join(describe_transform(t) for t in inner)
        return f"{type(transform).__name__}[{parts}]"
    wrapped = getattr(transform, "lambd", None)  # torchvision's Lambda hides its function
    if callable(wrapped):
        return f"{type(transform).__name__}({source_of(wrapped)})"
    if inspect.isfunction(transform) or inspect.ismethod(transform):
        return source_of(transform)
    return _ADDRESS.sub("", repr(transform))


def file_digest(path: str | os.PathLike) -> str:
    """sha256 of a file, remembered per (path, size, mtime) so a re-run does not re-read it."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise CacheError(
            f"cache_key: data file {p} does not exist. Pass the files the artefact is computed "
            "from (e.g. the image paths of the split), as they are on disk."
        ) from None
    memo = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    if memo not in _FILE_DIGESTS:
        h = hashlib.sha256()
        with p.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        _FILE_DIGESTS[memo] = h.hexdigest()
    return _FILE_DIGESTS[memo]


def _normalise(value: Any) -> Any:
    """JSON-able, stable form of a parameter value (functions by source, no memory addresses)."""
    if isinstance(value, Mapping):
        return {str(k): _normalise(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Path):
        return str(value)
    if callable(value):
        return source_of(value)
    if hasattr(value, "tolist"):  # numpy arrays, tensors
        return _normalise(value.tolist())
    return _ADDRESS.sub("", repr(value))


def cache_key(
    namespace: str,
    *,
    functions: Iterable[Callable[..., Any]] = (),
    transforms: Iterable[Any] = (),
    files: Iterable[str | os.PathLike] = (),
    params: Mapping[str, Any] | None = None,
) -> str:
    """The key of a cached artefact: hash of namespace, function sources, transforms, files, params.

    ``namespace`` says what is cached (``"nb02-features"``); ``functions`` computed it;
    ``transforms`` prepared its inputs; ``files`` are the data it was computed from (hashed by
    content); ``params`` are the settings that change the result (model, image size, seed...).
    """
    if not namespace or not isinstance(namespace, str):
        raise CacheError("cache_key needs a namespace naming what is cached, e.g. 'nb02-features'.")
    record = {
        "namespace": namespace,
        "functions": [source_of(f) for f in functions],
        "transforms": [describe_transform(t) for t in transforms],
        "files": [file_digest(f) for f in files],
        "params": _normalise(dict(params or {})),
    }
    blob = json.dumps(record, sort_keys=True, default=repr).encode()
    return f"{namespace}-{hashlib.sha256(blob).hexdigest()[:KEY_LENGTH]}"


_KEY_PATTERN = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_.-]*-[0-9a-f]{{{KEY_LENGTH}}}$")


def require_key(key: Any, who: str) -> str:
    """Accept only keys made by :func:`cache_key`; anything else gets an error naming the fix."""
    if not isinstance(key, str) or not _KEY_PATTERN.match(key):
        raise CacheError(
            f"{who} needs a key made by course_utils.cache_keys.cache_key(...), got {key!r}. "
            "Build it from the functions, transforms, data files and parameters that produce "
            "the artefact, so that editing any of them invalidates the cache."
        )
    return key
