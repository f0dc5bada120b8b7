"""The workshop room end to end: a real JupyterHub on localhost (workshop/start_hub.py, the script
`make hub` runs), three learners created through its REST API, their servers started, and one
lesson run in each of them at the same time through the Jupyter server API (sessions, then the
kernel's websocket: the messages JupyterLab itself sends).

Checked: every run succeeds; each learner's kernel uses the offline profile, one torch thread,
the shared asset folder and its own cache, and writes only there; the shared asset folder is
unchanged (hashed before and after). Measured: time to start each learner's server and the peak
memory of each learner (RSS of their server and kernel process tree, sampled every 0.2 s),
appended to benchmarks/results/workshop_hub.csv, which workshop/sizing.py reads.

The learners' servers run with the local spawner (one process per learner, homes in a temp
folder). Under CI=true a missing JupyterHub or proxy fails the test instead of skipping it.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest
from conftest import ROOT

WORKSHOP = ROOT / "workshop"
sys.path.insert(0, str(WORKSHOP))
import room  # noqa: E402
import sizing  # noqa: E402

NOTEBOOK = "05_evaluating_models.ipynb"
LEARNERS = ("ada", "grace", "alan")
RESULTS = ROOT / "benchmarks" / "results" / "workshop_hub.csv"
CSV_FIELDS = ("run_id", "date", "notebook", "learners", "learner", "server_start_s", "run_s",
              "server_rss_mib", "peak_rss_mib", "memory_limit_mib", "memory_enforced", "machine")
TOKEN = uuid.uuid4().hex
RUN_TIMEOUT_S = 420  # whole notebook per learner; a quiet machine needs ~60 s for three at once
REPORT = "WORKSHOP-REPORT "
# Runs in each learner's kernel after the lesson: a write where the course writes (cache_dir()),
# and where every layer points.
REPORT_CELL = f"""
import json, os, torch
from course_utils.config import assets_dir, cache_dir, offline_pack_dir
saved = cache_dir() / "workshop_hub_check.txt"  # where every course write goes: cache_dir()
saved.write_text(os.environ["JUPYTERHUB_USER"])
print({REPORT!r} + json.dumps({{
    "user": os.environ["JUPYTERHUB_USER"], "cache": str(cache_dir()), "assets": str(assets_dir()),
    "pack": str(offline_pack_dir()), "saved": str(saved), "threads": torch.get_num_threads(),
    "profile": os.environ.get("COURSE_PROFILE"), "cwd": os.getcwd()}}))
"""


def _missing(what: str) -> None:
    """Skip, or fail under CI=true, when a piece the room needs is absent."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} (CI=true: a missing piece fails this test instead of skipping it)")
    pytest.skip(what)


def _shared_pack() -> Path:
    """The built offline pack (COURSE_ASSETS layer first, then COURSE_CACHE or its default)."""
    for var in ("COURSE_ASSETS", "COURSE_CACHE"):
        if os.environ.get(var, "").strip():
            pack = Path(os.environ[var]).expanduser() / "offline_pack"
            if (pack / "pack.json").exists():
                return pack
    return Path.home() / ".cache" / "transfer-learning-course" / "offline_pack"


def _tree_hash(folder: Path) -> str:
    """sha256 over every file's relative path and bytes: any change to the folder changes it."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants (0 once it is gone)."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


class MemorySampler(threading.Thread):
    """Peak RSS of each learner's server + kernel tree, sampled until stopped."""

    def __init__(self, pids: dict[str, int], every: float = 0.2):
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.peak = dict.fromkeys(pids, 0)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], _tree_rss(pid))
            self._halt.wait(self.every)

    def stop(self) -> dict[str, int]:
        self._halt.set()
        self.join()
        return {name: round(b / 2**20) for name, b in self.peak.items()}


class Hub:
    """The REST API and the learners' Jupyter servers, through the hub's proxy."""

    def __init__(self, port: int):
        from tornado.httpclient import AsyncHTTPClient

        self.base = f"http://127.0.0.1:{port}"
        self.http = AsyncHTTPClient()
        self.headers = {"Authorization": f"token {TOKEN}"}

    async def call(self, method: str, path: str, body: object = None, ok=(200, 201, 202, 204)):
        from tornado.httpclient import HTTPClientError

        payload = None if body is None else json.dumps(body)
        if payload is None and method in ("POST", "PUT", "PATCH"):
            payload = ""
        try:
            resp = await self.http.fetch(self.base + path, method=method, headers=self.headers,
                                         body=payload, request_timeout=120, raise_error=False,
                                         allow_nonstandard_methods=True)
        except HTTPClientError as exc:  # pragma: no cover - only on transport errors
            raise AssertionError(f"{method} {path}: {exc}") from exc
        if resp.code not in ok:
            raise AssertionError(f"{method} {path} -> {resp.code}: {resp.body[:500]!r}")
        return json.loads(resp.body) if resp.body else None

    async def start_server(self, name: str) -> tuple[float, int]:
        """Start a learner's server; seconds until the hub reports it ready, and its pid."""
        t0 = time.perf_counter()
        await self.call("POST", f"/hub/api/users/{name}/server")
        while True:
            user = await self.call("GET", f"/hub/api/users/{name}")
            server = user["servers"].get("", {})
            if server.get("ready"):
                return time.perf_counter() - t0, int(server["state"]["pid"])
            if time.perf_counter() - t0 > 180:
                raise AssertionError(f"{name}'s server did not start within 180 s: {server}")
            await asyncio.sleep(0.2)


async def _execute(ws, session: str, code: str, timeout: float) -> tuple[dict, str]:
    """Run one cell through the kernel's websocket; its reply and its printed text."""
    msg_id = uuid.uuid4().hex
    await ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                   "session": session, "version": "5.3",
                   "date": dt.datetime.now(dt.UTC).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    reply, idle, text, error = None, False, [], None
    while reply is None or not idle:
        raw = await asyncio.wait_for(ws.read_message(), timeout)
        if raw is None:
            raise AssertionError("the kernel's websocket closed (kernel died? out of memory?)")
        if isinstance(raw, bytes):
            continue  # binary frames carry widget buffers, never our replies
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "execute_reply":
            reply = content
        elif kind == "status" and content.get("execution_state") == "idle":
            idle = True
        elif kind == "stream":
            text.append(content["text"])
        elif kind == "error":
            error = content
    if reply.get("status") != "ok" and error:
        reply = {**reply, "traceback": "\n".join(error.get("traceback", []))[-3000:]}
    return reply, "".join(text)


async def _run_lesson(hub: Hub, name: str) -> dict:
    """The learner's own copy of the lesson, run cell by cell in a kernel of their server."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    path = f"notebooks/{NOTEBOOK}"
    model = await hub.call("GET", f"/user/{name}/api/contents/{path}")
    cells = [c["source"] for c in model["content"]["cells"] if c["cell_type"] == "code"]
    # like papermill's injected parameters: the QUICK budget, read by the parameters cell
    cells = ['import os\nos.environ["COURSE_QUICK"] = "1"', *cells, REPORT_CELL]
    session = await hub.call("POST", f"/user/{name}/api/sessions", {
        "path": path, "name": NOTEBOOK, "type": "notebook", "kernel": {"name": "python3"}})
    kernel_id, session_id = session["kernel"]["id"], uuid.uuid4().hex
    url = (hub.base.replace("http", "ws", 1)
           + f"/user/{name}/api/kernels/{kernel_id}/channels?session_id={session_id}")
    ws = await websocket_connect(HTTPRequest(url, headers=hub.headers),
                                 max_message_size=256 * 2**20)
    t0 = time.perf_counter()
    try:
        out = ""
        for index, code in enumerate(cells):
            reply, out = await _execute(ws, session_id, code, timeout=RUN_TIMEOUT_S)
            if reply.get("status") != "ok":
                raise AssertionError(
                    f"{name}: code cell {index} of {NOTEBOOK} failed: {reply.get('ename')}: "
                    f"{reply.get('evalue')}\n{reply.get('traceback', '')}")
        seconds = time.perf_counter() - t0
    finally:
        ws.close()
        await hub.call("DELETE", f"/user/{name}/api/sessions/{session['id']}", ok=(204, 404))
    line = next(ln for ln in out.splitlines() if ln.startswith(REPORT))
    return {"run_s": seconds, **json.loads(line[len(REPORT):])}


def _wait_for_hub(proc: subprocess.Popen, url: str, log: Path, timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"make hub exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the hub did not answer {url} in {timeout} s:\n{log.read_text()[-3000:]}")


def _stop_hub(proc: subprocess.Popen) -> None:
    """SIGTERM: the hub stops every learner's server; then kill whatever we started and is left."""
    try:
        started = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        started = []
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    _, alive = psutil.wait_procs(started, timeout=10)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass


def _memory_enforcement(name: str, pid: int, port: int) -> str:
    """How the learner's memory limit is enforced: their server in its own cgroup, or not."""
    group = f"{room.CGROUP_GROUP}-{port}"  # as jupyterhub_config.py names it
    cgroup = room.MemoryCgroup.for_learner(name, group)  # the hub is our child: same parent
    if cgroup is None or not cgroup.path.exists():
        return "not enforced"
    lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    if not any(line.endswith(f"/{group}/{name}") for line in lines):
        return "not enforced"
    return f"cgroup v{cgroup.version} {cgroup.limit_bytes() // 2**20} MiB"


def _cache_listing(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())


def _append_results(rows: list[dict], scratch: Path) -> Path:
    """Record the measurements: into the committed csv only when COURSE_RECORD_BENCHMARKS=1
    (a deliberate measurement run), else into a scratch copy, so `make test` leaves the tree
    clean."""
    target = RESULTS if os.environ.get("COURSE_RECORD_BENCHMARKS") == "1" else scratch
    new = not target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        if new:
            writer.writeheader()
        writer.writerows(rows)
    return target


def test_make_hub_names_the_fix_for_missing_assets(tmp_path):
    """`make hub` without the shared assets stops with one line naming the command that fixes it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKSHOP_", "COURSE_"))}
    env.update(WORKSHOP_ASSETS=str(tmp_path / "nothing-here"), WORKSHOP_SPAWNER="local",
               WORKSHOP_STATE_DIR=str(tmp_path / "state"))
    res = subprocess.run([sys.executable, str(WORKSHOP / "start_hub.py")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = [ln for ln in res.stdout.splitlines() if "shared course assets" in ln]
    assert len(lines) == 1 and "make assets" in lines[0], res.stdout
    assert not (tmp_path / "state").exists(), "nothing should start when a piece is missing"


@pytest.mark.parametrize("auth, spawner", [("native", "local"), ("tmp", "local"),
                                           ("native", "systemd")])
def test_hub_config_sets_only_real_settings(auth, spawner, tmp_path, monkeypatch):
    """workshop/jupyterhub_config.py in each mode: every setting is a real configurable trait."""
    needed = ["jupyterhub", "nativeauthenticator" if auth == "native" else "tmpauthenticator"]
    if spawner == "systemd":
        needed.append("systemdspawner")
    for module in needed:
        if importlib.util.find_spec(module) is None:
            _missing(f"{module} is not installed: pip install -e '.[workshop]'")
    for var in [v for v in os.environ if v.startswith("WORKSHOP_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("WORKSHOP_AUTH", auth)
    monkeypatch.setenv("WORKSHOP_SPAWNER", spawner)
    monkeypatch.setenv("WORKSHOP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WORKSHOP_ASSETS", str(tmp_path / "assets"))
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator
    from jupyterhub.proxy import ConfigurableHTTPProxy
    from jupyterhub.spawner import Spawner

    app = JupyterHub(raise_config_file_errors=True)
    app.load_config_file(str(WORKSHOP / "jupyterhub_config.py"))  # as `jupyterhub -f` does
    config = app.config
    classes = {"JupyterHub": JupyterHub, "Spawner": Spawner, "Authenticator": Authenticator,
               "ConfigurableHTTPProxy": ConfigurableHTTPProxy,
               "LocalLearnerSpawner": room.LocalLearnerSpawner}
    if auth == "native":
        from nativeauthenticator import NativeAuthenticator
        classes["NativeAuthenticator"] = NativeAuthenticator
    if spawner == "systemd":
        from systemdspawner import SystemdSpawner
        classes["SystemdSpawner"] = SystemdSpawner
    for section, settings in config.items():
        traits = classes[section].class_traits(config=True)
        assert not set(settings) - set(traits), (section, set(settings) - set(traits))
    env = config.Spawner.environment
    assert env["COURSE_PROFILE"] == "offline" and env["COURSE_THREADS"] == "1"
    assert env["COURSE_ASSETS"] == str(tmp_path / "assets")
    assert config.Spawner.mem_limit == sizing.learner_sizing().limit
    assert [s["name"] for s in config.JupyterHub.services] == ["idle-culler"]
    assert "delete:servers" in config.JupyterHub.load_roles[0]["scopes"]
    expected = {"native": "nativeauthenticator.NativeAuthenticator",
                "tmp": "tmpauthenticator.TmpAuthenticator"}[auth]
    assert config.JupyterHub.authenticator_class == expected


@pytest.mark.slow
def test_workshop_hub_three_learners(tmp_path):
    """Three learners, one hub, one lesson each at the same time: isolated, measured."""
    # The pieces `make hub` needs.
    for module in ("jupyterhub", "jupyterhub_idle_culler", "nativeauthenticator"):
        if importlib.util.find_spec(module) is None:
            _missing(f"{module} is not installed: pip install -e '.[workshop]'")
    if shutil.which("node") is None or not room.PROXY_BIN.exists():
        _missing("configurable-http-proxy is not installed: npm ci --prefix workshop")
    source_pack = _shared_pack()
    if not (source_pack / "pack.json").exists():
        _missing(f"no offline pack at {source_pack}: run `make assets`")

    # The room's shared, read-only asset folder: a copy of the built pack, so nothing here can
    # write into the pack itself (no learner is given its path).
    assets = tmp_path / "assets"
    shutil.copytree(source_pack, assets / "offline_pack")
    assets_hash = _tree_hash(assets)
    homes = tmp_path / "homes"
    port, hub_port, api_port = _free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKSHOP_", "COURSE_"))}
    env.update(
        WORKSHOP_SPAWNER="local", WORKSHOP_AUTH="native",
        WORKSHOP_STATE_DIR=str(tmp_path / "state"), WORKSHOP_HOMES=str(homes),
        WORKSHOP_ASSETS=str(assets), WORKSHOP_IP="127.0.0.1",
        WORKSHOP_PORT=str(port), WORKSHOP_HUB_PORT=str(hub_port),
        WORKSHOP_PROXY_API_PORT=str(api_port), WORKSHOP_API_TOKEN=TOKEN,
        WORKSHOP_MAX_LEARNERS=str(len(LEARNERS)),
    )
    limit = sizing.learner_sizing().limit  # what the hub reads from the same csv files
    t_created = time.time()
    log = tmp_path / "hub.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(WORKSHOP / "start_hub.py")], env=env,
                                stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        _wait_for_hub(proc, f"http://127.0.0.1:{port}/hub/health", log)

        async def scenario() -> tuple[dict, dict, dict, dict, dict]:
            hub = Hub(port)
            await hub.call("POST", "/hub/api/users", {"usernames": list(LEARNERS)})
            started = await asyncio.gather(*(hub.start_server(n) for n in LEARNERS))
            start_s = {n: s for n, (s, _) in zip(LEARNERS, started, strict=True)}
            pids = {n: pid for n, (_, pid) in zip(LEARNERS, started, strict=True)}
            server_mib = {n: round(_tree_rss(pid) / 2**20) for n, pid in pids.items()}
            enforced = {n: _memory_enforcement(n, pid, port) for n, pid in pids.items()}
            sampler = MemorySampler(pids)
            sampler.start()
            try:
                runs = await asyncio.wait_for(
                    asyncio.gather(*(_run_lesson(hub, n) for n in LEARNERS)), RUN_TIMEOUT_S)
            finally:
                peaks = sampler.stop()
            for n in LEARNERS:
                await hub.call("DELETE", f"/hub/api/users/{n}/server")
            return start_s, server_mib, dict(zip(LEARNERS, runs, strict=True)), peaks, enforced

        start_s, server_mib, runs, peaks, enforced = asyncio.run(scenario())
    finally:
        _stop_hub(proc)
        for name in LEARNERS:  # normally gone with each server; not if the hub crashed
            cgroup = room.MemoryCgroup.for_learner(name, f"{room.CGROUP_GROUP}-{port}")
            if cgroup is not None:
                cgroup.remove()

    # Each learner: offline profile, one thread, the shared pack, their own cache and folder.
    for name in LEARNERS:
        r, home = runs[name], homes / name
        assert r["user"] == name and r["profile"] == "offline" and r["threads"] == 1, r
        assert Path(r["pack"]) == assets / "offline_pack", r
        assert Path(r["assets"]) == assets, r
        assert Path(r["cache"]) == home / ".cache" / "transfer-learning-course", r
        assert Path(r["cwd"]) == home / "notebooks", r
        assert (home / "notebooks" / NOTEBOOK).exists()
    # Nobody wrote into another learner's cache: each cache holds the same files (the same lesson
    # ran in each), its check file was written by its owner's kernel, and nothing in it predates
    # its owner's server or copies the shared pack.
    caches = {n: homes / n / ".cache" / "transfer-learning-course" for n in LEARNERS}
    listings = {n: _cache_listing(cache) for n, cache in caches.items()}
    assert len({tuple(files) for files in listings.values()}) == 1, listings
    for name, cache in caches.items():
        assert (cache / "workshop_hub_check.txt").read_text() == name, listings
        assert not any(f.startswith("offline_pack") for f in listings[name]), listings
        for f in listings[name]:
            assert (cache / f).stat().st_mtime >= t_created, (name, f)
    assert _tree_hash(assets) == assets_hash, "a learner wrote into the shared asset folder"
    limit_mib = room.parse_bytes(limit) // 2**20
    for name in LEARNERS:
        assert 0 < peaks[name] < limit_mib, (name, peaks[name], limit_mib)

    now = dt.datetime.now(dt.UTC)
    machine = f"{platform.machine()} {os.cpu_count()} cores"
    recorded = _append_results([{
        "run_id": now.strftime("%Y%m%dT%H%M%SZ"), "date": now.date().isoformat(),
        "notebook": NOTEBOOK, "learners": len(LEARNERS),
        "learner": n, "server_start_s": round(start_s[n], 1), "run_s": round(runs[n]["run_s"], 1),
        "server_rss_mib": server_mib[n], "peak_rss_mib": peaks[n], "memory_limit_mib": limit_mib,
        "memory_enforced": enforced[n], "machine": machine} for n in LEARNERS],
        tmp_path / "workshop_hub.csv")
    print(f"\nworkshop hub, {len(LEARNERS)} learners running {NOTEBOOK} (QUICK) at once "
          f"(recorded in {recorded}; COURSE_RECORD_BENCHMARKS=1 appends to the committed csv):")
    for n in LEARNERS:
        print(f"  {n:6s} server start {start_s[n]:5.1f} s  run {runs[n]['run_s']:5.1f} s  "
              f"server {server_mib[n]} MiB  peak {peaks[n]} MiB  memory: {enforced[n]}")
