"""``itp serve``: the toolkit's pages as a standalone Voila server on this machine.

Standalone Voila, not the JupyterLab ``/voila/render`` route: the browser can only send widget messages to
the kernel, never code. The landing page is ``index.ipynb`` (``/voila/render/index.ipynb``): it lists the
trainee, supervisor, workshop and case-library pages, and in a demo workspace "open as" links
(``?as=<username>``; Voila hands the query string to each page's kernel as ``$QUERY_STRING``, and
``apps.identity`` honours it only when the workspace file says ``demo: true``). Sources are stripped,
tracebacks hidden, idle kernels culled (Voila leaks a kernel per closed tab otherwise), and it listens on
127.0.0.1 only; put JupyterHub or a proxy in front for others.

Voila runs as ``python -m itp_toolkit.server`` (``itp_toolkit.server``): it answers only at its own address,
checks every websocket frame before parsing it, caps live kernels, and, for a workspace that is not a demo,
asks for a token made for this run (printed once in the landing URL, then kept in a cookie). Stopping
``itp serve`` (Ctrl-C, SIGTERM) stops Voila and every kernel (``server.process``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

from ..errors import ITPError

REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def count(text: str) -> int:
    """An argparse type: a whole number, 0 or more (0 turns a cap off)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve the trainee/supervisor pages with standalone Voila on 127.0.0.1")
    p.add_argument(
        "--workspace", type=Path, default=None, help="workspace directory (default: $ITP_WORKSPACE or .)"
    )
    p.add_argument("--notebooks", type=Path, default=REPO_NOTEBOOKS, help="folder of page notebooks")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument(
        "--cull-idle", type=int, default=600, help="seconds before an idle page's kernel is stopped"
    )
    p.add_argument(
        "--cull-unconnected",
        type=count,
        default=CULL_UNCONNECTED,
        help="seconds before the kernel of a page that never connected is stopped (0: never)",
    )
    p.add_argument(
        "--max-kernels", type=count, default=MAX_KERNELS, help="open pages (kernels) at most; 0: no cap"
    )
    p.add_argument(
        "--max-kernels-per-client",
        type=count,
        default=MAX_KERNELS_PER_CLIENT,
        help="open pages one client address may have; 0: no cap",
    )
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME[:PORT]",
        help="also answer to this Host (a proxy in front); 127.0.0.1 and localhost always",
    )
    p.add_argument(
        "--preheat",
        type=count,
        default=0,
        metavar="N",
        help="keep N trainee-page kernels started in advance (a workshop room opening the page at once); "
        "they count against --max-kernels; 0: off",
    )
    p.add_argument(
        "--refill-after",
        type=count,
        default=REFILL_AFTER_QUIET,
        metavar="SECONDS",
        help="with --preheat: refill the pool once no page has taken a kernel for this long "
        f"(default {REFILL_AFTER_QUIET}: not while a room is still arriving; 0: at once)",
    )
    p.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    p.set_defaults(handler=run)


LANDING = "index.ipynb"
MAX_KERNELS = 40
MAX_KERNELS_PER_CLIENT = 6
CULL_UNCONNECTED = 60
REFILL_AFTER_QUIET = 20
"""Seconds without a page taking a preheated kernel before the pool is refilled (``PooledKernels``)."""
SERVER_MODULE = "itp_toolkit.server"
KERNEL_MANAGER = "itp_toolkit.server.kernels.GuardedKernelManager"
KERNEL_CONNECTION = "itp_toolkit.server.connection.GuardedKernelConnection"
TEMPLATE = "itp"
"""The toolkit's Voila template (``itp_toolkit/server/jupyter/voila/templates/itp``): no CDN requests."""
KERNEL_SPECS = "itp_toolkit.server.page_kernel.PageKernelSpecManager"
PRELOADING_KERNEL_SPECS = "itp_toolkit.server.page_kernel.PreloadingKernelSpecManager"
IOPUB_TIMEOUT = 60
"""Seconds Voila's executor waits for a cell's outputs after the cell finished (its default, 4, drops the
outputs of a page rendered while the server is busy opening many others)."""


def landing_url(port: int, token: str | None = None) -> str:
    return f"http://127.0.0.1:{port}/voila/render/{LANDING}" + (f"?token={token}" if token else "")


def cull_interval(cull_unconnected: int) -> int:
    """How often kernels are checked for culling: often enough that a never-connected page's kernel goes
    within about 1.25 times its timeout (at most every 60 s)."""
    return max(1, min(60, cull_unconnected // 4)) if cull_unconnected > 0 else 60


UNIX_SOCKET_PATH_MAX = 107
"""Bytes in a Unix socket path (sun_path less its final NUL on Linux)."""
KERNEL_SOCKET_NAME = "/voila_xxxxxxxx/kernel-00000000-0000-0000-0000-000000000000-ipc-9"
"""Where Voila puts a kernel's sockets under its connection root: a ``voila_*`` temporary folder each."""


def kernel_transport(connection_root: str | Path) -> str:
    """How Voila talks to its kernels: ``ipc`` (Unix sockets under ``connection_root``) when their paths fit.

    Over ``tcp`` the kernel manager picks free ports and lets them go before the kernel binds them; when many
    pages open at once another process can take one in between ("Address already in use") and that page's
    kernel dies (seen with 30 pages opened together). Unix sockets cannot collide, and live in a folder only
    this user can open. A connection root too deep for a socket path falls back to ``tcp``."""
    fits = len(str(connection_root).encode()) + len(KERNEL_SOCKET_NAME) <= UNIX_SOCKET_PATH_MAX
    return "ipc" if fits else "tcp"


PREHEATED = "trainee_workspace.ipynb"
"""The page a workshop room opens at once: the one notebook whose kernels ``--preheat`` starts in advance."""


def preheat_flags(pool: int, refill_after: int = REFILL_AFTER_QUIET) -> list[str]:
    """Voila's preheated kernels for the trainee page only: ``pool`` kernels started (and the notebook run up
    to the point where it needs the request: ``apps.identity`` waits there for who is asking) before anyone
    opens the page. Every other page starts its kernel on request."""
    pools = {"default": {"pool_size": 0}, PREHEATED: {"pool_size": pool}}
    return [
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools, separators=(',', ':'))}",
        f"--GuardedKernelManager.refill_after_quiet={refill_after}",
    ]


def voila_command(
    notebooks: Path,
    port: int,
    cull_idle: int,
    *,
    connection_root: Path | None = None,
    max_kernels: int = MAX_KERNELS,
    max_kernels_per_client: int = MAX_KERNELS_PER_CLIENT,
    cull_unconnected: int = CULL_UNCONNECTED,
    allowed_hosts: list[str] | tuple[str, ...] = (),
    preheat: int = 0,
    refill_after: int = REFILL_AFTER_QUIET,
) -> list[str]:
    """The standalone Voila command (the toolkit's Voila, ``itp_toolkit.server``); with ``connection_root``,
    kernels' connection files (and, when the path fits, their Unix sockets) go there instead of the system
    temporary folder."""
    if importlib.util.find_spec("voila") is None:
        raise ITPError("voila is not installed in this environment (run ./dev.sh setup)")
    root = Path(connection_root) if connection_root is not None else Path(tempfile.gettempdir())
    kernel_specs = PRELOADING_KERNEL_SPECS if preheat else KERNEL_SPECS
    command = [
        sys.executable,
        "-m",
        SERVER_MODULE,
        str(notebooks),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaConfiguration.template={TEMPLATE}",
        f"--VoilaConfiguration.multi_kernel_manager_class={KERNEL_MANAGER}",
        f"--Voila.kernel_websocket_connection_class={KERNEL_CONNECTION}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={cull_interval(cull_unconnected)}",
        "--MappingKernelManager.cull_connected=False",
        f"--GuardedKernelManager.max_kernels={max_kernels}",
        f"--GuardedKernelManager.max_kernels_per_client={max_kernels_per_client}",
        f"--GuardedKernelManager.cull_unconnected_timeout={cull_unconnected}",
        f"--KernelManager.transport={kernel_transport(root)}",
        f"--VoilaConfiguration.kernel_spec_manager_class={kernel_specs}",
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT}",
    ]
    if preheat:
        command += preheat_flags(preheat, refill_after)
    command += [f"--ITPVoila.allowed_hosts={host}" for host in allowed_hosts]
    if connection_root is not None:
        command.append(f"--Voila.connection_dir_root={root}")
    return command


def run(args) -> int:
    from ..server import TOKEN_VAR
    from ..server.process import run_supervised
    from ..services.workspace import Workspace

    ws = Workspace.open(args.workspace)
    if args.max_kernels and args.preheat >= args.max_kernels:
        raise ITPError(f"--preheat {args.preheat} leaves no room under --max-kernels {args.max_kernels}")
    if not args.notebooks.is_dir():
        raise ITPError(f"{args.notebooks}: no such folder of notebooks")
    env = dict(os.environ, ITP_WORKSPACE=str(ws.path))
    # Keep Jupyter's runtime files out of the user's home directory (and short enough for kernel sockets).
    runtime = Path(tempfile.mkdtemp(prefix="itp-serve-"))
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    env.setdefault("JUPYTER_RUNTIME_DIR", str(runtime / "runtime"))
    # Kernels' connection files and sockets in this server's own private folder (short: sockets fit).
    cmd = voila_command(
        args.notebooks,
        args.port,
        args.cull_idle,
        connection_root=runtime,
        max_kernels=args.max_kernels,
        max_kernels_per_client=args.max_kernels_per_client,
        cull_unconnected=args.cull_unconnected,
        allowed_hosts=args.allowed_host,
        preheat=args.preheat,
        refill_after=args.refill_after,
    )
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    # A workspace with real people needs this run's token (a demo's pages are open to this machine).
    token = None if ws.config.demo else secrets.token_urlsafe(24)
    if token:
        env[TOKEN_VAR] = token
    print(
        f"ITP Toolkit pages for workspace {ws.path}: {landing_url(args.port, token)}  (Ctrl-C to stop)",
        flush=True,
    )
    if ws.config.demo:
        print(
            "Demo workspace: the landing page has 'open as' links for each demo person (?as=<username>).",
            flush=True,
        )
    else:
        print(
            "Open the address above once (it holds this run's token); the browser then keeps a login cookie.",
            flush=True,
        )
    return run_supervised(cmd, env)
