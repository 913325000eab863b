"""Rows to the records the store hands back: one function per record, so every method maps a row alike.

Where a record's fields are the row's columns, pydantic reads them straight off the row
(``from_attributes``); the rest say what differs (tags kept as one comma-separated column, a revision's size,
a draft's status worked out from its revisions and submissions).
"""

from __future__ import annotations

from typing import Any

from ..model import Annotation, RubricScore
from .records import (
    CaseAssignment,
    Cohort,
    DraftSummary,
    Exemplar,
    Person,
    RevisionInfo,
    Submission,
    draft_status,
)
from .schema import (
    AnnotationRow,
    CaseAssignmentRow,
    CohortRow,
    PersonRow,
    RevisionRow,
    RubricScoreRow,
    SubmissionRow,
    WorkshopExemplarRow,
)


def person(row: PersonRow) -> Person:
    return Person.model_validate(row, from_attributes=True)


def cohort(row: CohortRow) -> Cohort:
    return Cohort.model_validate(row, from_attributes=True)


def assignment(row: CaseAssignmentRow) -> CaseAssignment:
    return CaseAssignment.model_validate(row, from_attributes=True)


def submission(row: SubmissionRow) -> Submission:
    return Submission.model_validate(row, from_attributes=True)


def score(row: RubricScoreRow) -> RubricScore:
    return RubricScore.model_validate(row, from_attributes=True)


def annotation(row: AnnotationRow) -> Annotation:
    return Annotation(
        id=row.id,
        draft_id=row.draft_id,
        element_id=row.element_id,
        revision=row.revision,
        author=row.author,
        body=row.body,
        tags=[t for t in row.tags.split(",") if t],  # type: ignore[misc]
        parent_id=row.parent_id,
        resolved=row.resolved,
        released=row.released,
        created_at=row.created_at,
    )


def revision_info(row: RevisionRow | Any, size_bytes: int | None = None) -> RevisionInfo:
    """A revision without its plan; ``size_bytes`` when the plan itself was not read."""
    return RevisionInfo(
        draft_id=row.draft_id,
        number=row.number,
        based_on=row.based_on,
        author=row.author,
        created_at=row.created_at,
        size_bytes=len(row.plan_json) if size_bytes is None else size_bytes,
    )


def draft_summary(draft: Any, latest_revision: int, submission_status: str | None) -> DraftSummary:
    """A draft row (or a row with its columns) with its newest revision number and newest submission's
    status: no submission means 'in_progress' once something is saved, else 'empty'."""
    return DraftSummary(
        id=draft.id,
        owner=draft.owner,
        case_id=draft.case_id,
        workshop_id=draft.workshop_id,
        latest_revision=latest_revision,
        status=draft_status(latest_revision, submission_status),  # type: ignore[arg-type]
        created_at=draft.created_at,
        updated_at=draft.updated_at,
    )


def exemplar(row: WorkshopExemplarRow, owner: str) -> Exemplar:
    return Exemplar(
        id=row.id,
        workshop_id=row.workshop_id,
        draft_id=row.draft_id,
        owner=owner,
        revision=row.revision,
        note=row.note,
        picked_by=row.picked_by,
        picked_at=row.picked_at,
    )
