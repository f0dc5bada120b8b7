"""A fast "are the hubs reachable?" probe that never hangs.

huggingface_hub retries for ~20 s when offline unless ``HF_HUB_OFFLINE=1`` is set, so the probe
sets it (and ``TRANSFORMERS_OFFLINE``) whenever the hubs do not answer.
"""

from __future__ import annotations

import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

HUB_HOSTS: tuple[tuple[str, int], ...] = (
    ("huggingface.co", 443),
    ("download.pytorch.org", 443),
)
_OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


def _can_connect(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def hubs_reachable(
    hosts: tuple[tuple[str, int], ...] = HUB_HOSTS, timeout: float = 1.5
) -> bool:
    """True when every hub host accepts a TCP connection; answers within about ``timeout`` s.

    DNS resolution can block far longer than a socket timeout, so each check runs in a thread and
    we stop waiting once the deadline passes.
    """
    if os.environ.get("COURSE_FORCE_OFFLINE") == "1":
        return False
    deadline = time.monotonic() + timeout
    pool = ThreadPoolExecutor(max_workers=len(hosts))
    try:
        futures = [pool.submit(_can_connect, h, p, timeout) for h, p in hosts]
        for fut in futures:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                if not fut.result(timeout=remaining):
                    return False
            except Exception:  # noqa: BLE001 - a timeout or resolver error means "not reachable"
                return False
        return True
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def set_hub_offline(offline: bool = True) -> None:
    """Tell huggingface_hub / transformers / datasets not to touch the network (no retries)."""
    for var in _OFFLINE_VARS:
        if offline:
            os.environ[var] = "1"
        else:
            os.environ.pop(var, None)
    try:  # huggingface_hub reads the variable at import time; update the live constant too
        import huggingface_hub.constants as hf_constants

        hf_constants.HF_HUB_OFFLINE = offline
    except Exception:  # noqa: BLE001 - not installed or another version: the env var is enough
        pass
