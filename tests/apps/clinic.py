"""A small clinic in a real store, shared by the drafting, history, feedback and app tests.

Built directly with PlanStore (no workspace layer needed): an admin, supervisor ``dr.okafor`` and trainees
``ana`` and ``ben`` in Cohort A, which has the college case assigned; ``cara`` is in no cohort.
Import the fixtures into a test module with ``from tests.apps.clinic import *``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from itp_toolkit.model import CaseStudy
from itp_toolkit.store import PlanStore
from tests.conftest import new_sqlite_store, shipped_cases

CASE_ID = "case-college-anxiety"
OTHER_CASE_ID = "case-perinatal-rural"


class ManualClock:
    """A clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@dataclass
class _Call:
    due: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class ManualScheduler:
    """Autosave timers that fire when the test moves time on (together with a ManualClock)."""

    clock: ManualClock
    calls: list[_Call] = field(default_factory=list)
    elapsed: float = 0.0

    def __call__(self, delay: float, callback: Callable[[], None]) -> _Call:
        call = _Call(self.elapsed + delay, callback)
        self.calls.append(call)
        return call

    @property
    def pending(self) -> list[_Call]:
        return [c for c in self.calls if not c.cancelled]

    def advance(self, seconds: float) -> None:
        """Move time on, running every timer that falls due (timers they start included)."""
        target = self.elapsed + seconds
        while True:
            due = sorted((c for c in self.pending if c.due <= target), key=lambda c: c.due)
            if not due:
                break
            call = due[0]
            call.cancelled = True
            self.clock.advance(call.due - self.elapsed)
            self.elapsed = call.due
            call.callback()
        self.clock.advance(target - self.elapsed)
        self.elapsed = target


def build_clinic(store: PlanStore) -> PlanStore:
    store.ensure_admin("admin", "Training Director")
    for username, name, role in [
        ("dr.okafor", "Dr. Okafor", "supervisor"),
        ("ana", "Ana", "trainee"),
        ("ben", "Ben", "trainee"),
        ("cara", "Cara", "trainee"),
    ]:
        store.add_person(username, name, role, actor="admin")  # type: ignore[arg-type]
    cohort = store.add_cohort("Cohort A", actor="admin").id
    for username in ("dr.okafor", "ana", "ben"):
        store.add_to_cohort(cohort, username, actor="admin")
    store.assign_case(CASE_ID, cohort_id=cohort, actor="admin")
    return store


@pytest.fixture(scope="session")
def cases() -> dict[str, CaseStudy]:
    return shipped_cases()


@pytest.fixture
def college(cases: dict[str, CaseStudy]) -> CaseStudy:
    return cases[CASE_ID]


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_dir: Path) -> Iterator[PlanStore]:
    s = new_sqlite_store(store_dir / "itp.sqlite")
    build_clinic(s)
    yield s
    s.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def scheduler(clock: ManualClock) -> ManualScheduler:
    return ManualScheduler(clock)


class StoreOutage:
    """Takes an SQLite store's directory away (and back): every connection then really fails.

    Renaming works even for root, for whom a read-only directory is no obstacle.
    """

    def __init__(self, store: PlanStore, directory: Path):
        self.store = store
        self.directory = directory
        self.hidden = directory.with_name(directory.name + "-away")

    def begin(self) -> None:
        self.store.close()  # drop pooled connections, which would keep the old file open
        shutil.move(self.directory, self.hidden)

    def end(self) -> None:
        shutil.move(self.hidden, self.directory)


@pytest.fixture
def outage(store: PlanStore, store_dir: Path) -> Iterator[StoreOutage]:
    o = StoreOutage(store, store_dir)
    yield o
    if o.hidden.exists():
        o.end()


__all__ = [
    "CASE_ID",
    "OTHER_CASE_ID",
    "ManualClock",
    "ManualScheduler",
    "StoreOutage",
    "build_clinic",
    "cases",
    "clock",
    "college",
    "outage",
    "scheduler",
    "store",
    "store_dir",
]
