"""Reads every part of the store shares, inside the caller's transaction.

Two questions are asked all over the store: "which is each draft's newest revision?" and "what became of its
newest submission?". Each has one query here (``newest_number``, ``newest_submission_id``), a scalar
subquery correlated to a draft id, so the cohort view still reads a thousand drafts in one statement (one
index lookup per draft; a grouped subquery measured six times slower on SQLite).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, ScalarSelect, SQLColumnExpression, func, select
from sqlalchemy.orm import Session, aliased

from ..errors import InputProblem, InvalidInput, NotFound
from ..model import TreatmentPlan
from .inputs import parse_plan
from .mapping import draft_summary
from .records import DraftSummary
from .schema import DraftRow, RevisionRow, SubmissionRow

_REVISION = aliased(RevisionRow, name="any_revision")
_SUBMISSION = aliased(SubmissionRow, name="any_submission")
"""Made once: a fresh alias per query costs more than the query itself (SQLAlchemy builds and keys it)."""


def newest_number(draft_id: SQLColumnExpression[int] | int) -> ScalarSelect[int]:
    """The draft's newest revision number (NULL while nothing is saved), for a draft id column
    (``DraftRow.id``, ``RevisionRow.draft_id``: one lookup per row on the unique (draft, number) index) or
    for one id. The one copy of this query: single reads, summaries, the cohort view and the workshop board
    all use it."""
    return select(func.max(_REVISION.number)).where(_REVISION.draft_id == draft_id).scalar_subquery()


def at_latest_revision(draft_id: SQLColumnExpression[int] | None = None) -> ColumnElement[bool]:
    """A condition on RevisionRow: it is its draft's newest revision (``draft_id``: the column the newest
    number is looked up by when the query joins drafts, ``DraftRow.id``: once per draft, not per revision)."""
    return RevisionRow.number == newest_number(RevisionRow.draft_id if draft_id is None else draft_id)


def latest_number(db: Session, draft_id: int) -> int:
    """The draft's newest revision number, 0 while nothing is saved."""
    return db.scalar(select(newest_number(draft_id))) or 0


def chosen_revision(db: Session, draft_id: int, revision: int | None, *, nothing_saved: str) -> int:
    """``revision`` of the draft (None: the newest), checked to exist; ``nothing_saved`` says why not when
    the draft has no revision at all."""
    latest = latest_number(db, draft_id)
    if latest == 0:
        raise InvalidInput([InputProblem(nothing_saved, field="revision")])
    number = latest if revision is None else revision
    if not 1 <= number <= latest:
        raise InvalidInput([InputProblem(f"no revision {number}; the latest is {latest}", field="revision")])
    return number


def newest_submission_id(draft_id: SQLColumnExpression[int] | int) -> ScalarSelect[int]:
    """The id of the draft's newest submission (the one that says where the draft stands), like
    ``newest_number``: for a draft id column or one id."""
    return select(func.max(_SUBMISSION.id)).where(_SUBMISSION.draft_id == draft_id).scalar_subquery()


def latest_submission(db: Session, draft_id: int) -> SubmissionRow | None:
    return db.scalar(select(SubmissionRow).where(SubmissionRow.id == newest_submission_id(draft_id)))


def locking_submission(db: Session, draft_id: int) -> SubmissionRow | None:
    """The submission that keeps the trainee from saving: one waiting for a decision, or a signed-off one."""
    row = latest_submission(db, draft_id)
    return row if row is not None and row.status in ("submitted", "accepted") else None


def lock_draft(db: Session, draft_id: int) -> None:
    """Queue up behind anyone else changing this draft's revisions or submissions.

    PostgreSQL: a row lock, after which (READ COMMITTED) every statement sees the other writer's commit.
    SQLite: a no-op, since BEGIN IMMEDIATE already holds the one write lock.
    """
    db.execute(select(DraftRow.id).where(DraftRow.id == draft_id).with_for_update())


def load_plan(db: Session, draft_id: int, number: int | None) -> TreatmentPlan:
    """Revision ``number`` of the draft (None: the newest), validated on the way out."""
    query = select(RevisionRow.number, RevisionRow.plan_json).where(RevisionRow.draft_id == draft_id)
    query = query.where(at_latest_revision() if number is None else RevisionRow.number == number)
    found = db.execute(query).first()
    if found is None:
        raise NotFound(
            f"draft {draft_id} has no revision {number}"
            if number
            else f"draft {draft_id} has no saved plan yet"
        )
    return parse_plan(found.plan_json, f"draft {draft_id} revision {found.number}")


def newest_submission_of_draft() -> ColumnElement[bool]:
    """A join condition: SubmissionRow is DraftRow's newest submission (outer-join it: a draft may have
    none)."""
    return (SubmissionRow.draft_id == DraftRow.id) & (SubmissionRow.id == newest_submission_id(DraftRow.id))


def summaries(db: Session, drafts: list[DraftRow]) -> list[DraftSummary]:
    """Summaries for many drafts in one query (not two per draft)."""
    if not drafts:
        return []
    query = (
        select(DraftRow.id, newest_number(DraftRow.id), SubmissionRow.status)
        .select_from(DraftRow)
        .outerjoin(SubmissionRow, newest_submission_of_draft())
        .where(DraftRow.id.in_([d.id for d in drafts]))
    )
    found = {d: (n or 0, status) for d, n, status in db.execute(query)}
    return [draft_summary(d, *found[d.id]) for d in drafts]
