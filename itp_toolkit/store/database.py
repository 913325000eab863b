"""Engines, the one transaction helper, and schema upgrades.

SQLite (the default, one host): WAL so readers never wait, ``synchronous=FULL`` so a committed save survives
a power cut, ``busy_timeout`` so a writer waits its turn instead of failing. ``busy_timeout`` only helps a
transaction that takes the write lock *first*: a read-then-write transaction fails at once with "database is
locked". So pysqlite's own transaction handling is switched off and every write transaction starts with
``BEGIN IMMEDIATE`` (the recipe in SQLAlchemy's pysqlite docs); read transactions use a plain ``BEGIN``.

PostgreSQL (shared by many users): writes run at READ COMMITTED and lock the draft they change
(``SELECT ... FOR UPDATE``), so writers of one draft queue up and each sees the others' commits; reads run at
REPEATABLE READ, READ ONLY (one consistent snapshot). We measured SERIALIZABLE first: while tables are small
PostgreSQL predicate-locks whole tables, so 20 trainees saving *different* drafts aborted each other as
"pivots" until retries ran out. A serialization failure, a deadlock, or a unique-key race (two first
saves of one new row) rolls the transaction back and runs it again from the start (the re-run sees the
winner's row), a few times, before giving up with StoreUnavailable.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from ..errors import PermissionDenied, StoreUnavailable

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
MAX_ATTEMPTS = 20
"""Transaction attempts on PostgreSQL conflicts (and SQLite busy) before giving up."""
BACKOFF_CAP_S = 0.5
"""Retry at once, then after random pauses that double (up to this cap), so contenders spread out."""

CONNECT_TIMEOUT_S = 5
"""Seconds to wait for a PostgreSQL server to accept a connection before the save fails as unreachable."""

_WRITE = "itp_write"
_RETRYABLE_SQLSTATES = {
    "40001",
    "40P01",
    "23505",
}  # serialization_failure, deadlock_detected, unique_violation
_SERVER_GOING_AWAY = {"57P01", "57P02", "57P03", "53300"}
"""admin_shutdown (pg_ctl -m fast), crash_shutdown (another backend crashed or -m immediate),
cannot_connect_now (the server is starting up or recovering after a crash), too_many_connections: all mean
"the store is unreachable for now" (the caller keeps the work and tries again), not a bug to show as a
traceback."""
_MIGRATION_LOCK_KEY = 0x17B5_70E5  # pg_advisory_xact_lock key: one schema upgrade at a time


def make_engine(url: str) -> Engine:
    """An engine for ``url`` set up for safe concurrent saves; StoreUnavailable if the URL is unusable."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreUnavailable(f"not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise StoreUnavailable("the store needs an SQLite *file* (a memory database is per connection)")
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        _create_owner_only(Path(parsed.database))
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _take_over_sqlite_transactions(engine)
        return engine
    if backend == "postgresql":
        # pre_ping: a pooled connection cut by a server restart is replaced, not handed to a save.
        # connect_timeout: a server that does not answer at all fails the save in seconds (the page keeps
        # the text and retries) instead of hanging the kernel for the OS's TCP timeout.
        # prepare_threshold None: no server-side prepared statements, so the same URL works through a pooler
        # in transaction mode (PgBouncer before 1.21 hands each transaction any server connection, where a
        # statement psycopg prepared on another does not exist: "prepared statement _pg3_0 does not exist").
        connect_args: dict[str, Any] = {"prepare_threshold": None}
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        return create_engine(
            parsed, isolation_level="READ COMMITTED", pool_pre_ping=True, connect_args=connect_args
        )
    raise StoreUnavailable(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def _create_owner_only(path: Path) -> None:
    """Create a new SQLite file readable by its owner only (it holds every plan and comment); SQLite gives its
    WAL and shared-memory files the database file's permissions. An existing file keeps its mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # unwritable directory and the like: SQLite reports it when it opens the file


def _take_over_sqlite_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not emit its own BEGIN
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode = WAL",
            "synchronous = FULL",
            f"busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
            "foreign_keys = ON",
            "recursive_triggers = ON",  # so INSERT OR REPLACE fires the append-only DELETE trigger
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _is_retryable(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    # SQLite: busy_timeout ran out (only under extreme load); waiting again is the right answer.
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def _is_connection_failure(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if sqlstate.startswith("08") or sqlstate in _SERVER_GOING_AWAY:
        return True
    # psycopg cannot connect / sqlite cannot open the file
    return isinstance(exc, OperationalError) and sqlstate == ""


class Database:
    """An engine plus the one way to run a transaction against it."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name

    @contextmanager
    def _attempt(self, *, write: bool) -> Iterator[Session]:
        """One transaction: begin (IMMEDIATE for SQLite writes), yield a session, commit or roll back."""
        options: dict[str, Any] = {_WRITE: write}
        if not write and self.dialect == "postgresql":
            # A read needs one consistent snapshot, not serializability: REPEATABLE READ takes no predicate
            # locks, so readers never make a concurrent save fail.
            options["isolation_level"] = "REPEATABLE READ"
            options["postgresql_readonly"] = True
        bind = self.engine.execution_options(**options)
        with Session(bind, expire_on_commit=False, autoflush=True) as session, session.begin():
            yield session

    def run(self, work: Callable[[Session], T], *, write: bool) -> T:
        """Run ``work(session)`` in one transaction, again from the start on a serialization conflict.

        ``work`` must do nothing outside the database (it may run more than once). The toolkit's own errors
        raised inside it roll the transaction back and pass through unchanged.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self._attempt(write=write) as session:
                    return work(session)
            except DBAPIError as exc:
                if _is_retryable(exc) and attempt < MAX_ATTEMPTS:
                    if attempt > 1:
                        time.sleep(min(BACKOFF_CAP_S, 0.002 * 2**attempt) * random.random())
                    continue
                if _is_retryable(exc):
                    raise StoreUnavailable(f"the database stayed too busy to save ({exc.orig})") from None
                if _is_connection_failure(exc):
                    raise StoreUnavailable(f"cannot reach the database: {exc.orig}") from None
                raise
        raise AssertionError("unreachable")

    def upgrade_to_head(self) -> None:
        """Create the schema, or bring it up to the newest migration, keeping every row."""
        if self._already_at_head():
            return  # the common case, every page load: no Alembic import (half a second), no lock
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                if self.dialect == "postgresql":
                    # READ COMMITTED so that, after waiting for the lock, we see what another upgrader did.
                    conn = conn.execution_options(isolation_level="READ COMMITTED")
                else:
                    conn = conn.execution_options(**{_WRITE: True})
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
                    if MigrationContext.configure(conn).get_current_heads() != (head_revision(),):
                        upgrade(conn, "head")
        except DBAPIError as exc:
            if _is_connection_failure(exc) or _is_retryable(exc):
                raise StoreUnavailable(f"cannot reach the database: {exc.orig}") from None
            raise

    def _already_at_head(self) -> bool:
        """A cheap ``SELECT version_num``: True only when the store is certainly at the newest migration."""
        head = _head_from_files()
        if head is None:
            return False
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:
            return False  # no table yet, or no connection: the full upgrade decides and reports
        return rows == [head]

    def dispose(self) -> None:
        self.engine.dispose()


def _head_from_files() -> str | None:
    """The newest migration's id read from the version files' ``revision``/``down_revision`` lines, without
    importing Alembic; None when that is not clear-cut (then Alembic itself is asked)."""
    import re

    revisions, downs = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        rev = re.search(r"^revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", source, re.M)
        down = re.search(r"^down_revision\b[^=]*=\s*(?:['\"]([^'\"]+)['\"]|None)", source, re.M)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        if down.group(1):
            downs.add(down.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def alembic_config(connection: Any = None) -> Any:
    """Alembic configuration built in code: no alembic.ini needed in the working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(connection: Any, target: str = "head") -> None:
    """Run migrations on an open connection (inside its transaction)."""
    from alembic import command

    command.upgrade(alembic_config(connection), target)


def downgrade(connection: Any, target: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(connection), target)


INSUFFICIENT_PRIVILEGE = "42501"
"""PostgreSQL's SQLSTATE for a missing grant or a row-level security refusal."""

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def refused_by_database() -> Iterator[None]:
    """PostgreSQL said no (no grant, or a row-level security policy): PermissionDenied, like the store's
    own checks.

    Connected as a person's own role, the database may refuse what the Python checks let through (someone
    claiming another ``actor=``). Front ends then show one clear message instead of a traceback.
    """
    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            raise PermissionDenied(f"the database refused this for your role: {exc.orig}") from None
        raise


def transaction(
    *, write: bool
) -> Callable[[Callable[Concatenate[Any, Session, P], R]], Callable[Concatenate[Any, P], R]]:
    """Run the decorated store method in one transaction (``Database.run``); it receives the session after
    ``self``. The store's one transaction path: PlanStore and its workshop methods both use it.

    On PostgreSQL the whole method may run again after a serialization failure, so it must only touch the
    database.
    """

    def decorate(method: Callable[Concatenate[Any, Session, P], R]) -> Callable[Concatenate[Any, P], R]:
        @wraps(method)
        def wrapper(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
            with refused_by_database():
                return self._db.run(lambda db: method(self, db, *args, **kwargs), write=write)

        return wrapper

    return decorate
