"""PgBouncer (Debian's ``pgbouncer``) run as a process of this benchmark, in front of a PostgreSQL server.

Transaction pooling, as a clinic would run it for many kernels: every kernel keeps a client connection to
PgBouncer, which lends one of a few server connections per transaction. Its configuration is written to a
temporary folder and it listens on a free port of 127.0.0.1; ``with PgBouncer(url) as pooled_url:`` stops
it afterwards. Authentication is passed through as trust, like the local test server it fronts: this is
the benchmark's pooler, not a deployment's (docs/deploy.md has that one).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from sqlalchemy import make_url

BINARY_PATHS = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
POOL_SIZE = 20
"""Server connections per database and user: well under PostgreSQL's default limit of 100."""


def find_binary() -> str | None:
    return shutil.which("pgbouncer") or next((p for p in BINARY_PATHS if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgBouncer:
    """A PgBouncer for ``url``'s server; entering gives the same URL pointed at PgBouncer."""

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, max_clients: int = 2000):
        binary = find_binary()
        if binary is None:
            raise RuntimeError("pgbouncer is not installed (apt-get install pgbouncer)")
        self.binary, self.url, self.pool_size, self.max_clients = (
            binary,
            make_url(url),
            pool_size,
            max_clients,
        )
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> str:
        self.dir = Path(tempfile.mkdtemp(prefix="itp-pgbouncer-"))
        user = self.url.username or "postgres"
        (self.dir / "userlist.txt").write_text(f'"{user}" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            f"""[databases]
* = host={self.url.host or "127.0.0.1"} port={self.url.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.dir / "userlist.txt"}
pool_mode = transaction
default_pool_size = {self.pool_size}
max_client_conn = {self.max_clients}
max_db_connections = {self.pool_size * 2}
logfile = {self.dir / "pgbouncer.log"}
log_connections = 0
log_disconnections = 0
"""
        )
        command = [self.binary, str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root: as the postgres account, if there is one
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "PgBouncer will not run as root, and there is no postgres account"
                ) from None
            os.chmod(self.dir, 0o755)
            for f in self.dir.iterdir():
                os.chmod(f, 0o644)
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            command[1:1] = ["-u", "postgres"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self.url.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"pgbouncer did not listen on port {self.port}: {self.log()}")

    def log(self) -> str:
        try:
            return (self.dir / "pgbouncer.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def __exit__(self, et: type | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
