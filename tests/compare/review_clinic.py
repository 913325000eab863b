"""A clinic with three trainees' saved drafts of the college case, for review tests that need a store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from itp_toolkit.compare.cohort import CohortDraft
from itp_toolkit.model import CaseStudy, TreatmentPlan
from itp_toolkit.store import PlanStore
from tests.apps.clinic import CASE_ID, build_clinic
from tests.conftest import new_sqlite_store, shipped_case

from .conftest import make_plan, mood_problem, panic_problem, sleep_problem


@dataclass
class ReviewClinic:
    store: PlanStore
    case: CaseStudy
    drafts: dict[str, CohortDraft]

    def cohort(self) -> list[CohortDraft]:
        return list(self.drafts.values())


def save(store: PlanStore, user: str, plan: TreatmentPlan) -> CohortDraft:
    draft = store.start_draft(plan.case_id, actor=user)
    info = store.save_revision(draft.id, plan, based_on=draft.latest_revision, actor=user)
    return CohortDraft(draft.id, user, plan, revision=info.number, status="in_progress")


@pytest.fixture
def review_clinic(tmp_path) -> Iterator[ReviewClinic]:
    yield from open_review_clinic(tmp_path)


def open_review_clinic(tmp_path) -> Iterator[ReviewClinic]:
    """The clinic as a generator (a fixture body other test modules can wrap under their own name)."""
    store = new_sqlite_store(tmp_path / "itp.sqlite")
    build_clinic(store)
    store.add_person("dr.lee", "Dr. Lee", "supervisor", actor="admin")
    store.add_to_cohort(store.list_cohorts(actor="admin")[0].id, "dr.lee", actor="admin")
    case = shipped_case(CASE_ID)
    ana = make_plan(
        CASE_ID,
        "ana",
        [
            panic_problem("a", "Panic attacks in lectures", concerns=["pc-panic"]),
            sleep_problem("a", "Cannot fall asleep", concerns=["pc-sleep"]),
        ],
    )
    ben = make_plan(
        CASE_ID,
        "ben",
        [
            sleep_problem("b", "Lies awake for hours", concerns=["pc-sleep"]),
            mood_problem("b", "Low mood after poor marks <script>alert(1)</script>"),
        ],
    )
    drafts = {"ana": save(store, "ana", ana), "ben": save(store, "ben", ben)}
    yield ReviewClinic(store, case, drafts)
    store.close()
