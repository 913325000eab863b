"""Fixtures: every store test runs on SQLite (a temporary file) and on PostgreSQL (a fresh schema).

PostgreSQL comes from ITP_TEST_POSTGRES_URL (default: the local ``test`` database). The session creates
its own database ``itp_test_<random>`` there and drops it at the end; each test gets a fresh schema in it.
If no server answers, the PostgreSQL half is skipped with the reason (a failure under ITP_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from itp_toolkit.model import Goal, Intervention, Objective, Problem, StrengthUse, TreatmentPlan
from itp_toolkit.store import PlanStore
from tests._require import throwaway_database
from tests.conftest import new_sqlite_store

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
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'itp.sqlite'}"
        return
    server_url = request.getfixturevalue("pg_server_url")
    url, schema = postgres_schema_url(server_url)
    yield url
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


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


@pytest.fixture
def store(db_url: str) -> Iterator[PlanStore]:
    options = {"clock": TickingClock(), "new_id": counting_ids()}
    if db_url.startswith("sqlite:///"):
        s = new_sqlite_store(Path(db_url.removeprefix("sqlite:///")), **options)
    else:
        s = PlanStore.open(db_url, **options)  # type: ignore[arg-type]
    yield s
    s.close()


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
