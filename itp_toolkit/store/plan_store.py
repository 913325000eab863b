"""PlanStore: the one facade every front end (CLI, widgets, notebooks) saves and reads through.

Every method that acts for someone takes ``actor=`` (a username) and checks that person's role and ownership
*here*, below any UI: a hidden button is not access control. The rules:

- a trainee reads and writes only their own drafts, and sees feedback on them only once it is released;
- a supervisor reads the drafts of trainees in the cohorts they belong to, and writes annotations and scores
  on them (never on their own draft); an admin supervisor reads every draft;
- admins add people and cohorts; admins and a trainee's supervisors assign cases.

Every public method runs in exactly one transaction, through ``_transaction`` (see ``database.Database.run``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from ..errors import InvalidInput, NotFound, PermissionDenied, Problem, StaleRevision
from ..formats.files import to_data
from ..model import Annotation, RubricScore, TreatmentPlan
from ..model import new_id as model_new_id
from ..model.annotation import AnnotationTag
from ..model.base import NUL_MESSAGE, SHORT_TEXT_MAX
from ..model.ids import ID_PATTERN
from .database import Database, transaction
from .records import (
    USERNAME_PATTERN,
    CaseAssignment,
    Cohort,
    DraftStatus,
    DraftSummary,
    Person,
    RevisionInfo,
    Role,
    Submission,
)
from .schema import (
    AnnotationRow,
    CaseAssignmentRow,
    CohortMemberRow,
    CohortRow,
    DraftRow,
    PersonRow,
    RevisionRow,
    RubricScoreRow,
    SubmissionRow,
)
from .workshops import WorkshopMethods, can_read_workshop_draft

MAX_PLAN_BYTES = 500_000
"""A full plan is tens of kilobytes; half a megabyte of JSON is a paste gone wrong or an attack."""

Clock = Callable[[], dt.datetime]
IdFactory = Callable[[str], str]

P = ParamSpec("P")
R = TypeVar("R")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_transaction = transaction
"""The one transaction path (``database.transaction``), under the name this module's methods use."""


def _problems(exc: ValidationError, source: str) -> list[Problem]:
    """pydantic's errors as located Problems (field path like ``problems[0].goals[1].statement``)."""
    out = []
    for err in exc.errors(include_url=False):
        path = ""
        for part in err["loc"]:
            if isinstance(part, str) and part.startswith("function-"):
                continue
            path += f"[{part}]" if isinstance(part, int) else ("." if path else "") + str(part)
        message = "unknown field (check the spelling)" if err["type"] == "extra_forbidden" else err["msg"]
        out.append(Problem(message, field=path, file=source))
    return out


def _validated(model: type[BaseModel], data: dict[str, Any], source: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problems(exc, source)) from None


class PlanStore(WorkshopMethods):
    """Treatment-plan drafts, their append-only revisions, and supervisors' feedback on them."""

    def __init__(self, database: Database, *, clock: Clock | None = None, new_id: IdFactory | None = None):
        self._db = database
        self._clock = clock or _utc_now
        self._new_id = new_id or model_new_id

    @classmethod
    def open(
        cls, url: str, *, clock: Clock | None = None, new_id: IdFactory | None = None, upgrade: bool = True
    ) -> PlanStore:
        """Connect to ``url`` and create or upgrade the schema to the newest migration (keeping all rows)."""
        database = Database(url)
        if upgrade:
            database.upgrade_to_head()
        return cls(database, clock=clock, new_id=new_id)

    @property
    def url(self) -> str:
        return self._db.url

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._db.dialect

    def close(self) -> None:
        self._db.dispose()

    def __enter__(self) -> PlanStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> dt.datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the store's clock must return timezone-aware datetimes")
        return now

    # ------------------------------------------------------------------ people and cohorts

    @_transaction(write=True)
    def ensure_admin(self, db: Session, username: str, display_name: str) -> Person:
        """Create the first admin of an empty deployment (needs no actor); an existing admin is returned.

        Refused once any admin exists and ``username`` is not one: later people are added by an admin.
        """
        _check_username(username)
        row = _person_row(db, username)
        if row is not None and row.is_admin:
            return _person(row)
        if db.scalar(select(func.count()).select_from(PersonRow).where(PersonRow.is_admin)):
            raise PermissionDenied("an admin already exists; ask them to add you")
        if row is not None:
            raise PermissionDenied(f"{username} already exists and is not an admin")
        problems: list[Problem] = []
        display_name = _check_text(display_name, "display_name", "a display name", problems)
        if problems:
            raise InvalidInput(problems)
        row = PersonRow(
            username=username,
            display_name=display_name,
            role="supervisor",
            is_admin=True,
            created_at=self._now(),
        )
        db.add(row)
        db.flush()
        return _person(row)

    @_transaction(write=True)
    def add_person(
        self, db: Session, username: str, display_name: str, role: Role, *, is_admin: bool = False, actor: str
    ) -> Person:
        """Add a trainee or a supervisor (admins only)."""
        _require_admin(_actor(db, actor))
        _check_username(username)
        problems = []
        if role not in ("trainee", "supervisor"):
            problems.append(Problem("role must be 'trainee' or 'supervisor'", field="role"))
        if is_admin and role != "supervisor":
            problems.append(Problem("only a supervisor can be an admin", field="is_admin"))
        display_name = _check_text(display_name, "display_name", "a display name", problems)
        if _person_row(db, username) is not None:
            problems.append(Problem(f"{username!r} already exists", field="username"))
        if problems:
            raise InvalidInput(problems)
        row = PersonRow(
            username=username, display_name=display_name, role=role, is_admin=is_admin, created_at=self._now()
        )
        db.add(row)
        db.flush()
        return _person(row)

    @_transaction(write=False)
    def find_person(self, db: Session, username: str, *, actor: str) -> Person:
        """Anyone known to the store may look up a name (to show who wrote a comment)."""
        _actor(db, actor)
        row = _person_row(db, username)
        if row is None:
            raise NotFound(f"no person {username!r}")
        return _person(row)

    @_transaction(write=False)
    def list_people(self, db: Session, *, role: Role | None = None, actor: str) -> list[Person]:
        """Everyone (admins), or the people who share a cohort with the actor."""
        me = _actor(db, actor)
        query = select(PersonRow).order_by(PersonRow.username)
        if role is not None:
            query = query.where(PersonRow.role == role)
        if not me.is_admin:
            query = query.where(
                PersonRow.username.in_(_cohort_mates(me.username)) | (PersonRow.username == actor)
            )
        return [_person(r) for r in db.scalars(query)]

    @_transaction(write=True)
    def add_cohort(self, db: Session, name: str, *, actor: str) -> Cohort:
        """A new training group (admins only)."""
        _require_admin(_actor(db, actor))
        problems: list[Problem] = []
        name = _check_text(name, "name", "a cohort name", problems)
        if problems:
            raise InvalidInput(problems)
        if db.scalar(select(CohortRow).where(CohortRow.name == name)) is not None:
            raise InvalidInput([Problem(f"a cohort named {name!r} already exists", field="name")])
        row = CohortRow(name=name, created_at=self._now())
        db.add(row)
        db.flush()
        return Cohort(id=row.id, name=row.name)

    @_transaction(write=False)
    def list_cohorts(self, db: Session, *, actor: str) -> list[Cohort]:
        """Every cohort (admins) or the cohorts the actor belongs to."""
        me = _actor(db, actor)
        query = select(CohortRow).order_by(CohortRow.name)
        if not me.is_admin:
            query = query.where(
                CohortRow.id.in_(select(CohortMemberRow.cohort_id).where(CohortMemberRow.username == actor))
            )
        return [Cohort(id=r.id, name=r.name) for r in db.scalars(query)]

    @_transaction(write=True)
    def add_to_cohort(self, db: Session, cohort_id: int, username: str, *, actor: str) -> None:
        """Put a trainee or supervisor in a cohort (admins only). Adding someone twice is harmless."""
        _require_admin(_actor(db, actor))
        _cohort_row(db, cohort_id)
        if _person_row(db, username) is None:
            raise NotFound(f"no person {username!r}")
        if db.get(CohortMemberRow, (cohort_id, username)) is None:
            db.add(CohortMemberRow(cohort_id=cohort_id, username=username, added_at=self._now()))

    @_transaction(write=False)
    def list_cohort_members(self, db: Session, cohort_id: int, *, actor: str) -> list[Person]:
        """The cohort's people (for admins and the cohort's own members)."""
        me = _actor(db, actor)
        _cohort_row(db, cohort_id)
        if not me.is_admin and db.get(CohortMemberRow, (cohort_id, actor)) is None:
            raise PermissionDenied("you are not in this cohort")
        query = (
            select(PersonRow)
            .join(CohortMemberRow, CohortMemberRow.username == PersonRow.username)
            .where(CohortMemberRow.cohort_id == cohort_id)
            .order_by(PersonRow.role, PersonRow.username)
        )
        return [_person(r) for r in db.scalars(query)]

    # ------------------------------------------------------------------ case assignments

    @_transaction(write=True)
    def assign_case(
        self,
        db: Session,
        case_id: str,
        *,
        cohort_id: int | None = None,
        trainee: str | None = None,
        actor: str,
    ) -> CaseAssignment:
        """Set a case for a whole cohort or for one trainee. Assigning the same case twice returns the first."""
        me = _actor(db, actor)
        if (cohort_id is None) == (trainee is None):
            raise InvalidInput(
                [Problem("assign to a cohort or to a trainee (exactly one)", field="cohort_id")]
            )
        _check_element_id(case_id, "case_id")
        if cohort_id is not None:
            _cohort_row(db, cohort_id)
            if not (me.is_admin or (me.role == "supervisor" and db.get(CohortMemberRow, (cohort_id, actor)))):
                raise PermissionDenied("only an admin or a supervisor of the cohort can assign cases to it")
        else:
            assert trainee is not None
            row = _person_row(db, trainee)
            if row is None or row.role != "trainee":
                raise NotFound(f"no trainee {trainee!r}")
            if not (me.is_admin or (me.role == "supervisor" and _supervises(db, actor, trainee))):
                raise PermissionDenied("only an admin or the trainee's supervisor can assign cases")
        existing = db.scalar(
            select(CaseAssignmentRow).where(
                CaseAssignmentRow.case_id == case_id,
                CaseAssignmentRow.cohort_id.is_(None)
                if cohort_id is None
                else CaseAssignmentRow.cohort_id == cohort_id,
                CaseAssignmentRow.trainee.is_(None)
                if trainee is None
                else CaseAssignmentRow.trainee == trainee,
            )
        )
        if existing is not None:
            return _assignment(existing)
        row = CaseAssignmentRow(
            case_id=case_id, cohort_id=cohort_id, trainee=trainee, assigned_by=actor, assigned_at=self._now()
        )
        db.add(row)
        db.flush()
        return _assignment(row)

    @_transaction(write=False)
    def list_assigned_cases(
        self, db: Session, *, trainee: str | None = None, actor: str
    ) -> list[CaseAssignment]:
        """The cases set for ``trainee`` (default: the actor), directly or through their cohorts.

        A supervisor without ``trainee`` gets every assignment in the cohorts they belong to, and those made
        to their trainees; an admin gets all.
        """
        me = _actor(db, actor)
        query = select(CaseAssignmentRow).order_by(CaseAssignmentRow.case_id, CaseAssignmentRow.id)
        if trainee is None and me.role == "supervisor":
            if not me.is_admin:
                query = query.where(
                    CaseAssignmentRow.cohort_id.in_(_cohorts_of(actor))
                    | CaseAssignmentRow.trainee.in_(_cohort_mates(actor))
                )
            return [_assignment(r) for r in db.scalars(query)]
        who = trainee or actor
        if who != actor and not (me.is_admin or (me.role == "supervisor" and _supervises(db, actor, who))):
            raise PermissionDenied("you can only see the cases of trainees you supervise")
        query = query.where(
            (CaseAssignmentRow.trainee == who) | CaseAssignmentRow.cohort_id.in_(_cohorts_of(who))
        )
        return [_assignment(r) for r in db.scalars(query)]

    # ------------------------------------------------------------------ drafts and revisions

    @_transaction(write=True)
    def start_draft(
        self, db: Session, case_id: str, *, workshop_id: int | None = None, actor: str
    ) -> DraftSummary:
        """The actor's draft for ``case_id``, created (empty) if they have none yet.

        A trainee needs the case assigned to them or their cohort; a supervisor may draft any case (for
        example to try the exercise before setting it).
        """
        me = _actor(db, actor)
        _check_element_id(case_id, "case_id")
        query = select(DraftRow).where(DraftRow.owner == actor, DraftRow.case_id == case_id)
        query = query.where(
            DraftRow.workshop_id.is_(None) if workshop_id is None else DraftRow.workshop_id == workshop_id
        )
        row = db.scalar(query)
        if row is None and workshop_id is not None:
            self._check_workshop_draft_start(db, me, case_id, workshop_id)
        elif row is None and me.role == "trainee" and not _is_assigned(db, case_id, actor):
            raise PermissionDenied(f"case {case_id!r} is not assigned to you")
        if row is None:
            now = self._now()
            row = DraftRow(
                owner=actor, case_id=case_id, workshop_id=workshop_id, created_at=now, updated_at=now
            )
            db.add(row)
            db.flush()
        return _summaries(db, [row])[0]

    @_transaction(write=False)
    def get_draft(self, db: Session, draft_id: int, *, actor: str) -> DraftSummary:
        row = _readable_draft(db, _actor(db, actor), draft_id)
        return _summaries(db, [row])[0]

    @_transaction(write=False)
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
        me = _actor(db, actor)
        query = select(DraftRow).order_by(DraftRow.case_id, DraftRow.owner, DraftRow.id)
        if me.role == "trainee":
            query = query.where(DraftRow.owner == actor)
        elif not me.is_admin:
            query = query.where((DraftRow.owner == actor) | DraftRow.owner.in_(_supervised_trainees(actor)))
        if case_id is not None:
            query = query.where(DraftRow.case_id == case_id)
        if owner is not None:
            query = query.where(DraftRow.owner == owner)
        if cohort_id is not None:
            query = query.where(
                DraftRow.owner.in_(
                    select(CohortMemberRow.username).where(CohortMemberRow.cohort_id == cohort_id)
                )
            )
        return _summaries(db, list(db.scalars(query)))

    @_transaction(write=False)
    def blank_plan(self, db: Session, draft_id: int, *, actor: str) -> TreatmentPlan:
        """An empty plan for the draft's case, with a fresh id, to start revision 1 from."""
        draft = _owned_draft(db, _actor(db, actor), draft_id)
        return TreatmentPlan(id=self._new_id("plan"), case_id=draft.case_id)

    @_transaction(write=True)
    def save_revision(
        self, db: Session, draft_id: int, plan: TreatmentPlan | dict[str, Any], *, based_on: int, actor: str
    ) -> RevisionInfo:
        """Append the next revision of the actor's own draft.

        ``based_on`` is the revision the writer started from (0 for a blank plan). If someone (or another tab)
        has saved since, StaleRevision says which revision is now the latest and nothing is written.
        The plan is validated again here: trainee text is untrusted, whatever the UI checked.
        """
        draft = _owned_draft(db, _actor(db, actor), draft_id)
        self._check_workshop_draft_open(db, draft)
        plan_json = _plan_json(plan, draft)
        _lock_draft(db, draft_id)
        latest = _latest_number(db, draft_id)
        if based_on != latest:
            if 0 <= based_on < latest:
                raise StaleRevision(
                    f"draft {draft_id} has been saved since revision {based_on}: the latest is {latest}",
                    latest_revision=latest,
                )
            raise InvalidInput([Problem(f"no revision {based_on}; the latest is {latest}", field="based_on")])
        locking = _locking_submission(db, draft_id)
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
            plan_json=plan_json,
            created_at=now,
        )
        db.add(row)
        draft.updated_at = now
        db.flush()
        return _revision_info(row)

    @_transaction(write=False)
    def get_revision(
        self, db: Session, draft_id: int, number: int | None = None, *, actor: str
    ) -> TreatmentPlan:
        """The plan as saved in revision ``number`` (default: the latest), validated on the way out."""
        _readable_draft(db, _actor(db, actor), draft_id)
        return _load_plan(db, draft_id, number)

    @_transaction(write=False)
    def latest_plans(
        self, db: Session, *, case_id: str, cohort_id: int | None = None, actor: str
    ) -> list[tuple[DraftSummary, TreatmentPlan]]:
        """Each readable draft of ``case_id`` (in ``cohort_id``) that has a saved plan, with its latest plan.

        The cohort view reads a thousand drafts at once: one transaction, one role check and one query
        (drafts joined to their newest revision and newest submission), instead of ``list_drafts`` plus a
        ``get_revision`` per draft. Which drafts come back follows the same rules as ``list_drafts`` (a trainee
        gets their own; a supervisor their own and their cohorts' trainees'; an admin all), so every one of
        them is a draft ``get_revision`` would let the actor read. Drafts without a saved plan are left out.
        """
        me = _actor(db, actor)
        _check_element_id(case_id, "case_id")
        other = aliased(RevisionRow)
        newest_number = select(func.max(other.number)).where(other.draft_id == DraftRow.id).scalar_subquery()
        newest_status = (
            select(SubmissionRow.status)
            .where(SubmissionRow.draft_id == DraftRow.id)
            .order_by(SubmissionRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
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
                newest_status.label("submission_status"),
            )
            .join(RevisionRow, and_(RevisionRow.draft_id == DraftRow.id, RevisionRow.number == newest_number))
            .where(DraftRow.case_id == case_id)
            .order_by(DraftRow.owner, DraftRow.id)
        )
        if me.role == "trainee":
            query = query.where(DraftRow.owner == actor)
        elif not me.is_admin:
            query = query.where((DraftRow.owner == actor) | DraftRow.owner.in_(_supervised_trainees(actor)))
        if cohort_id is not None:
            query = query.where(
                DraftRow.owner.in_(
                    select(CohortMemberRow.username).where(CohortMemberRow.cohort_id == cohort_id)
                )
            )
        out = []
        for row in db.execute(query):
            summary = DraftSummary(
                id=row.id,
                owner=row.owner,
                case_id=row.case_id,
                workshop_id=row.workshop_id,
                latest_revision=row.number,
                status=row.submission_status or "in_progress",
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
            out.append((summary, _parse_plan(row.plan_json, f"draft {row.id} revision {row.number}")))
        return out

    @_transaction(write=False)
    def list_revisions(self, db: Session, draft_id: int, *, actor: str) -> list[RevisionInfo]:
        _readable_draft(db, _actor(db, actor), draft_id)
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
        return [
            RevisionInfo(
                draft_id=r.draft_id,
                number=r.number,
                based_on=r.based_on,
                author=r.author,
                created_at=r.created_at,
                size_bytes=r.size,
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ submissions

    @_transaction(write=True)
    def submit_draft(
        self, db: Session, draft_id: int, *, revision: int | None = None, actor: str
    ) -> Submission:
        """Hand in the latest revision (or ``revision``) for supervision; the draft is locked until returned."""
        draft = _owned_draft(db, _actor(db, actor), draft_id)
        _lock_draft(db, draft_id)
        latest = _latest_number(db, draft.id)
        if latest == 0:
            raise InvalidInput([Problem("save the plan before submitting it", field="revision")])
        number = latest if revision is None else revision
        if not 1 <= number <= latest:
            raise InvalidInput([Problem(f"no revision {number}; the latest is {latest}", field="revision")])
        locking = _locking_submission(db, draft_id)
        if locking is not None:
            raise InvalidInput([Problem(f"this draft is already {locking.status}", field="revision")])
        row = SubmissionRow(
            draft_id=draft_id,
            revision=number,
            status="submitted",
            submitted_by=actor,
            submitted_at=self._now(),
        )
        db.add(row)
        db.flush()
        return _submission(row)

    @_transaction(write=True)
    def return_draft(self, db: Session, draft_id: int, *, actor: str) -> Submission:
        """Send the submitted draft back to the trainee for more work, releasing the feedback on it."""
        self._supervise(db, actor, draft_id)
        row = self._decide(db, draft_id, "returned", actor)
        _release(db, draft_id)
        return row

    @_transaction(write=True)
    def accept_draft(self, db: Session, draft_id: int, *, actor: str) -> Submission:
        """Sign the submitted draft off; it stays locked. The feedback on it is released."""
        self._supervise(db, actor, draft_id)
        row = self._decide(db, draft_id, "accepted", actor)
        _release(db, draft_id)
        return row

    @_transaction(write=False)
    def list_submissions(self, db: Session, draft_id: int, *, actor: str) -> list[Submission]:
        _readable_draft(db, _actor(db, actor), draft_id)
        rows = db.scalars(
            select(SubmissionRow).where(SubmissionRow.draft_id == draft_id).order_by(SubmissionRow.id)
        )
        return [_submission(r) for r in rows]

    def _decide(self, db: Session, draft_id: int, status: str, actor: str) -> Submission:
        _lock_draft(db, draft_id)
        row = _latest_submission(db, draft_id)
        if row is None or row.status != "submitted":
            raise InvalidInput([Problem("this draft is not waiting for a decision", field="status")])
        row.status = status
        row.decided_by = actor
        row.decided_at = self._now()
        db.flush()
        return _submission(row)

    # ------------------------------------------------------------------ annotations and scores

    def _supervise(self, db: Session, actor: str, draft_id: int) -> DraftRow:
        """The draft, if the actor may give feedback on it: a supervisor who reads it and does not own it."""
        me = _actor(db, actor)
        draft = _readable_draft(db, me, draft_id)
        if me.role != "supervisor":
            raise PermissionDenied("only supervisors give feedback on drafts")
        if draft.owner == actor:
            raise PermissionDenied("feedback on your own draft must come from another supervisor")
        return draft

    @_transaction(write=True)
    def add_annotation(
        self,
        db: Session,
        draft_id: int,
        body: str,
        *,
        element_id: str | None = None,
        revision: int | None = None,
        tags: Iterable[AnnotationTag] = (),
        actor: str,
    ) -> Annotation:
        """Comment on one plan element (or the whole draft) as it stood in ``revision`` (default: latest).

        The element must exist in that revision; because element ids are permanent, the comment stays on its
        element in later revisions.
        """
        self._supervise(db, actor, draft_id)
        latest = _latest_number(db, draft_id)
        if latest == 0:
            raise InvalidInput([Problem("there is no saved plan to comment on yet", field="revision")])
        number = latest if revision is None else revision
        if not 1 <= number <= latest:
            raise InvalidInput([Problem(f"no revision {number}; the latest is {latest}", field="revision")])
        if element_id is not None:
            plan = _load_plan(db, draft_id, number)
            if element_id not in {e.id for e in plan.elements()}:
                raise InvalidInput(
                    [Problem(f"revision {number} has no element {element_id!r}", field="element_id")]
                )
        return self._insert_annotation(db, draft_id, number, element_id, body, list(tags), None, actor)

    @_transaction(write=True)
    def reply(self, db: Session, annotation_id: int, body: str, *, actor: str) -> Annotation:
        """Answer a comment in its thread (same draft and element), on the draft's latest revision."""
        parent = _annotation_row(db, annotation_id)
        self._supervise(db, actor, parent.draft_id)
        latest = _latest_number(db, parent.draft_id)
        return self._insert_annotation(
            db, parent.draft_id, latest, parent.element_id, body, [], parent.id, actor
        )

    def _insert_annotation(
        self,
        db: Session,
        draft_id: int,
        revision: int,
        element_id: str | None,
        body: str,
        tags: list[str],
        parent_id: int | None,
        actor: str,
    ) -> Annotation:
        now = self._now()
        checked: Annotation = _validated(
            Annotation,
            {
                "draft_id": draft_id,
                "element_id": element_id,
                "revision": revision,
                "author": actor,
                "body": body,
                "tags": tags,
                "parent_id": parent_id,
            },
            f"annotation on draft {draft_id}",
        )
        row = AnnotationRow(
            draft_id=draft_id,
            revision=revision,
            element_id=element_id,
            author=actor,
            body=checked.body,
            tags=",".join(dict.fromkeys(checked.tags)),
            parent_id=parent_id,
            resolved=False,
            released=False,
            created_at=now,
        )
        db.add(row)
        db.flush()
        return _annotation(row)

    @_transaction(write=True)
    def resolve(self, db: Session, annotation_id: int, *, resolved: bool = True, actor: str) -> Annotation:
        """Mark a comment thread as dealt with (or reopen it)."""
        row = _annotation_row(db, annotation_id)
        self._supervise(db, actor, row.draft_id)
        row.resolved = resolved
        db.flush()
        return _annotation(row)

    @_transaction(write=False)
    def list_annotations(
        self, db: Session, draft_id: int, *, revision: int | None = None, actor: str
    ) -> list[Annotation]:
        """Comments written on ``revision`` or earlier (default: all), oldest first.

        The trainee who owns the draft sees released comments only.
        """
        me = _actor(db, actor)
        draft = _readable_draft(db, me, draft_id)
        query = select(AnnotationRow).where(AnnotationRow.draft_id == draft_id).order_by(AnnotationRow.id)
        if revision is not None:
            query = query.where(AnnotationRow.revision <= revision)
        if draft.owner == actor:
            query = query.where(AnnotationRow.released)
        elif me.role == "trainee":  # a workshop peer reads the plan, never the feedback on it
            return []
        return [_annotation(r) for r in db.scalars(query)]

    @_transaction(write=True)
    def add_score(
        self,
        db: Session,
        draft_id: int,
        rubric_id: str,
        criterion_id: str,
        score: int,
        *,
        comment: str = "",
        revision: int | None = None,
        actor: str,
    ) -> RubricScore:
        """Score a revision (default: latest) on one rubric criterion, 1-4.

        A rater may change their score until it is released; after that it is part of the record.
        """
        self._supervise(db, actor, draft_id)
        latest = _latest_number(db, draft_id)
        number = latest if revision is None else revision
        if not 1 <= number <= latest:
            raise InvalidInput([Problem(f"no revision {number}; the latest is {latest}", field="revision")])
        checked: RubricScore = _validated(
            RubricScore,
            {
                "draft_id": draft_id,
                "revision": number,
                "rubric_id": rubric_id,
                "criterion_id": criterion_id,
                "rater": actor,
                "score": score,
                "comment": comment,
            },
            f"score on draft {draft_id}",
        )
        row = db.scalar(
            select(RubricScoreRow).where(
                RubricScoreRow.draft_id == draft_id,
                RubricScoreRow.revision == number,
                RubricScoreRow.rubric_id == rubric_id,
                RubricScoreRow.criterion_id == criterion_id,
                RubricScoreRow.rater == actor,
            )
        )
        if row is not None and row.released:
            raise PermissionDenied(
                "this score is released and cannot change; score the next revision instead"
            )
        if row is None:
            row = RubricScoreRow(
                draft_id=draft_id,
                revision=number,
                rubric_id=rubric_id,
                criterion_id=criterion_id,
                rater=actor,
                released=False,
            )
            db.add(row)
        row.score = checked.score
        row.comment = checked.comment
        row.created_at = self._now()
        db.flush()
        return _score(row)

    @_transaction(write=False)
    def list_scores(
        self, db: Session, draft_id: int, *, revision: int | None = None, actor: str
    ) -> list[RubricScore]:
        """Scores on the draft (or on one revision); the owning trainee sees released scores only."""
        me = _actor(db, actor)
        draft = _readable_draft(db, me, draft_id)
        query = select(RubricScoreRow).where(RubricScoreRow.draft_id == draft_id)
        if revision is not None:
            query = query.where(RubricScoreRow.revision == revision)
        if draft.owner == actor:
            query = query.where(RubricScoreRow.released)
        elif me.role == "trainee":  # a workshop peer reads the plan, never the feedback on it
            return []
        query = query.order_by(
            RubricScoreRow.revision,
            RubricScoreRow.rubric_id,
            RubricScoreRow.criterion_id,
            RubricScoreRow.rater,
        )
        return [_score(r) for r in db.scalars(query)]

    @_transaction(write=True)
    def release_feedback(self, db: Session, draft_id: int, *, actor: str) -> int:
        """Let the trainee see every comment and score on the draft so far; returns how many were released."""
        self._supervise(db, actor, draft_id)
        return _release(db, draft_id)


# ---------------------------------------------------------------------- helpers (inside a transaction)


def _check_username(username: str) -> None:
    if not re.fullmatch(USERNAME_PATTERN, username or ""):
        raise InvalidInput(
            [
                Problem(
                    "a username is 1-100 letters, digits or . _ @ + - (starting with a letter or digit)",
                    field="username",
                )
            ]
        )


def _check_text(
    value: str,
    field: str,
    what: str,
    problems: list[Problem],
    *,
    limit: int = SHORT_TEXT_MAX,
    required: bool = True,
) -> str:
    """A name, title or note a person typed, stripped; what is wrong with it goes to ``problems``.
    The same rules as the model's text fields (length, no NUL: PostgreSQL text cannot hold one)."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if (required and not text) or len(text) > limit:
        problems.append(Problem(f"give {what} of {1 if required else 0}-{limit} characters", field=field))
    elif "\x00" in text:
        problems.append(Problem(NUL_MESSAGE, field=field))
    return text


def _check_element_id(value: str, field: str) -> None:
    if not isinstance(value, str) or len(value) > 64 or not re.fullmatch(ID_PATTERN, value):
        raise InvalidInput([Problem(f"{value!r} is not an id like 'case-rural-perinatal'", field=field)])


def _person_row(db: Session, username: str) -> PersonRow | None:
    return db.scalar(select(PersonRow).where(PersonRow.username == username))


def _actor(db: Session, username: str) -> PersonRow:
    row = _person_row(db, username)
    if row is None:
        raise PermissionDenied(f"{username!r} is not a known user of this store")
    return row


def _require_admin(me: PersonRow) -> None:
    if not me.is_admin:
        raise PermissionDenied("only an admin can do this")


def _cohort_row(db: Session, cohort_id: int) -> CohortRow:
    row = db.get(CohortRow, cohort_id)
    if row is None:
        raise NotFound(f"no cohort {cohort_id}")
    return row


def _cohorts_of(username: str) -> Any:
    return select(CohortMemberRow.cohort_id).where(CohortMemberRow.username == username)


def _cohort_mates(username: str) -> Any:
    return select(CohortMemberRow.username).where(CohortMemberRow.cohort_id.in_(_cohorts_of(username)))


def _supervised_trainees(supervisor: str) -> Any:
    return (
        select(PersonRow.username)
        .where(PersonRow.role == "trainee")
        .where(PersonRow.username.in_(_cohort_mates(supervisor)))
    )


def _supervises(db: Session, supervisor: str, trainee: str) -> bool:
    return db.scalar(_supervised_trainees(supervisor).where(PersonRow.username == trainee)) is not None


def _is_assigned(db: Session, case_id: str, trainee: str) -> bool:
    query = select(CaseAssignmentRow.id).where(
        CaseAssignmentRow.case_id == case_id,
        (CaseAssignmentRow.trainee == trainee) | CaseAssignmentRow.cohort_id.in_(_cohorts_of(trainee)),
    )
    return db.scalar(query.limit(1)) is not None


def _draft_row(db: Session, draft_id: int) -> DraftRow:
    row = db.get(DraftRow, draft_id)
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return row


def _readable_draft(db: Session, me: PersonRow, draft_id: int) -> DraftRow:
    draft = _draft_row(db, draft_id)
    if draft.owner == me.username:
        return draft
    if me.role == "supervisor" and (me.is_admin or _supervises(db, me.username, draft.owner)):
        return draft
    if can_read_workshop_draft(db, me, draft):  # facilitator; peers once review opens (store/workshops.py)
        return draft
    raise PermissionDenied(f"draft {draft_id} belongs to someone you do not supervise")


def _owned_draft(db: Session, me: PersonRow, draft_id: int) -> DraftRow:
    draft = _readable_draft(db, me, draft_id)
    if draft.owner != me.username:
        raise PermissionDenied(f"only {draft.owner} can change draft {draft_id}")
    return draft


def _lock_draft(db: Session, draft_id: int) -> None:
    """Queue up behind anyone else changing this draft's revisions or submissions.

    PostgreSQL: a row lock, after which (READ COMMITTED) every statement sees the other writer's commit.
    SQLite: a no-op, since BEGIN IMMEDIATE already holds the one write lock.
    """
    db.execute(select(DraftRow.id).where(DraftRow.id == draft_id).with_for_update())


def _latest_number(db: Session, draft_id: int) -> int:
    return (
        db.scalar(
            select(func.coalesce(func.max(RevisionRow.number), 0)).where(RevisionRow.draft_id == draft_id)
        )
        or 0
    )


def _latest_submission(db: Session, draft_id: int) -> SubmissionRow | None:
    query = select(SubmissionRow).where(SubmissionRow.draft_id == draft_id)
    return db.scalar(query.order_by(SubmissionRow.id.desc()).limit(1))


def _locking_submission(db: Session, draft_id: int) -> SubmissionRow | None:
    """The submission that keeps the trainee from saving: one waiting for a decision, or an accepted one."""
    row = _latest_submission(db, draft_id)
    return row if row is not None and row.status in ("submitted", "accepted") else None


def _plan_json(plan: TreatmentPlan | dict[str, Any], draft: DraftRow) -> str:
    source = f"draft {draft.id}"
    data = to_data(plan) if isinstance(plan, TreatmentPlan) else plan
    if not isinstance(data, dict):
        raise InvalidInput(
            [Problem("a plan must be a TreatmentPlan or a mapping of its fields", file=source)]
        )
    size = len(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))
    if size > MAX_PLAN_BYTES:
        # Say where the bulk is, so the writer knows what to cut.
        biggest = max(data, key=lambda k: len(json.dumps(data[k], ensure_ascii=False, default=str)))
        raise InvalidInput(
            [
                Problem(
                    f"the plan is {size:,} bytes, more than the {MAX_PLAN_BYTES:,} allowed; most of it is here",
                    field=str(biggest),
                    file=source,
                )
            ]
        )
    checked: TreatmentPlan = _validated(TreatmentPlan, data, source)
    if checked.case_id != draft.case_id:
        raise InvalidInput(
            [
                Problem(
                    f"this draft is for case {draft.case_id!r}, not {checked.case_id!r}",
                    field="case_id",
                    file=source,
                )
            ]
        )
    return json.dumps(to_data(checked), ensure_ascii=False, separators=(",", ":"))


def _load_plan(db: Session, draft_id: int, number: int | None) -> TreatmentPlan:
    query = select(RevisionRow.number, RevisionRow.plan_json).where(RevisionRow.draft_id == draft_id)
    query = (
        query.order_by(RevisionRow.number.desc()).limit(1)
        if number is None
        else query.where(RevisionRow.number == number)
    )
    found = db.execute(query).first()
    if found is None:
        raise NotFound(
            f"draft {draft_id} has no revision {number}"
            if number
            else f"draft {draft_id} has no saved plan yet"
        )
    return _parse_plan(found.plan_json, f"draft {draft_id} revision {found.number}")


def _parse_plan(plan_json: str, source: str) -> TreatmentPlan:
    """A stored plan validated on the way out (straight from the JSON: pydantic-core's fast path)."""
    try:
        return TreatmentPlan.model_validate_json(plan_json)
    except ValidationError as exc:
        raise InvalidInput(_problems(exc, source)) from None


def _release(db: Session, draft_id: int) -> int:
    count = 0
    for model in (AnnotationRow, RubricScoreRow):
        for row in db.scalars(select(model).where(model.draft_id == draft_id, ~model.released)):
            row.released = True
            count += 1
    db.flush()
    return count


def _annotation_row(db: Session, annotation_id: int) -> AnnotationRow:
    row = db.get(AnnotationRow, annotation_id)
    if row is None:
        raise NotFound(f"no annotation {annotation_id}")
    return row


def _summaries(db: Session, drafts: list[DraftRow]) -> list[DraftSummary]:
    """Summaries for many drafts in two queries (not two per draft)."""
    if not drafts:
        return []
    ids = [d.id for d in drafts]
    latest = dict(
        db.execute(
            select(RevisionRow.draft_id, func.max(RevisionRow.number))
            .where(RevisionRow.draft_id.in_(ids))
            .group_by(RevisionRow.draft_id)
        ).all()
    )
    newest = aliased(SubmissionRow)
    last_submission = (
        select(SubmissionRow.draft_id, SubmissionRow.status)
        .where(SubmissionRow.draft_id.in_(ids))
        .where(
            SubmissionRow.id
            == select(func.max(newest.id))
            .where(and_(newest.draft_id == SubmissionRow.draft_id))
            .scalar_subquery()
        )
    )
    statuses = dict(db.execute(last_submission).all())
    out = []
    for d in drafts:
        number = latest.get(d.id, 0)
        status: DraftStatus = statuses.get(d.id) or ("in_progress" if number else "empty")
        out.append(
            DraftSummary(
                id=d.id,
                owner=d.owner,
                case_id=d.case_id,
                workshop_id=d.workshop_id,
                latest_revision=number,
                status=status,
                created_at=d.created_at,
                updated_at=d.updated_at,
            )
        )
    return out


def _person(row: PersonRow) -> Person:
    return Person(username=row.username, display_name=row.display_name, role=row.role, is_admin=row.is_admin)  # type: ignore[arg-type]


def _assignment(row: CaseAssignmentRow) -> CaseAssignment:
    return CaseAssignment(
        id=row.id,
        case_id=row.case_id,
        cohort_id=row.cohort_id,
        trainee=row.trainee,
        assigned_by=row.assigned_by,
        assigned_at=row.assigned_at,
    )


def _revision_info(row: RevisionRow) -> RevisionInfo:
    return RevisionInfo(
        draft_id=row.draft_id,
        number=row.number,
        based_on=row.based_on,
        author=row.author,
        created_at=row.created_at,
        size_bytes=len(row.plan_json),
    )


def _submission(row: SubmissionRow) -> Submission:
    return Submission(
        id=row.id,
        draft_id=row.draft_id,
        revision=row.revision,
        status=row.status,  # type: ignore[arg-type]
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


def _annotation(row: AnnotationRow) -> Annotation:
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


def _score(row: RubricScoreRow) -> RubricScore:
    return RubricScore(
        draft_id=row.draft_id,
        revision=row.revision,
        rubric_id=row.rubric_id,
        criterion_id=row.criterion_id,
        rater=row.rater,
        score=row.score,
        comment=row.comment,
        released=row.released,
    )
