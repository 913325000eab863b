"""A real ``itp serve`` for the server tests, bounded in time and memory, and raw clients to attack it.

``served(workspace, *flags)`` runs ``python -m itp_toolkit serve`` exactly as a user would (its own session,
Jupyter's folders in a temporary directory) and waits until it answers. Every process under it (Voila, each
kernel) is recorded whenever the test looks (``Served.processes``) and by a watchdog thread, which also kills
the whole tree if it grows past ``MEMORY_LIMIT`` (a test then fails instead of eating the machine). At the end
every recorded process still running is killed, so a server left behind by a failing test (or by the code
under test) cannot outlive it. Processes are read with psutil (a dependency of ipykernel), not with the
toolkit's own ``server.process``, so the stopping test does not check the code with itself.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import websocket

from itp_toolkit.cli import main as itp
from tests.browser.servers import free_port
from tests.browser.site import server_env

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120
ANSWER_TIMEOUT = 20
"""A hang guard, not a timing claim: an idle server answers a static-file request in milliseconds."""
MEMORY_LIMIT = 3 * 1024**3
"""RSS of the whole server tree (Voila and its kernels) past which the watchdog kills it."""
PAGE_KERNEL = "-m itp_toolkit.server.page_kernel"
"""How a page's kernel shows on its command line (``itp serve`` and ``itp publish`` start it)."""
V1 = "v1.kernel.websocket.jupyter.org"


class Served:
    """One running server (``itp serve``, or plain ``voila`` for a published app) and what it started."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        cwd: Path,
        port: int,
        workdir: Path,
        page_path: str = "/voila/render/{notebook}",
    ):
        self.port, self.page_path = port, page_path
        self.log_path = workdir / f"serve-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (open while the server runs)
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.seen: dict[int, psutil.Process] = {self.process.pid: psutil.Process(self.process.pid)}
        self.killed_for_memory = False
        self._watching = True
        self._watchdog = threading.Thread(target=self._watch, daemon=True)
        self._watchdog.start()
        self._wait_until_answering()
        match = re.search(r"\?token=([A-Za-z0-9_\-]+)", self.log())
        self.token = match.group(1) if match else None

    # -- processes ----------------------------------------------------------------------------------------

    def processes(self) -> dict[int, psutil.Process]:
        """Every live process under ``itp serve`` now (recorded for the final clean-up)."""
        found: dict[int, psutil.Process] = {}
        try:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                found[child.pid] = child
        except psutil.NoSuchProcess:
            pass
        self.seen.update(found)
        return found

    def kernels(self) -> list[psutil.Process]:
        out = []
        for proc in self.processes().values():
            try:
                command = " ".join(proc.cmdline())
                if "ipykernel_launcher" in command or PAGE_KERNEL in command:
                    out.append(proc)
            except psutil.Error:
                pass
        return out

    def _watch(self) -> None:
        while self._watching:
            total = 0
            for proc in [self.seen[self.process.pid], *self.processes().values()]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            if total > MEMORY_LIMIT:
                self.killed_for_memory = True
                self.kill_everything()
                return
            time.sleep(0.5)

    def kill_everything(self) -> None:
        self.processes()
        for proc in self.seen.values():
            with contextlib.suppress(psutil.Error):
                proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def close(self) -> None:
        self._watching = False
        self.kill_everything()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    # -- HTTP ---------------------------------------------------------------------------------------------

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"itp serve exited early:\n{self.log()[-3000:]}")
            try:
                self.get("/voila/static/", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"itp serve did not answer within {START_TIMEOUT} s:\n{self.log()[-3000:]}")

    def get(
        self, path: str, *, headers: dict[str, str] | None = None, timeout: float = ANSWER_TIMEOUT
    ) -> tuple[int, dict[str, str], str]:
        """(status, headers, body) of a GET with exactly these headers (Host included if given)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read().decode("utf-8", "replace"),
            )
        finally:
            conn.close()

    def answers(self) -> bool:
        """Whether the server answers a static-file request within the hang guard."""
        try:
            self.get("/voila/static/no-such-file", timeout=ANSWER_TIMEOUT)
            return True
        except OSError:
            return False

    def open_page(self, notebook: str, *, query: str = "", headers: dict[str, str] | None = None) -> str:
        """GET a page (which starts its kernel); its kernel id."""
        path = self.page_path.format(notebook=notebook) + (f"?{query}" if query else "")
        status, _, body = self.get(path, headers=headers, timeout=START_TIMEOUT)
        assert status == 200, f"{notebook}: HTTP {status}\n{body[:500]}"
        return kernel_id(body)

    def kernel_socket(self, kernel: str, *, v1: bool = False, **options) -> websocket.WebSocket:
        url = f"ws://127.0.0.1:{self.port}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
        return websocket.create_connection(
            url, timeout=ANSWER_TIMEOUT, subprotocols=[V1] if v1 else None, **options
        )


def kernel_id(page: str) -> str:
    match = re.search(r'"kernelId": "([0-9a-f-]+)"', page)
    assert match, "the page names no kernel"
    return match.group(1)


def legacy_message(msg_type: str, content: dict, channel: str = "shell") -> str:
    """A kernel message as a browser on the legacy (JSON) websocket protocol sends it."""
    return json.dumps(
        {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": msg_type,
                "session": "probe",
                "username": "probe",
                "date": "2024-01-01T00:00:00Z",
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator:
    """``served(workspace, *flags)``: ``itp serve --workspace WORKSPACE --port P FLAGS`` as a user runs it."""
    started: list[Served] = []

    def start(workspace: Path, *flags: str) -> Served:
        port = free_port()
        env = server_env({}, tmp_path / f"jupyter-{port}")
        env.pop("ITP_WORKSPACE", None)
        command = [
            sys.executable,
            "-m",
            "itp_toolkit",
            "serve",
            "--workspace",
            str(workspace),
            "--port",
            str(port),
            *flags,
        ]
        started.append(Served(command, env, REPO, port, tmp_path))
        return started[-1]

    yield start
    for server in started:
        server.close()


@pytest.fixture
def published(tmp_path: Path) -> Iterator:
    """``published(app_folder, notebook, workspace)``: plain ``voila`` in an ``itp publish`` folder, with the
    command its README gives (the folder's voila.json is read from the working directory)."""
    started: list[Served] = []

    def start(folder: Path, notebook: str, workspace: Path) -> Served:
        port = free_port()
        env = server_env({"ITP_WORKSPACE": str(workspace)}, tmp_path / f"jupyter-{port}")
        command = [
            str(Path(sys.executable).with_name("voila")),
            notebook,
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            f"--Voila.port={port}",
            "--Voila.port_retries=0",
        ]
        started.append(Served(command, env, folder, port, tmp_path, page_path="/"))
        return started[-1]

    yield start
    for server in started:
        server.close()


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo"
    assert itp(["demo", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def private_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace that is not a demo (real people): its pages need the run's token."""
    path = tmp_path_factory.mktemp("private") / "clinic"
    assert itp(["init", str(path), "--user", "director"]) == 0
    return path


def query(**params: str) -> str:
    return urllib.parse.urlencode(params)


def send_signal(server: Served, sig: int = signal.SIGTERM) -> None:
    os.kill(server.process.pid, sig)
