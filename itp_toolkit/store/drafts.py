"""Drafts and their append-only revisions: starting, saving, reading (a mixin of PlanStore).

A draft is one person's plan for one case (one more per workshop they join); each save appends the next
numbered revision, never changing an earlier one. Saving says which revision it started from, so a save
from a stale tab is refused (StaleRevision) instead of overwriting someone's work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, PermissionDenied, StaleRevision
from ..model import TreatmentPlan
from . import mapping
from .core import StoreCore
from .database import transaction
from .guards import (
    acting_person,
    check_workshop_draft_open,
    check_workshop_draft_start,
    is_assigned,
    members_of,
    owned_draft,
    readable_draft,
    readable_drafts,
)
from .inputs import check_element_id, parse_plan, plan_json
from .reads import (
    at_latest_revision,
    latest_number,
    load_plan,
    lock_draft,
    locking_submission,
    newest_submission_of_draft,
    summaries,
)
from .records import DraftSummary, RevisionInfo
from .schema import DraftRow, RevisionRow, SubmissionRow


class DraftMethods(StoreCore):
    @transaction(write=True)
    def start_draft(
        self, db: Session, case_id: str, *, workshop_id: int | None = None, actor: str
    ) -> DraftSummary:
        """The actor's draft for ``case_id``, created (empty) if they have none yet.

        A trainee needs the case assigned to them or their cohort; a supervisor may draft any case (for
        example to try the exercise before setting it).
        """
        me = acting_person(db, actor)
        check_element_id(case_id, "case_id")
        query = select(DraftRow).where(DraftRow.owner == actor, DraftRow.case_id == case_id)
        query = query.where(
            DraftRow.workshop_id.is_(None) if workshop_id is None else DraftRow.workshop_id == workshop_id
        )
        row = db.scalar(query)
        if row is None and workshop_id is not None:
            check_workshop_draft_start(db, me, case_id, workshop_id)
        elif row is None and me.role == "trainee" and not is_assigned(db, case_id, actor):
            raise PermissionDenied(f"case {case_id!r} is not assigned to you")
        if row is None:
            now = self._now()
            row = DraftRow(
                owner=actor, case_id=case_id, workshop_id=workshop_id, created_at=now, updated_at=now
            )
            db.add(row)
            db.flush()
        return summaries(db, [row])[0]

    @transaction(write=False)
    def get_draft(self, db: Session, draft_id: int, *, actor: str) -> DraftSummary:
        row = readable_draft(db, acting_person(db, actor), draft_id)
        return summaries(db, [row])[0]

    @transaction(write=False)
    def list_drafts(
        self,
        db: Session,
        *,
        case_id: str | None = None,
        cohort_id: int | None = None,
        owner: str | None = None,
        actor: str,
    ) -> list[DraftSummary]:
        """The drafts the actor may read: their own, and (supervisors) their cohorts' trainees' drafts."""
        me = acting_person(db, actor)
        query = readable_drafts(select(DraftRow).order_by(DraftRow.case_id, DraftRow.owner, DraftRow.id), me)
        if case_id is not None:
            query = query.where(DraftRow.case_id == case_id)
        if owner is not None:
            query = query.where(DraftRow.owner == owner)
        if cohort_id is not None:
            query = query.where(DraftRow.owner.in_(members_of(cohort_id)))
        return summaries(db, list(db.scalars(query)))

    @transaction(write=False)
    def blank_plan(self, db: Session, draft_id: int, *, actor: str) -> TreatmentPlan:
        """An empty plan for the draft's case, with a fresh id, to start revision 1 from."""
        draft = owned_draft(db, acting_person(db, actor), draft_id)
        return TreatmentPlan(id=self._new_id("plan"), case_id=draft.case_id)

    @transaction(write=True)
    def save_revision(
        self, db: Session, draft_id: int, plan: TreatmentPlan | dict[str, Any], *, based_on: int, actor: str
    ) -> RevisionInfo:
        """Append the next revision of the actor's own draft.

        ``based_on`` is the revision the writer started from (0 for a blank plan). If someone (or another tab)
        has saved since, StaleRevision says which revision is now the latest and nothing is written.
        The plan is validated again here: trainee text is untrusted, whatever the UI checked.
        """
        draft = owned_draft(db, acting_person(db, actor), draft_id)
        check_workshop_draft_open(db, draft)
        stored = plan_json(plan, draft_id=draft.id, case_id=draft.case_id)
        lock_draft(db, draft_id)
        latest = latest_number(db, draft_id)
        if based_on != latest:
            if 0 <= based_on < latest:
                raise StaleRevision(
                    f"draft {draft_id} has been saved since revision {based_on}: the latest is {latest}",
                    latest_revision=latest,
                )
            raise InvalidInput(
                [InputProblem(f"no revision {based_on}; the latest is {latest}", field="based_on")]
            )
        locking = locking_submission(db, draft_id)
        if locking is not None:
            raise PermissionDenied(
                "this draft is signed off"
                if locking.status == "accepted"
                else "this draft is submitted: wait until your supervisor returns it"
            )
        now = self._now()
        row = RevisionRow(
            draft_id=draft_id,
            number=latest + 1,
            based_on=based_on,
            author=actor,
            plan_json=stored,
            created_at=now,
        )
        db.add(row)
        draft.updated_at = now
        db.flush()
        return mapping.revision_info(row)

    @transaction(write=False)
    def get_revision(
        self, db: Session, draft_id: int, number: int | None = None, *, actor: str
    ) -> TreatmentPlan:
        """The plan as saved in revision ``number`` (default: the latest), validated on the way out."""
        readable_draft(db, acting_person(db, actor), draft_id)
        return load_plan(db, draft_id, number)

    @transaction(write=False)
    def latest_plans(
        self, db: Session, *, case_id: str, cohort_id: int | None = None, actor: str
    ) -> list[tuple[DraftSummary, TreatmentPlan]]:
        """Each readable draft of ``case_id`` (in ``cohort_id``) that has a saved plan, with its latest plan.

        The cohort view reads a thousand drafts at once: one transaction, one role check and one query
        (drafts joined to their newest revision and newest submission), instead of ``list_drafts`` plus a
        ``get_revision`` per draft. Which drafts come back follows the same rules as ``list_drafts`` (a
        trainee gets their own; a supervisor their own and their cohorts' trainees'; an admin all), so every
        one of them is a draft ``get_revision`` would let the actor read. Drafts without a saved plan are
        left out.
        """
        me = acting_person(db, actor)
        check_element_id(case_id, "case_id")
        query = (
            select(
                DraftRow.id,
                DraftRow.owner,
                DraftRow.case_id,
                DraftRow.workshop_id,
                DraftRow.created_at,
                DraftRow.updated_at,
                RevisionRow.number,
                RevisionRow.plan_json,
                SubmissionRow.status,
            )
            .select_from(DraftRow)
            .join(RevisionRow, (RevisionRow.draft_id == DraftRow.id) & at_latest_revision(DraftRow.id))
            .outerjoin(SubmissionRow, newest_submission_of_draft())
            .where(DraftRow.case_id == case_id)
            .order_by(DraftRow.owner, DraftRow.id)
        )
        query = readable_drafts(query, me)
        if cohort_id is not None:
            query = query.where(DraftRow.owner.in_(members_of(cohort_id)))
        return [
            (
                mapping.draft_summary(row, row.number, row.status),
                parse_plan(row.plan_json, f"draft {row.id} revision {row.number}"),
            )
            for row in db.execute(query)
        ]

    @transaction(write=False)
    def list_revisions(self, db: Session, draft_id: int, *, actor: str) -> list[RevisionInfo]:
        readable_draft(db, acting_person(db, actor), draft_id)
        rows = db.execute(
            select(
                RevisionRow.draft_id,
                RevisionRow.number,
                RevisionRow.based_on,
                RevisionRow.author,
                RevisionRow.created_at,
                func.length(RevisionRow.plan_json).label("size"),
            )
            .where(RevisionRow.draft_id == draft_id)
            .order_by(RevisionRow.number)
        )
        return [mapping.revision_info(r, size_bytes=r.size) for r in rows]
