"""JupyterHub for a workshop room on one server: `make hub` (workshop/start_hub.py) starts it.

Every learner gets their own single-user server with the offline profile and one torch thread,
reads the room's shared asset folder (``COURSE_ASSETS``, read-only, built once) and writes only
into their own cache (``~/.cache/transfer-learning-course`` in their home), starts in their own
copy of the lessons, and is held to a memory limit taken from the measured notebook peaks
(workshop/sizing.py). Idle servers are stopped by jupyterhub-idle-culler.

Switches are ``WORKSHOP_*`` environment variables (room.SETTINGS_HELP lists them), e.g.
``WORKSHOP_AUTH=tmp make hub`` for throwaway accounts instead of sign-up with approval.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import room  # noqa: E402

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)
settings = room.Settings.from_env()
state = settings.state_dir
state.mkdir(parents=True, exist_ok=True)

# Network: the room connects to the proxy; the hub and the proxy's API stay on localhost.
c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings.hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(room.PROXY_BIN)]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.active_server_limit = settings.max_learners

# Accounts.
if settings.auth == "native":
    # Learners sign up at /hub/signup; the instructor (who signs up first under WORKSHOP_ADMIN)
    # approves them at /hub/authorize. Accounts keep their work across browsers and breaks.
    import nativeauthenticator

    c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
    c.JupyterHub.template_paths = [str(Path(nativeauthenticator.__file__).parent / "templates")]
    c.NativeAuthenticator.open_signup = settings.open_signup
    c.NativeAuthenticator.minimum_password_length = 6
    c.Authenticator.admin_users = {settings.admin}
else:
    # Anyone who opens the address gets a fresh anonymous account (lost with the cookie).
    c.JupyterHub.authenticator_class = "tmpauthenticator.TmpAuthenticator"
# Who may log in is decided by the authenticator (approval or throwaway), not by a list.
c.Authenticator.allow_all = True

# One server per learner.
c.Spawner.cmd = [sys.executable, str(HERE / "learner_start.py")]
c.Spawner.default_url = "/lab/tree/notebooks/00_setup_and_tour.ipynb"
c.Spawner.environment = settings.learner_environment()
c.Spawner.mem_limit = settings.mem_limit
c.Spawner.cpu_limit = 1.0  # enforced by systemd (CPUQuota); advertised only by the local spawner
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120  # 30 servers starting at 9:00 on a few cores are slow
if settings.spawner == "systemd":
    # A dynamic Unix user per learner (home /var/lib/<name>), MemoryMax and CPUQuota from the
    # limits above; the shared assets and the course checkout are mounted read-only for them.
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.dynamic_users = True
    c.SystemdSpawner.readonly_paths = [str(settings.assets), str(room.ROOT)]
    c.SystemdSpawner.isolate_tmp = True
    c.SystemdSpawner.disable_user_sudo = True
else:
    spawner = room.LocalLearnerSpawner
    c.JupyterHub.spawner_class = spawner
    c.LocalLearnerSpawner.home_dir_template = str(settings.homes / "{username}")
    spawner.enforce_memory = settings.enforce_memory
    spawner.cgroup_group = f"{room.CGROUP_GROUP}-{settings.port}"  # one per hub on a machine
    if os.geteuid() == 0:  # every learner runs as the hub's user here
        c.Spawner.args = ["--ServerApp.allow_root=True"]

# Services: the idle culler, and optionally a token for scripts that manage learners.
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={settings.cull_timeout}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
if settings.api_token:
    c.JupyterHub.services.append({"name": "workshop-admin", "api_token": settings.api_token})
    c.JupyterHub.load_roles.append({
        "name": "workshop-admin",
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users"],
        "services": ["workshop-admin"],
    })
