"""JupyterHub for ITP Toolkit on one machine (``./dev.sh hub`` starts it through ``launch.py``).

Everything the hub needs comes from the environment ``launch.py`` sets (``ITP_HUB_*``); the admin database
URL (``ITP_HUB_ADMIN_URL``) stays in this process. Per person:

- the pre-spawn hook syncs them from their hub groups (``itp-admins``, ``itp-supervisors``,
  ``itp-trainees``, ``itp-cohort-<name>``; ``itp_toolkit.services.hub_sync``), makes or updates their own
  PostgreSQL role as ``itp db grant`` does, with a new password at every start, and hands their server
  ``ITP_DATABASE_URL`` (their role, no password) and ``PGPASSWORD``; nothing else of the hub's environment;
- their server is JupyterLab with Voila; the toolkit's pages for their role are copied into ``pages/`` in
  their folder at every start (``/user/<name>/voila/render/pages/trainee_workspace.ipynb``);
- the projector board is a hub service: standalone Voila behind the hub's sign-in (supervisors only),
  acting for the board's own admin person through a role whose transactions are read-only.

Swaps for a real clinic (single sign-on, one Unix account or container per person) are in docs/deploy.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from itp_toolkit.cli.serve import voila_command
from itp_toolkit.services import hub_sync
from itp_toolkit.services.workspace import DEMO_COHORT, DEMO_SUPERVISORS, DEMO_TRAINEES

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - JupyterHub provides it

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # itp_hub_hooks, itp_hub_auth
from itp_hub_hooks import pre_spawn_hook  # noqa: E402

REPO = HERE.parents[1]
NOTEBOOKS = REPO / "notebooks"
BIN = Path(sys.executable).parent
STATE = Path(os.environ["ITP_HUB_STATE"])
ADMIN_URL = os.environ["ITP_HUB_ADMIN_URL"]
PREFIX = os.environ.get("ITP_HUB_ROLE_PREFIX", "itp")
ADMIN_USER = os.environ.get("ITP_HUB_ADMIN_USER", "director")
BOARD_USER = os.environ.get("ITP_HUB_BOARD_USER", "projector")
PORT = int(os.environ.get("ITP_HUB_PORT", "8000"))
DEMO = os.environ.get("ITP_HUB_DEMO") == "1"
USER_DB_URL = os.environ.get("ITP_HUB_USER_DATABASE_URL") or None  # e.g. a pooler in front of PostgreSQL

# ---------------------------------------------------------------- the hub and its proxy, on 127.0.0.1 only
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}/"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("ITP_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('ITP_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.admin_access = False  # no hub admin opens someone else's server (it would act as them)

# ---------------------------------------------------------------- who may sign in
if DEMO:
    # The demo roster, one shared password (printed by launch.py). Swap for OAuthenticator or LTI 1.3.
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["ITP_HUB_DEMO_PASSWORD"]
    trainees = [u for u, _ in DEMO_TRAINEES]
    supervisors = [u for u, _ in DEMO_SUPERVISORS]
    c.Authenticator.allowed_users = {ADMIN_USER, *supervisors, *trainees}
    c.JupyterHub.load_groups = {
        hub_sync.ADMINS_GROUP: {"users": [ADMIN_USER]},
        hub_sync.SUPERVISORS_GROUP: {"users": supervisors},
        hub_sync.TRAINEES_GROUP: {"users": trainees},
        f"{hub_sync.COHORT_GROUP_PREFIX}demo": {
            "users": [*supervisors, *trainees],
            "properties": {hub_sync.COHORT_NAME_PROPERTY: DEMO_COHORT},
        },
    }

# Supervisors and admins may open the projector board; the sync service may read users and groups.
c.JupyterHub.load_roles = [
    {
        "name": "itp-board-viewer",
        "description": "Open the workshop projector board",
        "groups": [hub_sync.SUPERVISORS_GROUP, hub_sync.ADMINS_GROUP],
        "scopes": ["access:services!service=projector"],
    },
    {
        "name": "itp-roster-reader",
        "description": "Read users and groups for itp people sync-hub",
        "services": ["itp-sync"],
        "scopes": ["list:users", "read:users:name", "read:users:groups", "list:groups", "read:groups"],
    },
]

# ---------------------------------------------------------------- one server per person
c.JupyterHub.spawner_class = "simple"  # one Unix account for all: a demo only (docs/deploy.md)
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.env_keep = []  # nothing of the hub's environment (the admin URL lives there)
_path = os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"])
c.Spawner.environment = {
    "PATH": _path,
    "ITP_WORKSPACE": str(STATE / "workspace"),
    "JUPYTER_PLATFORM_DIRS": "1",
    **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
}
c.Spawner.args = [
    # Culling in each server: an idle Voila page's kernel goes after 10 minutes.
    "--MappingKernelManager.cull_idle_timeout=600",
    "--MappingKernelManager.cull_interval=60",
    "--VoilaConfiguration.show_tracebacks=False",
]
if os.geteuid() == 0:  # CI and containers run as root; Jupyter refuses that unless told
    c.Spawner.args.append("--allow-root")

provisioner = hub_sync.ServerProvisioner(
    ADMIN_URL, actor=ADMIN_USER, prefix=PREFIX, user_base_url=USER_DB_URL
)


c.Spawner.pre_spawn_hook = pre_spawn_hook(provisioner, notebooks=NOTEBOOKS, pages_into_home=True)
c.Spawner.notebook_dir = str(STATE / "users" / "{username}")

# ---------------------------------------------------------------- services
_board_port = int(os.environ.get("ITP_HUB_BOARD_PORT", "8071"))
for _folder in ("board-home", "board-runtime", "board-data", "board-config"):
    (STATE / _folder).mkdir(mode=0o700, exist_ok=True)
_sync_token_file = STATE / "sync-token"
if not _sync_token_file.exists():
    _sync_token_file.touch(mode=0o600)
    _sync_token_file.write_text(hub_sync.new_secret() + "\n", encoding="utf-8")
_board_env = hub_sync.board_environment(ADMIN_URL, BOARD_USER, prefix=PREFIX, user_base_url=USER_DB_URL)
c.JupyterHub.services = [
    {
        # The projector board: standalone Voila (the browser can send widget messages only, never code)
        # behind the hub's OAuth sign-in; only supervisors and admins hold access:services!service=projector.
        "name": "projector",
        "url": f"http://127.0.0.1:{_board_port}",
        "oauth_no_confirm": True,
        # The toolkit's hardened Voila (itp serve's: frame checks, kernel caps, Host/Origin checks), answering
        # at the hub's public address, with the hub's sign-in in place of a per-run token.
        "command": [
            *voila_command(
                NOTEBOOKS / "workshop_progress.ipynb",
                _board_port,
                600,
                connection_root=STATE / "board-runtime",
                allowed_hosts=[f"127.0.0.1:{PORT}", f"localhost:{PORT}"],
            ),
            "--Voila.base_url=/services/projector/",
            "--Voila.identity_provider_class=itp_hub_auth.ServiceIdentityProvider",
            "--Voila.authorizer_class=jupyterhub.singleuser.extension.JupyterHubAuthorizer",
        ],
        "environment": {
            "PATH": _path,
            "ITP_WORKSPACE": str(STATE / "board-workspace"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "JUPYTER_RUNTIME_DIR": str(STATE / "board-runtime"),
            "JUPYTER_DATA_DIR": str(STATE / "board-data"),
            "JUPYTER_CONFIG_DIR": str(STATE / "board-config"),
            "HOME": str(STATE / "board-home"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
            **_board_env,
        },
    },
    {
        # A token for `itp people sync-hub --token-file <state>/sync-token` (read users and groups only).
        "name": "itp-sync",
        "api_token": _sync_token_file.read_text(encoding="utf-8").strip(),
        "display": False,
    },
]
