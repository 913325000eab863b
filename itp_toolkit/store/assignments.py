"""Case assignments: which case each cohort or trainee is set to plan (a mixin of PlanStore)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied
from . import mapping
from .core import StoreCore
from .database import transaction
from .guards import (
    acting_person,
    cohort_mates,
    cohort_row,
    cohorts_of,
    in_cohort,
    members_of,
    person_row,
    readable_drafts,
    supervised_trainees,
    supervises,
)
from .inputs import check_element_id
from .reads import newest_submission_id, summaries
from .records import CaseAssignment, PlanStatus, ScorePoint
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


class AssignmentMethods(StoreCore):
    @transaction(write=True)
    def assign_case(
        self,
        db: Session,
        case_id: str,
        *,
        cohort_id: int | None = None,
        trainee: str | None = None,
        due_on: dt.date | None = None,
        actor: str,
    ) -> CaseAssignment:
        """Set a case for a whole cohort or for one trainee, due on ``due_on`` (None: no due date).
        Assigning the same case again returns the first assignment, with the new due date if one is given."""
        me = acting_person(db, actor)
        if due_on is not None and (not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime)):
            raise InvalidInput([InputProblem("a due date is a calendar day (YYYY-MM-DD)", field="due_on")])
        if (cohort_id is None) == (trainee is None):
            raise InvalidInput(
                [InputProblem("assign to a cohort or to a trainee (exactly one)", field="cohort_id")]
            )
        check_element_id(case_id, "case_id")
        if cohort_id is not None:
            cohort_row(db, cohort_id)
            if not (me.is_admin or (me.role == "supervisor" and in_cohort(db, cohort_id, actor))):
                raise PermissionDenied("only an admin or a supervisor of the cohort can assign cases to it")
        else:
            assert trainee is not None
            person = person_row(db, trainee)
            if person is None or person.role != "trainee":
                raise NotFound(f"no trainee {trainee!r}")
            if not (me.is_admin or (me.role == "supervisor" and supervises(db, actor, trainee))):
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
            if due_on is not None and existing.due_on != due_on:
                existing.due_on = due_on
                db.flush()
            return mapping.assignment(existing)
        row = CaseAssignmentRow(
            case_id=case_id,
            cohort_id=cohort_id,
            trainee=trainee,
            assigned_by=actor,
            assigned_at=self._now(),
            due_on=due_on,
        )
        db.add(row)
        db.flush()
        return mapping.assignment(row)

    @transaction(write=False)
    def list_assigned_cases(
        self, db: Session, *, trainee: str | None = None, actor: str
    ) -> list[CaseAssignment]:
        """The cases set for ``trainee`` (default: the actor), directly or through their cohorts.

        A supervisor without ``trainee`` gets every assignment in the cohorts they belong to, and those made
        to their trainees; an admin gets all.
        """
        me = acting_person(db, actor)
        query = select(CaseAssignmentRow).order_by(CaseAssignmentRow.case_id, CaseAssignmentRow.id)
        if trainee is None and me.role == "supervisor":
            if not me.is_admin:
                query = query.where(
                    CaseAssignmentRow.cohort_id.in_(cohorts_of(actor))
                    | CaseAssignmentRow.trainee.in_(cohort_mates(actor))
                )
            return [mapping.assignment(r) for r in db.scalars(query)]
        who = trainee or actor
        if who != actor and not (me.is_admin or (me.role == "supervisor" and supervises(db, actor, who))):
            raise PermissionDenied("you can only see the cases of trainees you supervise")
        query = query.where(
            (CaseAssignmentRow.trainee == who) | CaseAssignmentRow.cohort_id.in_(cohorts_of(who))
        )
        return [mapping.assignment(r) for r in db.scalars(query)]

    @transaction(write=False)
    def plan_statuses(
        self,
        db: Session,
        *,
        trainee: str | None = None,
        cohort_id: int | None = None,
        case_id: str | None = None,
        actor: str,
    ) -> list[PlanStatus]:
        """Every assigned case of every trainee the actor may follow, and where each plan stands.

        A trainee gets their own ("My plans"); a supervisor their cohorts' trainees (an admin: all),
        narrowed to one ``trainee``, ``cohort_id`` or ``case_id``. ``new_feedback`` counts what the trainee
        can read (released comments and scores by others) written since their newest save.
        """
        me = acting_person(db, actor)
        people = select(PersonRow).where(PersonRow.role == "trainee").order_by(PersonRow.username)
        if me.role == "trainee":
            if trainee not in (None, actor):
                raise PermissionDenied("you can only see your own plans")
            people = people.where(PersonRow.username == actor)
        else:
            if not me.is_admin:
                people = people.where(PersonRow.username.in_(supervised_trainees(actor)))
            if trainee is not None:
                if person_row(db, trainee) is None:
                    raise NotFound(f"no trainee {trainee!r}")
                people = people.where(PersonRow.username == trainee)
            if cohort_id is not None:
                cohort_row(db, cohort_id)
                people = people.where(PersonRow.username.in_(members_of(cohort_id)))
        trainees = {p.username: p for p in db.scalars(people)}
        if not trainees:
            return []
        names = list(trainees)
        cohort_names = {c.id: c.name for c in db.scalars(select(CohortRow))}
        member_of: dict[str, set[int]] = defaultdict(set)
        for m in db.scalars(select(CohortMemberRow).where(CohortMemberRow.username.in_(names))):
            member_of[m.username].add(m.cohort_id)
        all_cohorts = set().union(*member_of.values()) if member_of else set()
        query = select(CaseAssignmentRow).where(
            CaseAssignmentRow.trainee.in_(names) | CaseAssignmentRow.cohort_id.in_(all_cohorts)
        )
        if case_id is not None:
            query = query.where(CaseAssignmentRow.case_id == case_id)
        assignments = list(db.scalars(query.order_by(CaseAssignmentRow.id)))
        drafts = list(
            db.scalars(select(DraftRow).where(DraftRow.owner.in_(names), DraftRow.workshop_id.is_(None)))
        )
        by_owner_case = {(d.owner, d.case_id): s for d, s in zip(drafts, summaries(db, drafts), strict=True)}
        ids = [d.id for d in drafts]
        saved_at = dict(
            db.execute(
                select(RevisionRow.draft_id, func.max(RevisionRow.created_at))
                .where(RevisionRow.draft_id.in_(ids))
                .group_by(RevisionRow.draft_id)
            )
            .tuples()
            .all()
        )
        newest = {
            r.draft_id: r
            for r in db.scalars(
                select(SubmissionRow).where(
                    SubmissionRow.draft_id.in_(ids),
                    SubmissionRow.id == newest_submission_id(SubmissionRow.draft_id),
                )
            )
        }
        owners = {d.id: d.owner for d in drafts}
        new_feedback: dict[int, int] = defaultdict(int)
        for table in (AnnotationRow, RubricScoreRow):
            author = AnnotationRow.author if table is AnnotationRow else RubricScoreRow.rater
            for draft_id, who, when in db.execute(
                select(table.draft_id, author, table.created_at).where(
                    table.draft_id.in_(ids), table.released
                )
            ):
                last = saved_at.get(draft_id)
                if who != owners[draft_id] and (last is None or when > last):
                    new_feedback[draft_id] += 1
        out = []
        for username, person in trainees.items():
            due: dict[str, dt.date | None] = {}
            direct: dict[str, bool] = {}
            through: dict[str, list[str]] = defaultdict(list)
            for a in assignments:
                if a.trainee == username:
                    direct[a.case_id] = True
                    due[a.case_id] = a.due_on
                elif a.cohort_id in member_of[username]:
                    through[a.case_id].append(cohort_names.get(a.cohort_id, ""))
                    if not direct.get(a.case_id):
                        dates = [d for d in (due.get(a.case_id), a.due_on) if d is not None]
                        due[a.case_id] = min(dates) if dates else None
            for case in sorted(due):
                summary = by_owner_case.get((username, case))
                submission = newest.get(summary.id) if summary is not None else None
                out.append(
                    PlanStatus(
                        trainee=username,
                        display_name=person.display_name,
                        active=person.active,
                        case_id=case,
                        due_on=due[case],
                        cohorts=tuple(sorted(through[case])),
                        draft_id=summary.id if summary else None,
                        latest_revision=summary.latest_revision if summary else 0,
                        status=summary.status if summary else "empty",
                        last_saved_at=saved_at.get(summary.id) if summary else None,
                        submitted_at=submission.submitted_at if submission else None,
                        decided_at=submission.decided_at if submission else None,
                        new_feedback=new_feedback.get(summary.id, 0) if summary else 0,
                    )
                )
        return out

    @transaction(write=False)
    def score_history(
        self,
        db: Session,
        *,
        trainee: str | None = None,
        cohort_id: int | None = None,
        case_id: str | None = None,
        released_only: bool = False,
        actor: str,
    ) -> list[ScorePoint]:
        """Rubric levels per criterion for every scored revision of the trainees' drafts the actor reads.

        A trainee sees their own released scores only; a supervisor their trainees' (all, or released only).
        Several raters of one revision and criterion are averaged. Oldest revision first.
        """
        me = acting_person(db, actor)
        query = (
            select(RubricScoreRow, DraftRow, RevisionRow.created_at, PersonRow.display_name)
            .join(DraftRow, DraftRow.id == RubricScoreRow.draft_id)
            .join(
                RevisionRow,
                (RevisionRow.draft_id == RubricScoreRow.draft_id)
                & (RevisionRow.number == RubricScoreRow.revision),
            )
            .join(PersonRow, PersonRow.username == DraftRow.owner)
            .where(PersonRow.role == "trainee")
        )
        query = readable_drafts(query, me)
        if me.role == "trainee" or released_only:
            query = query.where(RubricScoreRow.released)
        if trainee is not None:
            query = query.where(DraftRow.owner == trainee)
        if cohort_id is not None:
            cohort_row(db, cohort_id)
            query = query.where(DraftRow.owner.in_(members_of(cohort_id)))
        if case_id is not None:
            query = query.where(DraftRow.case_id == case_id)
        groups: dict[tuple[int, int, str, str], list[int]] = defaultdict(list)
        info: dict[tuple[int, int, str, str], tuple[DraftRow, dt.datetime, str]] = {}
        for score, draft, revised_at, display_name in db.execute(query).tuples():
            key = (draft.id, score.revision, score.rubric_id, score.criterion_id)
            groups[key].append(score.score)
            info[key] = (draft, revised_at, display_name)
        out = []
        for key, values in groups.items():
            draft, revised_at, display_name = info[key]
            out.append(
                ScorePoint(
                    trainee=draft.owner,
                    display_name=display_name,
                    case_id=draft.case_id,
                    draft_id=draft.id,
                    revision=key[1],
                    revised_at=revised_at,
                    rubric_id=key[2],
                    criterion_id=key[3],
                    score=sum(values) / len(values),
                    raters=len(values),
                )
            )
        out.sort(key=lambda p: (p.revised_at, p.trainee, p.draft_id, p.criterion_id))
        return out
