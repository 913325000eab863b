"""Submissions: a trainee hands a revision in, a supervisor returns it for revision or signs it off (a mixin
of PlanStore).

The state machine: a draft with no submission, or whose newest one was returned, can be submitted; a
submitted draft is locked until a supervisor decides; a signed-off ("accepted") draft stays locked. A
decision releases every comment and score on the draft, and can carry a summary comment on the whole
draft, all in the decision's one transaction: a trainee never sees the decision without its feedback.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput
from . import mapping
from .core import StoreCore
from .database import transaction
from .feedback import release, write_comments
from .guards import acting_person, feedback_draft, owned_draft, readable_draft, readable_drafts
from .reads import (
    chosen_revision,
    latest_submission,
    lock_draft,
    locking_submission,
    newest_number,
    newest_submission_of_draft,
)
from .records import Anchor, DraftSummary, Submission, SubmissionStatus
from .schema import DraftRow, PersonRow, SubmissionRow


class SubmissionMethods(StoreCore):
    @transaction(write=True)
    def submit_draft(
        self, db: Session, draft_id: int, *, revision: int | None = None, actor: str
    ) -> Submission:
        """Hand in the latest revision (or ``revision``) for supervision; the draft is locked until a
        supervisor returns it."""
        owned_draft(db, acting_person(db, actor), draft_id)
        lock_draft(db, draft_id)
        number = chosen_revision(db, draft_id, revision, nothing_saved="save the plan before submitting it")
        locking = locking_submission(db, draft_id)
        if locking is not None:
            raise InvalidInput([InputProblem(f"this draft is already {locking.status}", field="revision")])
        row = SubmissionRow(
            draft_id=draft_id,
            revision=number,
            status="submitted",
            submitted_by=actor,
            submitted_at=self._now(),
        )
        db.add(row)
        db.flush()
        return mapping.submission(row)

    @transaction(write=True)
    def return_draft(
        self, db: Session, draft_id: int, *, summary: str | None = None, actor: str
    ) -> Submission:
        """Send the submitted draft back to the trainee for more work, releasing the feedback on it.

        ``summary``: an overall comment on the submitted revision, written and released with the decision
        (blank: none). If it cannot be written, the draft is not returned either."""
        return _decide(db, acting_person(db, actor), draft_id, "returned", summary, self._now())

    @transaction(write=True)
    def sign_off(self, db: Session, draft_id: int, *, summary: str | None = None, actor: str) -> Submission:
        """Sign the submitted draft off; it stays locked. The feedback on it is released, with ``summary``
        (an overall comment on the submitted revision; blank: none), all or nothing."""
        return _decide(db, acting_person(db, actor), draft_id, "accepted", summary, self._now())

    accept_draft = sign_off
    """The same decision under its first name ("accepted" is the status it sets)."""

    @transaction(write=False)
    def list_submissions(self, db: Session, draft_id: int, *, actor: str) -> list[Submission]:
        readable_draft(db, acting_person(db, actor), draft_id)
        rows = db.scalars(
            select(SubmissionRow).where(SubmissionRow.draft_id == draft_id).order_by(SubmissionRow.id)
        )
        return [mapping.submission(r) for r in rows]

    @transaction(write=False)
    def handed_in(self, db: Session, *, actor: str) -> list[tuple[DraftSummary, Submission]]:
        """The supervisor's queue: every coursework draft handed in to the actor at least once, with its
        newest submission (what was handed in, when, and what became of it), oldest draft first.

        The drafts are those ``list_drafts`` lets the actor read (a supervisor: their cohorts' trainees'; an
        admin: all), less the actor's own and workshop drafts (a workshop is reviewed on its own page). One
        role check and one query (drafts joined to their newest revision number and newest submission),
        however many drafts: not a ``list_submissions`` per draft. A trainee gets an empty list (their own
        drafts are not handed in to them)."""
        me = acting_person(db, actor)
        query = (
            select(DraftRow, newest_number(DraftRow.id), SubmissionRow)
            .join(SubmissionRow, newest_submission_of_draft())
            .where(DraftRow.owner != me.username, DraftRow.workshop_id.is_(None))
            .order_by(DraftRow.id)
        )
        return [
            (mapping.draft_summary(draft, number or 0, submission.status), mapping.submission(submission))
            for draft, number, submission in db.execute(readable_drafts(query, me))
        ]


def _decide(
    db: Session,
    me: PersonRow,
    draft_id: int,
    status: SubmissionStatus,
    summary: str | None,
    now: dt.datetime,
) -> Submission:
    """A supervisor's decision on the waiting submission, with its summary comment and the release."""
    feedback_draft(db, me, draft_id)
    lock_draft(db, draft_id)
    row = latest_submission(db, draft_id)
    if row is None or row.status != "submitted":
        raise InvalidInput([InputProblem("this draft is not waiting for a decision", field="status")])
    if summary is not None and summary.strip():
        write_comments(db, me, [Anchor(draft_id=draft_id, revision=row.revision)], summary, (), now=now)
    row.status = status
    row.decided_by = me.username
    row.decided_at = now
    db.flush()
    release(db, draft_id)
    return mapping.submission(row)
