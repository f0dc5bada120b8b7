"""With no network at all, PROFILE='auto' falls back to offline fast and says so."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest
from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "00_setup_and_tour.ipynb"


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.slow
@pytest.mark.network_absent
@pytest.mark.skipif(not _unshare_works(), reason="needs `unshare -n` (root or user namespaces)")
def test_auto_profile_without_any_network_falls_back_quickly(tmp_path):
    out = tmp_path / "out.ipynb"
    env_cmd = [
        "unshare", "-n", sys.executable, "-m", "papermill", str(NOTEBOOK), str(out),
        "-p", "PROFILE", "auto", "-p", "QUICK", "True", "--cwd", str(NOTEBOOK.parent),
        "--no-progress-bar",
    ]
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
