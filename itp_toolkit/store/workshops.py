"""Workshops: a live session in which a cohort drafts one case blind, then reviews the drafts together.

A facilitator (a supervisor) creates the workshop for a cohort and/or with a join code, and moves it forward
only: ``drafting -> review -> debrief -> closed``. Trainees join (by code, or as members of its cohort) and
each gets one workshop draft (``drafts.workshop_id``), separate from their coursework draft of the case.

Blind drafting is the point: while the workshop is ``drafting`` no trainee can read a peer's workshop
draft, because seeing a classmate's plan first changes your own. When the facilitator opens review, every
participant can read the other participants' drafts of *that* workshop (read-only), and the drafts freeze:
a save after review opens is refused, so nobody can copy a better plan into their own after seeing it.
Coursework drafts stay private whatever the workshop does. Peers never see each other's feedback.

The timer (``ends_at``) is advisory: it is shown as a countdown, and saving stays open until the facilitator
opens review, so nobody loses typed work at the buzzer.

These methods are mixed into :class:`~itp_toolkit.store.PlanStore`; like every store method each runs in
one transaction (``database.transaction``) and checks the actor's role first (``guards.py``: who runs a
workshop, who may see it, whose drafts are readable). On PostgreSQL the same rules are enforced again by
row-level security (``store/db_security.py``) for code running in a trainee's kernel.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied
from . import mapping
from .core import StoreCore
from .database import transaction
from .guards import (
    acting_person,
    cohort_row,
    cohorts_of,
    draft_row,
    facilitated,
    in_cohort,
    supervised_trainees,
    visible_workshop,
)
from .inputs import check_element_id, check_text
from .reads import at_latest_revision, latest_number, summaries
from .records import PHASES, DraftSummary, Exemplar, Phase, Workshop, WorkshopProgress
from .schema import (
    DraftRow,
    PersonRow,
    RevisionRow,
    SubmissionRow,
    WorkshopExemplarRow,
    WorkshopParticipantRow,
    WorkshopRow,
)

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: a code read aloud or off a projector is typed right the first time."""
JOIN_CODE_LENGTH = 6
"""31**6 is about 887 million codes: unguessable in a session, short enough to type."""
MAX_TIMER_MINUTES = 24 * 60


class WorkshopMethods(StoreCore):
    """Workshop methods of PlanStore."""

    # ------------------------------------------------------------------ facilitator

    @transaction(write=True)
    def create_workshop(
        self,
        db: Session,
        case_id: str,
        *,
        title: str = "",
        cohort_id: int | None = None,
        with_code: bool = True,
        minutes: int | None = None,
        actor: str,
    ) -> Workshop:
        """Open a workshop on ``case_id`` for a cohort and/or anyone given the join code (supervisors only).

        ``minutes`` starts the drafting timer now (``ends_at``). The join code is random, 6 characters from
        an alphabet without look-alikes; it is returned to the facilitator to share.
        """
        me = acting_person(db, actor)
        if me.role != "supervisor":
            raise PermissionDenied("only a supervisor can run a workshop")
        check_element_id(case_id, "case_id")
        problems: list[InputProblem] = []
        title = check_text(title or f"Workshop: {case_id}", "title", "a title", problems)
        if cohort_id is None and not with_code:
            problems.append(
                InputProblem(
                    "a workshop needs a cohort or a join code, or nobody can join", field="cohort_id"
                )
            )
        if minutes is not None and not (isinstance(minutes, int) and 1 <= minutes <= MAX_TIMER_MINUTES):
            problems.append(InputProblem(f"the timer is 1-{MAX_TIMER_MINUTES} minutes", field="minutes"))
        if problems:
            raise InvalidInput(problems)
        if cohort_id is not None:
            cohort_row(db, cohort_id)
            if not (me.is_admin or in_cohort(db, cohort_id, actor)):
                raise PermissionDenied("you can only run a workshop for a cohort you supervise")
        now = self._now()
        row = WorkshopRow(
            title=title,
            case_id=case_id,
            cohort_id=cohort_id,
            join_code=_new_join_code(db) if with_code else None,
            facilitator=actor,
            phase="drafting",
            created_at=now,
            ends_at=now + dt.timedelta(minutes=minutes) if minutes else None,
        )
        db.add(row)
        db.flush()
        return _workshop(db, row, me)

    @transaction(write=True)
    def set_timer(self, db: Session, workshop_id: int, minutes: int | None, *, actor: str) -> Workshop:
        """Restart the drafting countdown at ``minutes`` from now, or stop it (None). Drafting only."""
        row, me = facilitated(db, workshop_id, actor)
        if row.phase != "drafting":
            raise InvalidInput([InputProblem("the timer is for the drafting phase", field="phase")])
        if minutes is not None and not (isinstance(minutes, int) and 1 <= minutes <= MAX_TIMER_MINUTES):
            raise InvalidInput([InputProblem(f"the timer is 1-{MAX_TIMER_MINUTES} minutes", field="minutes")])
        row.ends_at = self._now() + dt.timedelta(minutes=minutes) if minutes else None
        db.flush()
        return _workshop(db, row, me)

    @transaction(write=True)
    def open_review(self, db: Session, workshop_id: int, *, actor: str) -> Workshop:
        """End blind drafting: participants may now read each other's drafts, and drafts stop changing."""
        return self._advance(db, workshop_id, "review", actor)

    @transaction(write=True)
    def open_debrief(self, db: Session, workshop_id: int, *, actor: str) -> Workshop:
        """Move to the debrief: exemplars the facilitator picks become visible to participants."""
        return self._advance(db, workshop_id, "debrief", actor)

    @transaction(write=True)
    def close_workshop(self, db: Session, workshop_id: int, *, actor: str) -> Workshop:
        """End the workshop (from any phase). Drafts stay readable to participants, as in review.

        Not called ``close``: ``PlanStore.close()`` disconnects from the database."""
        return self._advance(db, workshop_id, "closed", actor)

    def _advance(self, db: Session, workshop_id: int, to: Phase, actor: str) -> Workshop:
        row, me = facilitated(db, workshop_id, actor)
        db.execute(select(WorkshopRow.id).where(WorkshopRow.id == workshop_id).with_for_update())
        db.refresh(row)
        here, there = PHASES.index(row.phase), PHASES.index(to)
        expected = "drafting" if to == "review" else "review" if to == "debrief" else None
        if there <= here or (expected is not None and row.phase != expected):
            raise InvalidInput(
                [
                    InputProblem(
                        f"the workshop is in {row.phase}; it cannot move to {to} (phases only go forward: "
                        "drafting, review, debrief, closed)",
                        field="phase",
                    )
                ]
            )
        now = self._now()
        row.phase = to
        if to == "review":
            row.review_opened_at = now
        elif to == "debrief":
            row.debrief_opened_at = now
        else:
            row.closed_at = now
        db.flush()
        return _workshop(db, row, me)

    @transaction(write=False)
    def workshop_progress(self, db: Session, workshop_id: int, *, actor: str) -> list[WorkshopProgress]:
        """The facilitator's board: every participant, their draft's status, latest revision and last save."""
        facilitated(db, workshop_id, actor)
        participants = db.execute(
            select(WorkshopParticipantRow.username, WorkshopParticipantRow.joined_at, PersonRow.display_name)
            .join(PersonRow, PersonRow.username == WorkshopParticipantRow.username)
            .where(WorkshopParticipantRow.workshop_id == workshop_id)
            .order_by(WorkshopParticipantRow.joined_at, WorkshopParticipantRow.username)
        ).all()
        drafts = list(db.scalars(select(DraftRow).where(DraftRow.workshop_id == workshop_id)))
        by_owner = {s.owner: s for s in summaries(db, drafts)}
        ids = [d.id for d in drafts]
        last_saved: dict[int, dt.datetime] = (
            {
                d: at
                for d, at in db.execute(
                    select(RevisionRow.draft_id, RevisionRow.created_at).where(
                        RevisionRow.draft_id.in_(ids), at_latest_revision()
                    )
                )
            }
            if ids
            else {}
        )
        submitted = (
            set(db.scalars(select(SubmissionRow.draft_id).where(SubmissionRow.draft_id.in_(ids)).distinct()))
            if ids
            else set()
        )
        rows = []
        for p in participants:
            s = by_owner.get(p.username)
            rows.append(
                WorkshopProgress(
                    trainee=p.username,
                    display_name=p.display_name,
                    joined_at=p.joined_at,
                    draft_id=s.id if s else None,
                    status=s.status if s else "empty",
                    latest_revision=s.latest_revision if s else 0,
                    last_saved_at=last_saved.get(s.id) if s else None,
                    submitted=bool(s and s.id in submitted),
                )
            )
        return rows

    @transaction(write=True)
    def pick_exemplar(self, db: Session, draft_id: int, note: str = "", *, actor: str) -> Exemplar:
        """Hold a participant's draft up in the debrief, pinned to its latest revision (review onwards).

        Picking the same draft again updates the note and re-pins it to the latest revision.
        """
        draft = draft_row(db, draft_id)
        if draft.workshop_id is None:
            raise InvalidInput([InputProblem("only a workshop draft can be an exemplar", field="draft_id")])
        workshop, _me = facilitated(db, draft.workshop_id, actor)
        if workshop.phase == "drafting":
            raise InvalidInput(
                [InputProblem("pick exemplars once review is open (drafting is blind)", field="phase")]
            )
        problems: list[InputProblem] = []
        note = check_text(note, "note", "a note", problems, limit=5000, required=False)
        if problems:
            raise InvalidInput(problems)
        latest = latest_number(db, draft_id)
        if latest == 0:
            raise InvalidInput([InputProblem("this draft has no saved plan to show", field="draft_id")])
        row = db.scalar(
            select(WorkshopExemplarRow).where(
                WorkshopExemplarRow.workshop_id == workshop.id, WorkshopExemplarRow.draft_id == draft_id
            )
        )
        if row is None:
            row = WorkshopExemplarRow(workshop_id=workshop.id, draft_id=draft_id)
            db.add(row)
        row.revision = latest
        row.note = note
        row.picked_by = actor
        row.picked_at = self._now()
        db.flush()
        return mapping.exemplar(row, draft.owner)

    @transaction(write=False)
    def list_exemplars(self, db: Session, workshop_id: int, *, actor: str) -> list[Exemplar]:
        """The picked exemplars: for the facilitator always, for participants from the debrief on."""
        row, me, _seat = visible_workshop(db, workshop_id, actor)
        if me.role == "trainee" and row.phase not in ("debrief", "closed"):
            return []
        found = db.execute(
            select(WorkshopExemplarRow, DraftRow.owner)
            .join(DraftRow, DraftRow.id == WorkshopExemplarRow.draft_id)
            .where(WorkshopExemplarRow.workshop_id == workshop_id)
            .order_by(WorkshopExemplarRow.id)
        ).all()
        return [mapping.exemplar(e, owner) for e, owner in found]

    # ------------------------------------------------------------------ everyone

    @transaction(write=False)
    def get_workshop(self, db: Session, workshop_id: int, *, actor: str) -> Workshop:
        """One workshop, for its facilitator, an admin, a supervisor of its cohort, or a trainee who may
        join."""
        row, me, _seat = visible_workshop(db, workshop_id, actor)
        return _workshop(db, row, me)

    @transaction(write=False)
    def list_my_workshops(self, db: Session, *, include_closed: bool = False, actor: str) -> list[Workshop]:
        """Trainee: workshops they joined, and their cohorts' workshops still open to join.
        Supervisor: workshops they facilitate or that are for their cohorts (admins: all). Newest first."""
        me = acting_person(db, actor)
        query = select(WorkshopRow).order_by(WorkshopRow.created_at.desc(), WorkshopRow.id.desc())
        joined = select(WorkshopParticipantRow.workshop_id).where(WorkshopParticipantRow.username == actor)
        if me.role == "trainee":
            query = query.where(
                WorkshopRow.id.in_(joined)
                | (WorkshopRow.cohort_id.in_(cohorts_of(actor)) & (WorkshopRow.phase == "drafting"))
            )
        elif not me.is_admin:
            query = query.where(
                (WorkshopRow.facilitator == actor) | WorkshopRow.cohort_id.in_(cohorts_of(actor))
            )
        if not include_closed:
            query = query.where(WorkshopRow.phase != "closed")
        return [_workshop(db, r, me) for r in db.scalars(query)]

    list_workshops = list_my_workshops

    @transaction(write=True)
    def join_workshop(
        self, db: Session, code: str | None = None, *, workshop_id: int | None = None, actor: str
    ) -> DraftSummary:
        """Join a workshop by its code, or (``workshop_id``) as a member of its cohort; returns your draft.

        Trainees only, while the workshop is drafting (joining after review opens would skip the blind
        part). Joining twice is harmless and returns the same draft.
        """
        me = acting_person(db, actor)
        if me.role != "trainee":
            raise PermissionDenied("workshops are joined by trainees; supervisors facilitate them")
        if (code is None) == (workshop_id is None):
            raise InvalidInput(
                [InputProblem("join with a code or a workshop id (exactly one)", field="code")]
            )
        typed: str | None = None
        if code is not None:
            typed = normalize_join_code(code)
            row = _workshop_for_code(db, typed, actor, self._now()) if typed else None
            if row is None:
                raise NotFound("no workshop has that code; check it with your facilitator")
        else:
            row = db.get(WorkshopRow, workshop_id)
            if row is None or row.cohort_id is None or not in_cohort(db, row.cohort_id, actor):
                raise NotFound(f"no workshop {workshop_id} for your cohort")
        seat = db.get(WorkshopParticipantRow, (row.id, actor))
        if seat is None:
            if row.phase != "drafting":
                raise PermissionDenied(
                    "this workshop is past drafting; ask the facilitator about the next one"
                )
            db.add(
                WorkshopParticipantRow(
                    workshop_id=row.id, username=actor, code_used=typed, joined_at=self._now()
                )
            )
            db.flush()
        draft = db.scalar(select(DraftRow).where(DraftRow.owner == actor, DraftRow.workshop_id == row.id))
        if draft is None:
            if row.phase != "drafting":
                raise PermissionDenied("this workshop is past drafting; drafts can no longer be started")
            now = self._now()
            draft = DraftRow(
                owner=actor, case_id=row.case_id, workshop_id=row.id, created_at=now, updated_at=now
            )
            db.add(draft)
            db.flush()
        return summaries(db, [draft])[0]

    @transaction(write=False)
    def list_workshop_drafts(self, db: Session, workshop_id: int, *, actor: str) -> list[DraftSummary]:
        """The workshop's drafts the actor may read.

        Facilitator (and admins, and supervisors of the owners): all. Participant: their own while drafting
        is blind, everyone's once review opens.
        """
        row, me, seat = visible_workshop(db, workshop_id, actor)
        query = (
            select(DraftRow).where(DraftRow.workshop_id == workshop_id).order_by(DraftRow.owner, DraftRow.id)
        )
        if me.role == "trainee":
            if seat is None:
                return []
            if row.phase == "drafting":
                query = query.where(DraftRow.owner == actor)
        elif not (me.is_admin or row.facilitator == actor):
            query = query.where(DraftRow.owner.in_(supervised_trainees(actor)))
        return summaries(db, list(db.scalars(query)))


def normalize_join_code(code: str) -> str:
    """What was typed, as stored: upper case, without spaces or dashes ("k7m-x2q" -> "K7MX2Q")."""
    cleaned = re.sub(r"[\s-]+", "", str(code)).upper()
    return cleaned if re.fullmatch(f"[{JOIN_CODE_ALPHABET}]{{{JOIN_CODE_LENGTH}}}", cleaned) else ""


def _workshop_for_code(db: Session, typed: str, actor: str, now: dt.datetime) -> WorkshopRow | None:
    """The workshop whose code was typed.

    On PostgreSQL a trainee's role cannot read a workshop by its code (that would let anyone test codes in
    bulk); ``itp_workshop_for_code`` (migration 0007) finds it and makes a miss cost half a second. The
    trainee then joins through the seat's row-level-security check, which compares the code again, and
    reads the workshop as a participant. Past drafting, only someone already seated gets the row.
    """
    if db.get_bind().dialect.name != "postgresql":
        return db.scalar(select(WorkshopRow).where(WorkshopRow.join_code == typed))
    found = db.execute(
        text("SELECT found_id, found_phase FROM itp_workshop_for_code(:c)"), {"c": typed}
    ).first()
    if found is None:
        return None
    if db.get(WorkshopParticipantRow, (found.found_id, actor)) is None:
        if found.found_phase != "drafting":
            raise PermissionDenied("this workshop is past drafting; ask the facilitator about the next one")
        db.add(
            WorkshopParticipantRow(workshop_id=found.found_id, username=actor, code_used=typed, joined_at=now)
        )
        db.flush()
    return db.get(WorkshopRow, found.found_id)


def _new_join_code(db: Session) -> str:
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.scalar(select(WorkshopRow.id).where(WorkshopRow.join_code == code)) is None:
            return code


def _workshop(db: Session, row: WorkshopRow, me: PersonRow) -> Workshop:
    joined = db.get(WorkshopParticipantRow, (row.id, me.username)) is not None
    my_draft = db.scalar(
        select(DraftRow.id).where(DraftRow.owner == me.username, DraftRow.workshop_id == row.id)
    )
    count = db.scalar(
        select(func.count())
        .select_from(WorkshopParticipantRow)
        .where(WorkshopParticipantRow.workshop_id == row.id)
    )
    return Workshop(
        id=row.id,
        title=row.title,
        case_id=row.case_id,
        cohort_id=row.cohort_id,
        join_code=row.join_code if me.role == "supervisor" else None,
        facilitator=row.facilitator,
        phase=row.phase,  # type: ignore[arg-type]
        created_at=row.created_at,
        ends_at=row.ends_at,
        review_opened_at=row.review_opened_at,
        debrief_opened_at=row.debrief_opened_at,
        closed_at=row.closed_at,
        joined=joined,
        my_draft_id=my_draft,
        participants=count or 0,
    )


__all__ = [  # the workshop records live in records.py; pages import them from here too
    "Exemplar",
    "JOIN_CODE_ALPHABET",
    "PHASES",
    "Workshop",
    "WorkshopMethods",
    "WorkshopProgress",
    "normalize_join_code",
]
