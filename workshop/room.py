"""The workshop room's settings and the local learner spawner (used by jupyterhub_config.py).

Settings come from ``WORKSHOP_*`` environment variables (listed in :data:`SETTINGS_HELP`), so
``make hub``, the test and an instructor's shell configure the same file the same way.

:class:`LocalLearnerSpawner` runs each learner's server as a local process with its own home
folder. It is what ``make hub`` uses where systemd is absent (containers, laptops) and what the
test uses; on a real server ``WORKSHOP_SPAWNER=systemd`` (SystemdSpawner) is better: a separate
dynamic Unix user per learner and the memory limit enforced by systemd (``MemoryMax``). The local
spawner enforces the limit itself with a memory cgroup per learner when the hub runs as root and
the kernel lets it create one (:class:`MemoryCgroup`); otherwise the limit is only advertised to
the learner's server (``MEM_LIMIT``) and nothing stops a learner from using more.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sizing

ROOT = Path(__file__).resolve().parents[1]
WORKSHOP = ROOT / "workshop"
PROXY_BIN = WORKSHOP / "node_modules" / ".bin" / "configurable-http-proxy"
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_GROUP = "course-workshop"

SETTINGS_HELP = {
    "WORKSHOP_AUTH": "native (sign-up, the instructor approves; default) or tmp (throwaway)",
    "WORKSHOP_ADMIN": "the instructor's account name (native sign-up); default instructor",
    "WORKSHOP_OPEN_SIGNUP": "1 = native sign-ups need no approval; default 0",
    "WORKSHOP_SPAWNER": "auto (systemd when it runs the machine and we are root), systemd, local",
    "WORKSHOP_ASSETS": "the shared read-only asset folder; default /srv/course-assets",
    "WORKSHOP_STATE_DIR": "hub database, cookie secret, local learners' homes",
    "WORKSHOP_HOMES": "learners' home folders with the local spawner; default <state>/homes",
    "WORKSHOP_IP": "address the room connects to; default 0.0.0.0 (every interface)",
    "WORKSHOP_PORT": "port the room connects to; default 8000",
    "WORKSHOP_HUB_PORT": "hub's internal port; default 8081",
    "WORKSHOP_PROXY_API_PORT": "proxy's internal API port; default 8001",
    "WORKSHOP_MEM_LIMIT": "memory limit per learner, e.g. 4096M; default from workshop/sizing.py",
    "WORKSHOP_MAX_LEARNERS": "most servers at once; default what fits this machine's RAM",
    "WORKSHOP_CULL_TIMEOUT": "seconds of inactivity before a server is stopped; default 3600",
    "WORKSHOP_ENFORCE_MEMORY": "auto (a cgroup per learner with the local spawner) or off",
    "WORKSHOP_API_TOKEN": "optional: a token for scripts (the test) to manage learners",
}


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def systemd_runs_machine() -> bool:
    """True when systemd is PID 1 (SystemdSpawner can start units)."""
    return Path("/run/systemd/system").is_dir()


def default_state_dir() -> Path:
    """/srv/course-workshop for root, else a folder in the user's data directory."""
    if os.geteuid() == 0:
        return Path("/srv/course-workshop")
    return Path.home() / ".local" / "share" / "course-workshop"


@dataclass(frozen=True)
class Settings:
    """Everything the room's configuration depends on, read from ``WORKSHOP_*`` variables."""

    auth: str
    admin: str
    open_signup: bool
    spawner: str
    assets: Path
    state_dir: Path
    homes: Path
    ip: str
    port: int
    hub_port: int
    proxy_api_port: int
    mem_limit: str
    max_learners: int
    cull_timeout: int
    enforce_memory: bool
    api_token: str

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings; raise ValueError naming the variable when one is invalid."""
        auth = _env("WORKSHOP_AUTH", "native").lower()
        if auth not in ("native", "tmp"):
            raise ValueError(f"WORKSHOP_AUTH={auth!r}: use native or tmp.")
        spawner = _env("WORKSHOP_SPAWNER", "auto").lower()
        if spawner == "auto":
            spawner = "systemd" if systemd_runs_machine() and os.geteuid() == 0 else "local"
        if spawner not in ("systemd", "local"):
            raise ValueError(f"WORKSHOP_SPAWNER={spawner!r}: use auto, systemd or local.")
        state = Path(_env("WORKSHOP_STATE_DIR", str(default_state_dir()))).expanduser()
        learner = sizing.learner_sizing()
        mem_limit = _env("WORKSHOP_MEM_LIMIT", learner.limit)
        if not re.fullmatch(r"\d+(\.\d+)?[KMGT]?", mem_limit):
            raise ValueError(f"WORKSHOP_MEM_LIMIT={mem_limit!r}: use a size such as 4096M or 4G.")
        total_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
        return cls(
            auth=auth,
            admin=_env("WORKSHOP_ADMIN", "instructor"),
            open_signup=_env("WORKSHOP_OPEN_SIGNUP", "0") == "1",
            spawner=spawner,
            assets=Path(_env("WORKSHOP_ASSETS", "/srv/course-assets")).expanduser(),
            state_dir=state,
            homes=Path(_env("WORKSHOP_HOMES", str(state / "homes"))).expanduser(),
            ip=_env("WORKSHOP_IP", "0.0.0.0"),
            port=int(_env("WORKSHOP_PORT", "8000")),
            hub_port=int(_env("WORKSHOP_HUB_PORT", "8081")),
            proxy_api_port=int(_env("WORKSHOP_PROXY_API_PORT", "8001")),
            mem_limit=mem_limit,
            max_learners=int(_env("WORKSHOP_MAX_LEARNERS",
                                  str(sizing.max_learners(total_mib, learner)))),
            cull_timeout=int(_env("WORKSHOP_CULL_TIMEOUT", "3600")),
            enforce_memory=_env("WORKSHOP_ENFORCE_MEMORY", "auto").lower() != "off",
            api_token=_env("WORKSHOP_API_TOKEN", ""),
        )

    def learner_environment(self) -> dict[str, str]:
        """Variables every learner's server and kernels get (their cache is set at start)."""
        return {
            "COURSE_PROFILE": "offline",
            "COURSE_THREADS": "1",
            "COURSE_MEMORY_SAVER": "1",  # per-learner memory limits: keep the kernel small
            "COURSE_ASSETS": str(self.assets),
            # numpy / scikit-learn thread pools: one per kernel too, the cores are shared
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "WORKSHOP_NOTEBOOKS": str(ROOT / "notebooks"),
        }


def parse_bytes(size: str) -> int:
    """'4096M' -> bytes, with JupyterHub's meaning of K/M/G/T (powers of 1024)."""
    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", size.strip())
    if not match:
        raise ValueError(f"Not a size: {size!r}")
    return int(float(match.group(1)) * units[match.group(2)])


@dataclass(frozen=True)
class MemoryCgroup:
    """A learner's own memory cgroup (v1 ``memory`` controller or v2 with it delegated)."""

    path: Path
    version: int

    @classmethod
    def for_learner(cls, name: str, group: str = CGROUP_GROUP) -> MemoryCgroup | None:
        """Where this learner's cgroup goes: ``group/name`` below the hub's own cgroup (one group
        per hub, so two hubs on one machine never share a learner's cgroup); None when none can
        be made."""
        if os.geteuid() != 0:
            return None
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        try:
            lines = Path("/proc/self/cgroup").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            _, controllers, rel = line.split(":", 2)
            if "memory" in controllers.split(","):
                base = CGROUP_ROOT / "memory" / rel.lstrip("/")
                if (base / "memory.limit_in_bytes").exists():
                    return cls(base / group / safe, 1)
        for line in lines:
            if line.startswith("0::"):
                base = CGROUP_ROOT / line[3:].lstrip("/")
                delegated = base / "cgroup.subtree_control"
                if delegated.exists() and "memory" in delegated.read_text().split():
                    return cls(base / group / safe, 2)
        return None

    def create(self, limit_bytes: int) -> None:
        """Make the cgroup and set its limit (raises OSError when the kernel refuses)."""
        if self.version == 2:
            self.path.parent.mkdir(exist_ok=True)
            (self.path.parent / "cgroup.subtree_control").write_text("+memory")
        self.path.mkdir(parents=True, exist_ok=True)
        limit_file = "memory.limit_in_bytes" if self.version == 1 else "memory.max"
        (self.path / limit_file).write_text(str(limit_bytes))

    def limit_bytes(self) -> int:
        """The limit the kernel enforces."""
        name = "memory.limit_in_bytes" if self.version == 1 else "memory.max"
        return int((self.path / name).read_text().strip())

    def procs_file(self) -> str:
        """The file a process writes its pid into to join (read by the preexec function)."""
        return str(self.path / "cgroup.procs")

    def remove(self) -> None:
        """Remove the cgroup, and its group once empty (quietly leaves what is still in use)."""
        for folder in (self.path, self.path.parent):
            try:
                folder.rmdir()
            except OSError:
                return


def copy_course_notebooks(src: Path, dest: Path) -> list[Path]:
    """Copy the lessons into a learner's folder, never over a file they already have."""
    copied: list[Path] = []
    for item in sorted(src.rglob("*")):
        if ".ipynb_checkpoints" in item.parts or not item.is_file():
            continue
        target = dest / item.relative_to(src)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(item, target)
        copied.append(target)
    return copied


@cache
def _local_spawner_class():
    """Build the spawner class lazily (importing jupyterhub only inside the hub)."""
    from jupyterhub.spawner import SimpleLocalProcessSpawner

    class LocalLearnerSpawner(SimpleLocalProcessSpawner):
        """A local server per learner: own home folder, own memory cgroup when possible."""

        # Plain class attributes, set by jupyterhub_config.py from the room's settings.
        enforce_memory: bool = True  # each server (and its kernels) in a cgroup with mem_limit
        cgroup_group: str = CGROUP_GROUP  # the group below the hub's cgroup holding learners'

        def _cgroup(self) -> MemoryCgroup | None:
            if not self.enforce_memory:
                return None
            return MemoryCgroup.for_learner(self.user.name, self.cgroup_group)

        async def start(self):
            self._procs_file = None
            cgroup = self._cgroup()
            if cgroup is not None and self.mem_limit:
                try:
                    cgroup.create(int(self.mem_limit))
                    self._procs_file = cgroup.procs_file()
                    self.log.info("%s: memory limit %d MiB enforced by cgroup %s",
                                  self.user.name, int(self.mem_limit) // 2**20, cgroup.path)
                except OSError as exc:
                    self.log.warning("%s: memory limit not enforced (cgroup %s: %s)",
                                     self.user.name, cgroup.path, exc)
            elif self.mem_limit:
                self.log.warning("%s: memory limit not enforced (no writable memory cgroup; "
                                 "use WORKSHOP_SPAWNER=systemd on a real server)", self.user.name)
            return await super().start()

        def make_preexec_fn(self, name):
            base = super().make_preexec_fn(name)
            procs_file = getattr(self, "_procs_file", None)

            def preexec():
                if procs_file:  # join the cgroup before exec: every kernel inherits it
                    fd = os.open(procs_file, os.O_WRONLY)
                    try:
                        os.write(fd, str(os.getpid()).encode())
                    finally:
                        os.close(fd)
                base()

            return preexec

        async def stop(self, now=False):
            await super().stop(now=now)
            cgroup = self._cgroup()
            if cgroup is not None:
                cgroup.remove()

    return LocalLearnerSpawner


def __getattr__(name: str):
    if name == "LocalLearnerSpawner":
        return _local_spawner_class()
    raise AttributeError(name)
