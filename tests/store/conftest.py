"""Fixtures: every store test runs on SQLite (a temporary file) and on PostgreSQL.

PostgreSQL comes from ITP_TEST_POSTGRES_URL (default: the local ``test`` database). The session creates
its own database ``itp_test_<random>`` there (one per pytest-xdist worker) and drops it at the end.
If no server answers, the PostgreSQL half is skipped with the reason (a failure under ITP_REQUIRE_POSTGRES=1).

``db_url`` is an empty database: a new SQLite file, or a new PostgreSQL schema with no tables. ``store`` is
a store at the newest migration with no rows. Running the migrations costs about half a second per store,
so on PostgreSQL ``store`` reuses one migrated schema per session and empties it before each test (see
``EmptiedSchema``), unless the test also asks for ``db_url``: a test that reaches the database by its URL
(migrations, say) may change the schema itself, so it gets its own. The row-level security tests ask for
``secured_schema`` (db_roles.py): one migrated schema with the roles and policies installed, shared the
same way. A test that opens the store by URL itself but changes no schema asks for ``migrated_url``
(the same emptied schema, or a copied migrated SQLite file).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from itp_toolkit.model import Goal, Intervention, Objective, Problem, StrengthUse, TreatmentPlan
from itp_toolkit.store import PlanStore
from itp_toolkit.store.schema import Base
from tests._require import throwaway_database
from tests.conftest import new_sqlite_file, new_sqlite_store

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CASE_ID = "case-college-anxiety"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of a throw-away database for this test session (skipped, or failed under ITP_REQUIRE_POSTGRES=1,
    when no server answers)."""
    with throwaway_database(os.environ.get("ITP_TEST_POSTGRES_URL", DEFAULT_PG_URL)) as url:
        yield url


def postgres_schema_url(server_url: str) -> tuple[str, str]:
    schema = f"t_{secrets.token_hex(5)}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_kind(request: pytest.FixtureRequest) -> str:
    """Which database a store test runs on (``db_roles.on_postgres`` narrows it to PostgreSQL)."""
    return str(request.param)


@pytest.fixture
def db_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new PostgreSQL schema."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'itp.sqlite'}"
        return
    server_url = request.getfixturevalue("pg_server_url")
    url, schema = postgres_schema_url(server_url)
    yield url
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


# Everything about a schema that a test could change other than its rows: tables, columns, indexes,
# constraints, triggers (and whether they are enabled), functions, policies, row-level security, grants,
# and the migration it is at.
_SCHEMA_FINGERPRINT = """
WITH ns AS (SELECT oid, nspacl FROM pg_namespace WHERE nspname = current_schema())
SELECT md5(concat_ws('|',
  (SELECT nspacl::text FROM ns),
  (SELECT string_agg(concat_ws(':', c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity,
                               c.relacl::text), ',' ORDER BY c.relname)
     FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM ns)),
  (SELECT string_agg(concat_ws(':', c.relname, a.attname, a.atttypid, a.attnotnull), ','
                     ORDER BY c.relname, a.attnum)
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = (SELECT oid FROM ns) AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT string_agg(concat_ws(':', conname, contype, pg_get_constraintdef(oid)), ',' ORDER BY conname)
     FROM pg_constraint WHERE connamespace = (SELECT oid FROM ns)),
  (SELECT string_agg(concat_ws(':', t.tgrelid::regclass::text, t.tgname, t.tgenabled), ','
                     ORDER BY t.tgrelid::regclass::text, t.tgname)
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE c.relnamespace = (SELECT oid FROM ns) AND NOT t.tgisinternal),
  (SELECT string_agg(concat_ws(':', proname, proconfig::text, proacl::text, md5(prosrc)), ','
                     ORDER BY proname)
     FROM pg_proc WHERE pronamespace = (SELECT oid FROM ns)),
  (SELECT string_agg(concat_ws(':', polrelid::regclass::text, polname), ',' ORDER BY polname)
     FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = (SELECT oid FROM ns)),
  (SELECT string_agg(version_num, ',') FROM alembic_version)
))
"""

_TABLES_WITH_TRIGGERS = """
SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND NOT t.tgisinternal
"""
_SEQUENCES = "SELECT format('%I', sequencename) FROM pg_sequences WHERE schemaname = current_schema()"


class EmptiedSchema:
    """One PostgreSQL schema at the newest migration, handed to one test at a time and emptied first.

    Emptying deletes every row (with the tables' own triggers, such as the append-only guard on revisions,
    off inside that one transaction) and restarts every id sequence, so each test sees what a freshly
    migrated schema would show. Before that,
    the schema's fingerprint (everything but rows) is compared with the one taken right after migrating;
    if a test changed the schema, or emptying fails (say a lock is still held), the schema is left behind
    (the session's database is dropped with it at the end) and a newly migrated one takes its place.
    """

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.url = ""
        self.fingerprint = ""

    def _fresh(self) -> None:
        self.url, _ = postgres_schema_url(self.server_url)
        PlanStore.open(self.url).close()  # runs the migrations: tests/store/test_migrations.py checks them
        self._prepare()
        self.fingerprint = self._fingerprint()

    def _prepare(self) -> None:
        """What a subclass adds to a newly migrated schema before its fingerprint is taken (here: nothing)."""

    def _fingerprint(self) -> str:
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return "|".join(str(conn.execute(text(q)).scalar_one()) for q in self._fingerprint_queries())
        finally:
            engine.dispose()

    def _fingerprint_queries(self) -> list[str]:
        return [_SCHEMA_FINGERPRINT]

    def _empty(self) -> None:
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                guarded = conn.execute(text(_TABLES_WITH_TRIGGERS)).scalars().all()  # revisions: append-only
                for table_name in guarded:
                    conn.execute(text(f'ALTER TABLE "{table_name}" DISABLE TRIGGER USER'))
                for table in reversed(Base.metadata.sorted_tables):  # children before their parents
                    conn.execute(table.delete())
                for sequence in conn.execute(text(_SEQUENCES)).scalars().all():
                    conn.execute(text("SELECT setval(CAST(:s AS regclass), 1, false)"), {"s": sequence})
                for table_name in guarded:
                    conn.execute(text(f'ALTER TABLE "{table_name}" ENABLE TRIGGER USER'))
        finally:
            engine.dispose()

    def checkout(self) -> str:
        """The schema's URL, emptied (or a new schema when this one cannot be reused)."""
        if not self.url:
            self._fresh()
            return self.url
        try:
            reusable = self._fingerprint() == self.fingerprint
            if reusable:
                self._empty()
        except DBAPIError:
            reusable = False
        if not reusable:
            self._fresh()
        return self.url


@pytest.fixture(scope="session")
def emptied_schema(pg_server_url: str) -> EmptiedSchema:
    return EmptiedSchema(pg_server_url)


@pytest.fixture
def migrated_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database at the newest migration with no rows, for a test that opens the store itself
    (as the command line does) but changes no schema: a new SQLite file, or the session's emptied schema.
    The ``store`` fixture opens the same database when a test asks for both."""
    if db_kind == "sqlite":
        return new_sqlite_file(tmp_path / "itp.sqlite")
    return str(request.getfixturevalue("emptied_schema").checkout())


@pytest.fixture
def store(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PlanStore]:
    """A store at the newest migration with no rows (see the module's docstring for PostgreSQL's)."""
    options: dict[str, Any] = {"clock": TickingClock(), "new_id": counting_ids()}
    if "migrated_url" in request.fixturenames:
        s = PlanStore.open(request.getfixturevalue("migrated_url"), **options)
    elif db_kind == "sqlite":
        s = new_sqlite_store(tmp_path / "itp.sqlite", **options)
    elif "db_url" in request.fixturenames:  # the test reaches the database by its URL too: its own schema
        s = PlanStore.open(request.getfixturevalue("db_url"), **options)
    elif "secured_schema" in request.fixturenames:  # row-level security: the session's secured schema
        s = PlanStore.open(request.getfixturevalue("secured_schema").url, **options)
    else:
        s = PlanStore.open(request.getfixturevalue("emptied_schema").checkout(), **options)
    yield s
    s.close()


class TickingClock:
    """A clock for tests: starts on a Monday morning and moves one minute per reading."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now


def counting_ids() -> object:
    counter = itertools.count(1)
    return lambda kind: f"{kind.replace('_', '')}-{next(counter):04d}"


@dataclass
class Clinic:
    """A small deployment: two cohorts, each with a supervisor and trainees, and the case set for both."""

    store: PlanStore
    cohort_a: int
    cohort_b: int
    admin: str = "admin"
    supervisor: str = "dr.okafor"  # supervises cohort A: ana and ben
    other_supervisor: str = "dr.lind"  # supervises cohort B: cara
    trainee: str = "ana"
    classmate: str = "ben"
    other_trainee: str = "cara"


@pytest.fixture
def clinic(store: PlanStore) -> Clinic:
    store.ensure_admin("admin", "Training Director")
    for username, name, role in [
        ("dr.okafor", "Dr. Okafor", "supervisor"),
        ("dr.lind", "Dr. Lind", "supervisor"),
        ("ana", "Ana", "trainee"),
        ("ben", "Ben", "trainee"),
        ("cara", "Cara", "trainee"),
    ]:
        store.add_person(username, name, role, actor="admin")  # type: ignore[arg-type]
    a = store.add_cohort("Cohort A", actor="admin").id
    b = store.add_cohort("Cohort B", actor="admin").id
    for cohort, people in ((a, ["dr.okafor", "ana", "ben"]), (b, ["dr.lind", "cara"])):
        for username in people:
            store.add_to_cohort(cohort, username, actor="admin")
        store.assign_case(CASE_ID, cohort_id=cohort, actor="admin")
    return Clinic(store=store, cohort_a=a, cohort_b=b)


def make_plan(statement: str = "Worry keeps her from studying", case_id: str = CASE_ID) -> TreatmentPlan:
    """A small plan with fixed element ids, so tests can anchor comments to them."""
    return TreatmentPlan(
        id="plan-0001",
        case_id=case_id,
        title="Plan for worry and panic",
        problems=[
            Problem(
                id="prb-worry",
                statement=statement,
                evidenced_by="worries 6-7 days a week, rated 8/10",
                concern_ids=["pc-worry"],
                goals=[
                    Goal(
                        id="gol-calm",
                        statement="I want to sit an exam without leaving",
                        in_patient_words=True,
                        objectives=[
                            Objective(
                                id="obj-gad7",
                                description="GAD-7 falls from 15 to 9 or lower",
                                measure="GAD-7",
                                baseline=15,
                                target=9,
                                target_week=8,
                                interventions=[
                                    Intervention(
                                        id="int-cbt", description="CBT for worry", frequency="weekly"
                                    )
                                ],
                            )
                        ],
                    )
                ],
            )
        ],
        strengths_used=[
            StrengthUse(id="stu-sister", how="Texts her sister daily; invite her to coping practice")
        ],
    )
