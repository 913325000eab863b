"""Case assignments: which case each cohort or trainee is set to plan (a mixin of PlanStore)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied
from . import mapping
from .core import StoreCore
from .database import transaction
from .guards import acting_person, cohort_mates, cohort_row, cohorts_of, in_cohort, person_row, supervises
from .inputs import check_element_id
from .records import CaseAssignment
from .schema import CaseAssignmentRow


class AssignmentMethods(StoreCore):
    @transaction(write=True)
    def assign_case(
        self,
        db: Session,
        case_id: str,
        *,
        cohort_id: int | None = None,
        trainee: str | None = None,
        actor: str,
    ) -> CaseAssignment:
        """Set a case for a whole cohort or for one trainee. Assigning the same case twice returns the
        first assignment."""
        me = acting_person(db, actor)
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
            return mapping.assignment(existing)
        row = CaseAssignmentRow(
            case_id=case_id, cohort_id=cohort_id, trainee=trainee, assigned_by=actor, assigned_at=self._now()
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
