"""Voila and JupyterLab servers on free ports, for browser tests and the benchmark.

Each server gets its own JUPYTER_* directories in a temporary folder (nothing is written to the home
directory), listens on 127.0.0.1 only, and is stopped (with its kernels) when the ``with`` block ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType

from itp_toolkit.cli.serve import MAX_KERNELS, MAX_KERNELS_PER_CLIENT, REPO_NOTEBOOKS, voila_command
from itp_toolkit.server import TOKEN_VAR
from itp_toolkit.services.workspace import WORKSPACE_VAR, Workspace
from tests.browser.site import server_env

BIN = Path(sys.executable).parent
START_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    ready_path = "/"

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, log: Path, port: int):
        self.command, self.env, self.cwd, self.log_path, self.port = command, env, cwd, log, port
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> _Server:
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.command[0]} exited early:\n{self.log()}")
            try:
                urllib.request.urlopen(self.base_url + self.ready_path, timeout=2)
                return self
            except urllib.error.HTTPError:
                return self  # any HTTP answer (404 included) means it is serving
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"{self.command[0]} did not answer within {START_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def __exit__(self, et: type | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self.process is not None and self.process.poll() is None:
            # Our own process group (start_new_session): the server and the kernels it started.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self._log.close()


class VoilaServer(_Server):
    """Standalone Voila serving one notebook (``/`` renders it; every GET starts a kernel)."""

    ready_path = "/voila/static/"

    def __init__(self, notebook: Path, extra_env: dict[str, str], workdir: Path, *, preheat: bool = False):
        jupyter_dir = Path(tempfile.mkdtemp(prefix="jupyter-", dir=workdir))
        port = free_port()
        command = [
            str(BIN / "voila"),
            str(notebook),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--MappingKernelManager.cull_idle_timeout=120",
            "--MappingKernelManager.cull_interval=30",
        ]
        if preheat:
            command += ["--preheat_kernel=True", "--pool_size=1"]
        super().__init__(
            command, server_env(extra_env, jupyter_dir), notebook.parent, workdir / f"voila-{port}.log", port
        )


class JupyterLabServer(_Server):
    """Real JupyterLab on a free port with a random token (it refuses root without --allow-root)."""

    def __init__(self, root_dir: Path, extra_env: dict[str, str], workdir: Path):
        jupyter_dir = Path(tempfile.mkdtemp(prefix="jupyter-", dir=workdir))
        port = free_port()
        self.token = secrets.token_hex(16)
        command = [
            str(BIN / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={root_dir}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.open_browser=False",
        ]
        super().__init__(
            command, server_env(extra_env, jupyter_dir), root_dir, workdir / f"lab-{port}.log", port
        )
        self.ready_path = "/api/status?token=" + self.token


class ServeServer(_Server):
    """The toolkit's Voila over the notebooks folder with exactly the flags ``itp serve`` uses (kernel caps
    included: a test or benchmark that opens more pages at once than one client may passes its own), and, as
    ``itp serve`` does, a token for a workspace that is not a demo (``page`` adds it to the URL)."""

    ready_path = "/voila/static/"

    def __init__(
        self,
        workspace: Path,
        workdir: Path,
        *,
        max_kernels: int = MAX_KERNELS,
        max_kernels_per_client: int = MAX_KERNELS_PER_CLIENT,
        preheat: int = 0,
        extra_env: dict[str, str] | None = None,
        extra_args: list[str] | tuple[str, ...] = (),
    ):
        jupyter_dir = Path(tempfile.mkdtemp(prefix="jupyter-", dir=workdir))
        port = free_port()
        env = server_env({WORKSPACE_VAR: str(workspace), **(extra_env or {})}, jupyter_dir)
        # As `itp serve` does: a short private folder for kernel connections, so they use Unix sockets.
        self._runtime = tempfile.mkdtemp(prefix="itp-rt-")
        env["JUPYTER_RUNTIME_DIR"] = self._runtime
        ws = Workspace.open(workspace)
        try:
            self.token = None if ws.config.demo else secrets.token_urlsafe(16)
        finally:
            ws.close()
        if self.token:
            env[TOKEN_VAR] = self.token
        command = voila_command(
            REPO_NOTEBOOKS,
            port,
            cull_idle=300,
            connection_root=Path(self._runtime),
            max_kernels=max_kernels,
            max_kernels_per_client=max_kernels_per_client,
            preheat=preheat,
        )
        command += list(extra_args)
        super().__init__(command, env, REPO_NOTEBOOKS, workdir / f"serve-{port}.log", port)

    def __exit__(self, et: type | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        super().__exit__(et, ev, tb)
        shutil.rmtree(self._runtime, ignore_errors=True)

    def page(self, notebook: str, as_user: str | None = None) -> str:
        params = {"as": as_user, "token": self.token}
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v})
        return f"{self.base_url}/voila/render/{notebook}" + (f"?{query}" if query else "")
