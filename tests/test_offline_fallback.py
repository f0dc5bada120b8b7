"""With no network at all, PROFILE='auto' falls back to offline fast and says so."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time

import pytest
from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "00_setup_and_tour.ipynb"


def _unshare_works() -> bool:
    if not (shutil.which("unshare") and shutil.which("ip")):
        return False
    probe = ["unshare", "-n", "sh", "-c", "ip link set lo up"]
    return subprocess.run(probe, capture_output=True).returncode == 0


@pytest.mark.slow
@pytest.mark.network_absent
def test_auto_profile_without_any_network_falls_back_quickly(tmp_path):
    if not _unshare_works():
        if os.environ.get("CI"):
            pytest.fail("CI must run this test: needs root, `unshare` and `ip` (iproute2)")
        pytest.skip("needs `unshare -n` and `ip` (root, util-linux, iproute2)")
    out = tmp_path / "out.ipynb"
    papermill = shlex.join([
        sys.executable, "-m", "papermill", str(NOTEBOOK), str(out),
        "-p", "PROFILE", "auto", "-p", "QUICK", "True", "--cwd", str(NOTEBOOK.parent),
        "--no-progress-bar",
    ])
    # A new network namespace has no route anywhere; only loopback is brought up, because the
    # Jupyter kernel talks to papermill over 127.0.0.1.
    env_cmd = ["unshare", "-n", "sh", "-c", f"ip link set lo up && {papermill}"]
    t0 = time.monotonic()
    proc = subprocess.run(env_cmd, capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = json.loads(out.read_text())
    text = "".join(
        "".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", [])
    )
    assert "using the OFFLINE profile" in text, "no clear fallback message"
    slowest = max(c["metadata"].get("papermill", {}).get("duration") or 0 for c in nb["cells"])
    assert slowest < 20, f"a cell took {slowest:.0f} s without network: something is retrying"
    assert elapsed < 300
