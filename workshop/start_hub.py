#!/usr/bin/env python
"""What `make hub` runs: check every piece the room needs, start JupyterHub, print the address.

Each missing piece (JupyterHub, Node.js, the proxy, the shared assets) stops with one line that
names the fix. The hub runs in the foreground until Ctrl-C; its state (accounts, database) lives
in ``WORKSHOP_STATE_DIR`` and survives a restart.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import room  # noqa: E402
import sizing  # noqa: E402

PIP_FIX = "run `.venv/bin/python -m pip install -e '.[workshop]'`"


def missing_pieces(settings: room.Settings) -> list[str]:
    """One line per missing piece, each naming its fix (empty when the room can start)."""
    problems = []
    modules = {"jupyterhub": "JupyterHub", "jupyterhub_idle_culler": "jupyterhub-idle-culler",
               "nativeauthenticator" if settings.auth == "native" else "tmpauthenticator":
               "the authenticator"}
    if settings.spawner == "systemd":
        modules["systemdspawner"] = "jupyterhub-systemdspawner"
    modules["jupyterlab"] = "JupyterLab"
    for module, what in modules.items():
        if importlib.util.find_spec(module) is None:
            problems.append(f"{what} is not installed ({module}): {PIP_FIX}")
    if shutil.which("node") is None:
        problems.append("Node.js is missing (the proxy needs it): install it, e.g. "
                        "`apt-get install nodejs npm`, then `npm ci --prefix workshop`")
    elif not room.PROXY_BIN.exists():
        problems.append("configurable-http-proxy is not installed: run `npm ci --prefix workshop`")
    pack = settings.assets / "offline_pack" / "pack.json"
    if not pack.exists():
        problems.append(f"no shared course assets at {settings.assets}: build them once with "
                        f"`COURSE_CACHE={settings.assets} make assets` (or set WORKSHOP_ASSETS)")
    return problems


def room_addresses(port: int) -> list[str]:
    """URLs learners can open: this machine's non-loopback IPv4 addresses (else localhost)."""
    import psutil

    ips = sorted({a.address for addrs in psutil.net_if_addrs().values() for a in addrs
                  if a.family == socket.AF_INET and not a.address.startswith("127.")})
    return [f"http://{ip}:{port}/" for ip in ips] or [f"http://127.0.0.1:{port}/"]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 120) -> bool:
    """Poll the hub's health check through the proxy until it answers or the hub exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def main(argv: list[str] | None = None) -> int:
    """Check, start, announce, then wait for the hub (Ctrl-C stops it and every server)."""
    settings_help = "\n".join(f"  {k:<24} {v}" for k, v in room.SETTINGS_HELP.items())
    argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"settings (environment variables):\n{settings_help}").parse_args(argv)
    try:
        settings = room.Settings.from_env()
    except ValueError as exc:
        print(f"make hub: {exc}")
        return 2
    problems = missing_pieces(settings)
    for line in problems:
        print(f"make hub: {line}")
    if problems:
        return 2
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    print(f"make hub: {sizing.describe()}")
    print(f"make hub: at most {settings.max_learners} learners at once on this machine; "
          f"accounts: {settings.auth}; spawner: {settings.spawner}; state: {settings.state_dir}")
    jupyterhub = Path(sys.executable).with_name("jupyterhub")
    cmd = [str(jupyterhub), "-f", str(HERE / "jupyterhub_config.py")]
    proc = subprocess.Popen(cmd, cwd=settings.state_dir)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    local = "127.0.0.1" if settings.ip in ("0.0.0.0", "") else settings.ip
    try:
        hub_up = wait_until_up(f"http://127.0.0.1:{settings.hub_port}/hub/health", proc)
        if hub_up and wait_until_up(f"http://{local}:{settings.port}/hub/health", proc):
            urls = (room_addresses(settings.port) if settings.ip in ("0.0.0.0", "")
                    else [f"http://{settings.ip}:{settings.port}/"])
            print("\n" + "=" * 72)
            print("The room is open. Hand out: " + "  or  ".join(urls))
            if settings.auth == "native":
                print(f"Instructor: sign up first as '{settings.admin}', then approve learners "
                      "at /hub/authorize")
            print("=" * 72 + "\n", flush=True)
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl-C: the hub stops every learner's server, then itself
        proc.send_signal(signal.SIGINT)
        proc.wait()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
