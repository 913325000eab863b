"""A real JupyterHub for tests and benchmarks: ``deploy/jupyterhub/launch.py`` on its own ports, its own
PostgreSQL database and role prefix, and its own folder; everything stopped and dropped afterwards.

``HubRun`` is a context manager. On the way out it stops the hub (which stops every user's server, the
projector service and the proxy), kills anything of its process group still alive, drops the database and
the run's roles, and records any process still pointing at the run's folder in ``leftovers``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.browser.servers import free_port

REPO = Path(__file__).resolve().parents[2]
LAUNCH = REPO / "deploy" / "jupyterhub" / "launch.py"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START_TIMEOUT = 150
PASSWORD = "e2e-demo-password"


def missing_prerequisites() -> list[str]:
    """What this machine lacks to start a hub (empty: it can)."""
    sys.path.insert(0, str(LAUNCH.parent))
    try:
        from launch import proxy_bin  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    missing = []
    if not (Path(sys.executable).parent / "jupyterhub").exists():
        missing.append("jupyterhub (pip install -e '.[hub]')")
    if proxy_bin(REPO / ".hub") is None:
        missing.append("configurable-http-proxy (./dev.sh hub or ./dev.sh test installs it into .hub/node)")
    return missing


def processes_mentioning(marker: str) -> list[str]:
    """Live processes whose command line, working folder or environment mention ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (entry / "environ").read_bytes().decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except (OSError, PermissionError):
            continue
        if marker in cmdline or marker in environ or cwd.startswith(marker):
            found.append(f"{entry.name}: {cmdline[:200]}")
    return found


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


@dataclass
class HubRun:
    workdir: Path
    base_pg_url: str = field(default_factory=lambda: os.environ.get("ITP_TEST_POSTGRES_URL", DEFAULT_PG_URL))
    prefix: str = field(default_factory=lambda: f"e2e{secrets.token_hex(3)}")
    leftovers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.state = self.workdir / "hub"
        self.database = f"itp_hub_{self.prefix}"
        self.admin_url = (
            make_url(self.base_pg_url).set(database=self.database).render_as_string(hide_password=False)
        )
        self.port, self.hub_port, self.proxy_port, self.board_port = (free_port() for _ in range(4))
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "hub.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> HubRun:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(LAUNCH),
                f"--state={self.state}",
                f"--admin-url={self.admin_url}",
                f"--prefix={self.prefix}",
                f"--port={self.port}",
                f"--hub-port={self.hub_port}",
                f"--proxy-api-port={self.proxy_port}",
                f"--board-port={self.board_port}",
                f"--demo-password={PASSWORD}",
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited early:\n{self.log()}")
            if "sign in at" in self.log():  # launch.py prints it once /hub/health answers 200
                return
            time.sleep(0.5)
        raise RuntimeError(f"the hub did not come up within {START_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError:
            return ""

    def server_pids(self) -> dict[str, int]:
        """Each running single-user server's process id, by the person it belongs to."""
        out = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
                if b"jupyterhub-singleuser" not in cmdline:
                    continue
                env = environ_of(int(entry.name))
            except (OSError, PermissionError):
                continue
            if env.get("ITP_WORKSPACE", "").startswith(str(self.state)) and "JUPYTERHUB_USER" in env:
                out[env["JUPYTERHUB_USER"]] = int(entry.name)
        return out

    def board_pid(self) -> int | None:
        """The projector service's process (the hub started it), if it is running."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
                if b"/services/projector/" not in cmdline or b"itp_toolkit.server" not in cmdline:
                    continue
                env = environ_of(int(entry.name))
            except (OSError, PermissionError):
                continue
            if env.get("ITP_WORKSPACE", "").startswith(str(self.state)):
                return int(entry.name)
        return None

    def __exit__(self, et: type | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # launch.py passes it on; the hub cleans up
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # anything of the group still there
        if hasattr(self, "_log"):
            self._log.close()
        deadline = time.monotonic() + 20
        while (found := processes_mentioning(str(self.state))) and time.monotonic() < deadline:
            time.sleep(0.5)
        self.leftovers = found
        self.drop_database()

    def drop_database(self) -> None:
        from itp_toolkit.store.db_security import RoleNames, drop_roles

        names = RoleNames(self.prefix)
        base = create_engine(
            make_url(self.base_pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        try:
            with base.connect() as conn:
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": self.database}
                ).first()
            if exists:
                engine = create_engine(self.admin_url)
                try:
                    with engine.begin() as conn:
                        users = list(
                            conn.execute(
                                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                                {"p": f"{self.prefix}\\_u\\_%"},
                            ).scalars()
                        )
                        drop_roles(conn, names, users)
                finally:
                    engine.dispose()
                with base.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE "{self.database}" WITH (FORCE)')
        finally:
            base.dispose()
        shutil.rmtree(self.state, ignore_errors=True)


def pick(page, selector: str, text: str | re.Pattern[str]) -> None:  # type: ignore[no-untyped-def]
    """Choose the first option showing ``text`` (a substring, or a pattern searched for)."""
    # ipywidgets shows spaces in option labels as non-breaking spaces: \s matches both (here and in JS).
    pattern = text if isinstance(text, re.Pattern) else re.compile(re.escape(text).replace(r"\ ", r"\s"))
    select = page.locator(f"{selector} select")
    select.locator("option", has_text=pattern).first.wait_for(state="attached", timeout=150_000)
    texts = [o.replace("\xa0", " ") for o in select.locator("option").all_text_contents()]
    select.select_option(index=next(n for n, o in enumerate(texts) if pattern.search(o)))
