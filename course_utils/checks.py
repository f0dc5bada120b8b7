"""Exercise checks that tell the learner what is wrong, not just that something is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class NotAttempted(Exception):
    """Raised by a check when the learner's answer is still the ``...`` placeholder."""


def require_attempt(*answers: Any) -> None:
    """Raise NotAttempted if any answer is still ``...`` or ``None``."""
    if any(a is Ellipsis or a is None for a in answers):
        raise NotAttempted


def check(exercise: str, test: Callable[[], None], *, strict: bool = False) -> None:
    """Run ``test`` (which asserts with helpful messages) and print a verdict; return nothing.

    Every exercise check in the course follows this convention: it prints ``[v]``, ``[x]`` or
    ``[ ]`` with advice, and an exception raised by the learner's own code becomes advice too
    (never a traceback wall). ``strict=True`` re-raises a failure: the solution cells use it so
    the test suite fails when a solution or a check is broken.
    """
    try:
        try:
            test()
        except (NotAttempted, AssertionError):
            raise
        except Exception as exc:  # noqa: BLE001 - a learner's bug is reported, not raised
            raise AssertionError(f"your code raised {type(exc).__name__}: {exc}") from exc
    except NotAttempted:
        print(f"[ ] {exercise}: not attempted yet. Replace the `...` with your answer and re-run.")
        if strict:
            raise AssertionError(f"{exercise}: the solution is still a placeholder.") from None
        return
    except AssertionError as exc:
        print(f"[x] {exercise}: not quite. {exc}")
        if strict:
            raise
        return
    print(f"[v] {exercise}: correct!")


def expect_close(name: str, got: float, want: float, tol: float, hint: str = "") -> None:
    """Assert ``got`` is within ``tol`` of ``want`` with a message naming the quantity."""
    assert abs(float(got) - float(want)) <= tol, (
        f"{name} is {float(got):.4g}, expected {float(want):.4g} "
        f"(tolerance {tol:g}). {hint}".strip()
    )
