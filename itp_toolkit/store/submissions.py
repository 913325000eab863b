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
from .guards import acting_person, feedback_draft, owned_draft, readable_draft
from .reads import chosen_revision, latest_submission, lock_draft, locking_submission
from .records import Anchor, Submission, SubmissionStatus
from .schema import PersonRow, SubmissionRow


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
