"""A workshop room to open pages in: a demo workspace with extra trainees, each with a complete plan.

Each load trainee is in the demo cohort and has a draft of the assigned case with the largest reference plan
(every problem, goal, objective and intervention, and every plan-level section): opening it is the largest
burst of widget messages a trainee page sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from itp_toolkit.services.workspace import DEMO_COHORT, build_demo_workspace


@dataclass(frozen=True)
class Room:
    workspace: Path
    users: list[str]
    case_title: str  # the case picker's label for the large plan
    plan_elements: int


def build_room(directory: Path, trainees: int, *, prefix: str = "load") -> Room:
    ws = build_demo_workspace(directory)
    try:
        store, admin = ws.store(), ws.config.user
        cases = ws.load_cases()
        cohort = next(c for c in store.list_cohorts(actor=admin) if c.name == DEMO_COHORT)
        users = [f"{prefix}{n:03d}" for n in range(trainees)]
        for n, user in enumerate(users):
            store.add_person(user, f"Load Trainee {n}", "trainee", actor=admin)
            store.add_to_cohort(cohort.id, user, actor=admin)
        assigned = {a.case_id for a in store.list_assigned_cases(actor=users[0])}
        case = max(
            (cases[c] for c in assigned if c in cases and cases[c].reference_plan is not None),
            key=lambda c: len(list(c.reference_plan.elements())),  # type: ignore[union-attr]
        )
        assert case.reference_plan is not None
        for user in users:
            draft = store.start_draft(case.id, actor=user)
            store.save_revision(draft.id, case.reference_plan.model_copy(deep=True), based_on=0, actor=user)
        return Room(ws.path, users, case.title, len(list(case.reference_plan.elements())))
    finally:
        ws.close()
