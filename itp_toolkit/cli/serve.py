"""``itp serve``: the toolkit's pages as a standalone Voila server on this machine.

Standalone Voila, not the JupyterLab ``/voila/render`` route: the browser can only send widget messages to
the kernel, never code. The landing page is ``index.ipynb`` (``/voila/render/index.ipynb``): it lists the
trainee, supervisor, workshop and case-library pages, and in a demo workspace "open as" links
(``?as=<username>``; Voila hands the query string to each page's kernel as ``$QUERY_STRING``, and
``apps.identity`` honours it only when the workspace file says ``demo: true``). Sources are stripped, tracebacks hidden, idle kernels culled (Voila leaks a kernel
per closed tab otherwise), and it listens on 127.0.0.1 only; put JupyterHub or a proxy in front for others.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import ITPError

REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


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
    p.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    p.set_defaults(handler=run)


LANDING = "index.ipynb"


def landing_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/voila/render/{LANDING}"


UNIX_SOCKET_PATH_MAX = 107
"""Bytes in a Unix socket path (sun_path less its final NUL on Linux)."""
KERNEL_SOCKET_NAME = "/voila_xxxxxxxx/kernel-00000000-0000-0000-0000-000000000000-ipc-9"
"""Where Voila puts a kernel's sockets under its connection root: a ``voila_*`` temporary folder per server."""


def kernel_transport(connection_root: str | Path) -> str:
    """How Voila talks to its kernels: ``ipc`` (Unix sockets under ``connection_root``) when their paths fit.

    Over ``tcp`` the kernel manager picks free ports and lets them go before the kernel binds them; when many
    pages open at once another process can take one in between ("Address already in use") and that page's
    kernel dies (seen with 30 pages opened together). Unix sockets cannot collide, and live in a folder only
    this user can open. A connection root too deep for a socket path falls back to ``tcp``."""
    fits = len(str(connection_root).encode()) + len(KERNEL_SOCKET_NAME) <= UNIX_SOCKET_PATH_MAX
    return "ipc" if fits else "tcp"


def voila_command(
    notebooks: Path, port: int, cull_idle: int, *, connection_root: Path | None = None
) -> list[str]:
    """The standalone Voila command; with ``connection_root``, kernels' connection files (and, when the path
    fits, their Unix sockets) go there instead of the system temporary folder."""
    voila = shutil.which("voila", path=os.path.dirname(sys.executable)) or shutil.which("voila")
    if voila is None:
        raise ITPError("voila is not installed in this environment (run ./dev.sh setup)")
    root = Path(connection_root) if connection_root is not None else Path(tempfile.gettempdir())
    command = [
        voila,
        str(notebooks),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
        f"--KernelManager.transport={kernel_transport(root)}",
    ]
    if connection_root is not None:
        command.append(f"--Voila.connection_dir_root={root}")
    return command


def run(args) -> int:
    from ..services.workspace import Workspace

    ws = Workspace.open(args.workspace)
    if not args.notebooks.is_dir():
        raise ITPError(f"{args.notebooks}: no such folder of notebooks")
    env = dict(os.environ, ITP_WORKSPACE=str(ws.path))
    # Keep Jupyter's runtime files out of the user's home directory (and short enough for kernel sockets).
    runtime = Path(tempfile.mkdtemp(prefix="itp-serve-"))
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    env.setdefault("JUPYTER_RUNTIME_DIR", str(runtime / "runtime"))
    # Kernels' connection files and sockets in this server's own private folder (short: sockets fit).
    cmd = voila_command(args.notebooks, args.port, args.cull_idle, connection_root=runtime)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    print(
        f"ITP Toolkit pages for workspace {ws.path}: {landing_url(args.port)}  (Ctrl-C to stop)", flush=True
    )
    if ws.config.demo:
        print(
            "Demo workspace: the landing page has 'open as' links for each demo person (?as=<username>).",
            flush=True,
        )
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0
