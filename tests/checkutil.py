"""Read an exercise check's printed verdict (checks return nothing and print [v] / [x] / [ ])."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any


def verdict(check_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """What the check printed; asserts it returned nothing (no stray True/False in notebooks)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = check_fn(*args, **kwargs)
    print(buf.getvalue(), end="")  # still visible to capsys and in the test log
    assert result is None, f"{check_fn.__name__} returned {result!r}; checks print, return None"
    return buf.getvalue()


def passed(check_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """True when the check printed the [v] verdict."""
    return "[v]" in verdict(check_fn, *args, **kwargs)
