"""Who may do what: every access rule of the store, checked inside the caller's transaction.

Every public store method starts with one of these, below any UI (a hidden button is not access control):

- ``acting_person``: whoever acts (``actor=``) must be known to the store;
- ``readable_draft`` / ``readable_drafts``: a trainee reads their own drafts (and, in a workshop once review
  opens, the other participants' workshop drafts); a supervisor reads their own and those of trainees who
  share a cohort with them, and a workshop they facilitate; an admin reads every draft;
- ``owned_draft``: only the owner changes a draft;
- ``feedback_draft``: feedback comes from a supervisor who reads the draft and does not own it;
- ``facilitated`` / ``visible_workshop``: who runs a workshop, and who may see it.

On PostgreSQL the same rules are enforced again by row-level security (``db_security.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied
from .schema import (
    CaseAssignmentRow,
    CohortMemberRow,
    CohortRow,
    DraftRow,
    PersonRow,
    WorkshopParticipantRow,
    WorkshopRow,
)

# ---------------------------------------------------------------------- people and cohorts


def person_row(db: Session, username: str) -> PersonRow | None:
    return db.scalar(select(PersonRow).where(PersonRow.username == username))


def acting_person(db: Session, username: str) -> PersonRow:
    """The person acting; an unknown name is refused (not 'not found': it is who is asking)."""
    row = person_row(db, username)
    if row is None:
        raise PermissionDenied(f"{username!r} is not a known user of this store")
    if not row.active:
        raise PermissionDenied(f"{row.display_name} has been deactivated; ask an admin to reactivate them")
    return row


def require_admin(me: PersonRow) -> None:
    if not me.is_admin:
        raise PermissionDenied("only an admin can do this")


def cohort_row(db: Session, cohort_id: int) -> CohortRow:
    row = db.get(CohortRow, cohort_id)
    if row is None:
        raise NotFound(f"no cohort {cohort_id}")
    return row


def in_cohort(db: Session, cohort_id: int, username: str) -> bool:
    return db.get(CohortMemberRow, (cohort_id, username)) is not None


def cohorts_of(username: str) -> Select[tuple[int]]:
    return select(CohortMemberRow.cohort_id).where(CohortMemberRow.username == username)


def members_of(cohort_id: int) -> Select[tuple[str]]:
    return select(CohortMemberRow.username).where(CohortMemberRow.cohort_id == cohort_id)


def cohort_mates(username: str) -> Select[tuple[str]]:
    return select(CohortMemberRow.username).where(CohortMemberRow.cohort_id.in_(cohorts_of(username)))


def supervised_trainees(supervisor: str) -> Select[tuple[str]]:
    """The trainees who share a cohort with ``supervisor``."""
    return (
        select(PersonRow.username)
        .where(PersonRow.role == "trainee")
        .where(PersonRow.username.in_(cohort_mates(supervisor)))
    )


def supervises(db: Session, supervisor: str, trainee: str) -> bool:
    return db.scalar(supervised_trainees(supervisor).where(PersonRow.username == trainee)) is not None


def is_assigned(db: Session, case_id: str, trainee: str) -> bool:
    """The case is set for the trainee, directly or through one of their cohorts."""
    query = select(CaseAssignmentRow.id).where(
        CaseAssignmentRow.case_id == case_id,
        (CaseAssignmentRow.trainee == trainee) | CaseAssignmentRow.cohort_id.in_(cohorts_of(trainee)),
    )
    return db.scalar(query.limit(1)) is not None


# ---------------------------------------------------------------------- drafts


def draft_row(db: Session, draft_id: int) -> DraftRow:
    row = db.get(DraftRow, draft_id)
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return row


def readable_draft(db: Session, me: PersonRow, draft_id: int) -> DraftRow:
    """The draft, if ``me`` may read it (see the module's rules)."""
    draft = draft_row(db, draft_id)
    if draft.owner == me.username:
        return draft
    if me.role == "supervisor" and (me.is_admin or supervises(db, me.username, draft.owner)):
        return draft
    if can_read_workshop_draft(db, me, draft):
        return draft
    raise PermissionDenied(f"draft {draft_id} belongs to someone you do not supervise")


def readable_drafts(query: Select[Any], me: PersonRow) -> Select[Any]:
    """``query`` (over DraftRow) narrowed to the coursework lists' rule: a trainee's own drafts; a
    supervisor's own and their trainees'; every draft for an admin."""
    if me.role == "trainee":
        return query.where(DraftRow.owner == me.username)
    if not me.is_admin:
        return query.where(
            (DraftRow.owner == me.username) | DraftRow.owner.in_(supervised_trainees(me.username))
        )
    return query


def owned_draft(db: Session, me: PersonRow, draft_id: int) -> DraftRow:
    draft = readable_draft(db, me, draft_id)
    if draft.owner != me.username:
        raise PermissionDenied(f"only {draft.owner} can change draft {draft_id}")
    return draft


def feedback_draft(db: Session, me: PersonRow, draft_id: int) -> DraftRow:
    """The draft, if ``me`` may give feedback on it: a supervisor who reads it and does not own it."""
    draft = readable_draft(db, me, draft_id)
    if me.role != "supervisor":
        raise PermissionDenied("only supervisors give feedback on drafts")
    if draft.owner == me.username:
        raise PermissionDenied("feedback on your own draft must come from another supervisor")
    return draft


# ---------------------------------------------------------------------- workshops


def can_read_workshop_draft(db: Session, me: PersonRow, draft: DraftRow) -> bool:
    """Besides owners and supervisors: the facilitator, and participants once review is open."""
    if draft.workshop_id is None:
        return False
    row = db.get(WorkshopRow, draft.workshop_id)
    if row is None:
        return False
    if me.role == "supervisor" and (me.is_admin or row.facilitator == me.username):
        return True
    if row.phase == "drafting":
        return False
    return db.get(WorkshopParticipantRow, (row.id, me.username)) is not None


def facilitated(db: Session, workshop_id: int, username: str) -> tuple[WorkshopRow, PersonRow]:
    """The workshop, if ``username`` runs it (its facilitator, or an admin)."""
    me = acting_person(db, username)
    row = db.get(WorkshopRow, workshop_id)
    if row is None:
        raise NotFound(f"no workshop {workshop_id}")
    if not (me.role == "supervisor" and (me.is_admin or row.facilitator == username)):
        raise PermissionDenied("only the workshop's facilitator (or an admin) can do this")
    return row, me


def visible_workshop(
    db: Session, workshop_id: int, username: str
) -> tuple[WorkshopRow, PersonRow, WorkshopParticipantRow | None]:
    """The workshop, if ``username`` may see it: participants, their cohort's members, its supervisors."""
    me = acting_person(db, username)
    row = db.get(WorkshopRow, workshop_id)
    if row is None:
        raise NotFound(f"no workshop {workshop_id}")
    seat = db.get(WorkshopParticipantRow, (workshop_id, username))
    member = row.cohort_id is not None and in_cohort(db, row.cohort_id, username)
    if (
        seat is None
        and not member
        and not (me.role == "supervisor" and (me.is_admin or row.facilitator == username))
    ):
        raise NotFound(f"no workshop {workshop_id}")
    return row, me, seat


def check_workshop_draft_start(db: Session, me: PersonRow, case_id: str, workshop_id: int) -> None:
    """A workshop draft is started by a participant, for the workshop's case, while drafting."""
    row = db.get(WorkshopRow, workshop_id)
    if row is None or db.get(WorkshopParticipantRow, (workshop_id, me.username)) is None:
        raise PermissionDenied(f"join workshop {workshop_id} first (with its code or through your cohort)")
    if row.case_id != case_id:
        raise InvalidInput(
            [InputProblem(f"workshop {workshop_id} is on case {row.case_id!r}", field="case_id")]
        )
    if row.phase != "drafting":
        raise PermissionDenied("this workshop is past drafting; drafts can no longer be started")


def check_workshop_draft_open(db: Session, draft: DraftRow) -> None:
    """A workshop draft freezes when review opens (no copying after peeking)."""
    if draft.workshop_id is None:
        return
    phase = db.scalar(select(WorkshopRow.phase).where(WorkshopRow.id == draft.workshop_id))
    if phase != "drafting":
        raise PermissionDenied(
            "drafting time in this workshop is over: review is open, so the draft is frozen"
        )
