"""A PRIVATE PostgreSQL cluster that outage tests may stop and start at will.

The machine's shared server (127.0.0.1:5432) is used by everyone's tests, so it is never restarted. Instead
``pg_cluster`` runs ``initdb`` into a temporary directory and starts its own server: 127.0.0.1 only, a free
port, trust authentication, its unix socket inside the directory. ``stop("immediate")`` is a crash as far as
clients can tell (connections cut, crash recovery on the next start); ``stop("fast")`` is an orderly restart.

The server binaries come from ``$ITP_PG_BINDIR``, else the newest ``/usr/lib/postgresql/*/bin``, else PATH.
Without them the tests are skipped with the reason, unless ``ITP_REQUIRE_POSTGRES=1`` (CI): then they fail.
As root the server runs as the ``postgres`` OS user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from itp_toolkit.store import PlanStore
from tests._require import POSTGRES_FLAG, unavailable
from tests.apps.clinic import build_clinic


def _server_bindir() -> Path | None:
    configured = os.environ.get("ITP_PG_BINDIR")
    if configured:
        return Path(configured) if (Path(configured) / "initdb").is_file() else None
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(reason: str) -> None:
    unavailable(POSTGRES_FLAG, f"outage tests: {reason}")


@dataclass
class PrivateCluster:
    """One throw-away PostgreSQL server owned by this test session."""

    bindir: Path
    root: Path
    port: int
    run_as: str | None
    """OS user the server runs as (``postgres`` when the tests run as root), or None: the current user."""
    log: list[str] = field(default_factory=list)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _cmd(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        argv = list(args)
        if self.run_as:
            argv = ["runuser", "-u", self.run_as, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        self.log.append(f"$ {' '.join(args)} -> {done.returncode}\n{done.stdout}{done.stderr}")
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr or done.stdout}")
        return done

    def init(self) -> None:
        self._cmd(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# itp outage tests: private, local only\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "max_connections = 60\n"
                "shared_buffers = 16MB\n"
            )

    def start(self) -> float:
        """Start the server and wait until it accepts connections; returns the seconds that took."""
        began = time.monotonic()
        self._cmd(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            "60",
            "start",
        )
        return time.monotonic() - began

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: like a crash (no checkpoint, clients cut off); ``fast``: orderly shutdown."""
        self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        argv = [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "status"]
        if self.run_as:
            argv = ["runuser", "-u", self.run_as, "--", *argv]
        return subprocess.run(argv, capture_output=True, cwd=self.root).returncode == 0

    def create_database(self) -> str:
        """A new empty database on the cluster; returns its URL."""
        name = f"itp_outage_{secrets.token_hex(4)}"
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PrivateCluster]:
    """A private PostgreSQL server, started; stopped and deleted at the end of the session."""
    bindir = _server_bindir()
    if bindir is None or not (bindir / "pg_ctl").is_file():
        _unavailable("the PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    assert bindir is not None
    run_as: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' OS user to run the server as")
        run_as = "postgres"
    root = Path(tempfile.mkdtemp(prefix="itp-outage-pg-"))
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    cluster = PrivateCluster(bindir=bindir, root=root, port=_free_port(), run_as=run_as)
    try:
        try:
            cluster.init()
            cluster.start()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            _unavailable(f"could not start a private PostgreSQL cluster: {exc}")
        yield cluster
    finally:
        if cluster.datadir.exists() and cluster.running():
            with contextlib.suppress(RuntimeError):
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def outage_db(pg_cluster: PrivateCluster) -> Iterator[str]:
    """A fresh database on the private cluster with the small clinic in it; the server is left running."""
    if not pg_cluster.running():
        pg_cluster.start()
    url = pg_cluster.create_database()
    with PlanStore.open(url) as store:
        build_clinic(store)
    yield url
    if not pg_cluster.running():
        pg_cluster.start()


def revisions_in_database(url: str) -> dict[str, list[tuple[int, int, str]]]:
    """Straight from the database: each trainee's (number, based_on, plan_json), in order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT d.owner, r.number, r.based_on, r.plan_json FROM revisions r "
                    "JOIN drafts d ON d.id = r.draft_id ORDER BY d.owner, r.number"
                )
            ).all()
    finally:
        engine.dispose()
    out: dict[str, list[tuple[int, int, str]]] = {}
    for owner, number, based_on, plan_json in rows:
        out.setdefault(owner, []).append((number, based_on, plan_json))
    return out
