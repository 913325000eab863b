"""People and cohorts: who uses the toolkit, in which training groups (a mixin of PlanStore)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied
from . import mapping
from .core import StoreCore
from .database import transaction
from .guards import acting_person, cohort_mates, cohort_row, cohorts_of, in_cohort, person_row, require_admin
from .inputs import check_text, check_username
from .records import Cohort, Person, Role
from .schema import CohortMemberRow, CohortRow, PersonRow


class PeopleMethods(StoreCore):
    @transaction(write=True)
    def ensure_admin(self, db: Session, username: str, display_name: str) -> Person:
        """Create the first admin of an empty deployment (needs no actor); an existing admin is returned.

        Refused once any admin exists and ``username`` is not one: later people are added by an admin.
        """
        check_username(username)
        row = person_row(db, username)
        if row is not None and row.is_admin:
            return mapping.person(row)
        if db.scalar(select(func.count()).select_from(PersonRow).where(PersonRow.is_admin)):
            raise PermissionDenied("an admin already exists; ask them to add you")
        if row is not None:
            raise PermissionDenied(f"{username} already exists and is not an admin")
        problems: list[InputProblem] = []
        display_name = check_text(display_name, "display_name", "a display name", problems)
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
        return mapping.person(row)

    @transaction(write=True)
    def add_person(
        self, db: Session, username: str, display_name: str, role: Role, *, is_admin: bool = False, actor: str
    ) -> Person:
        """Add a trainee or a supervisor (admins only)."""
        require_admin(acting_person(db, actor))
        check_username(username)
        problems = []
        if role not in ("trainee", "supervisor"):
            problems.append(InputProblem("role must be 'trainee' or 'supervisor'", field="role"))
        if is_admin and role != "supervisor":
            problems.append(InputProblem("only a supervisor can be an admin", field="is_admin"))
        display_name = check_text(display_name, "display_name", "a display name", problems)
        if person_row(db, username) is not None:
            problems.append(InputProblem(f"{username!r} already exists", field="username"))
        if problems:
            raise InvalidInput(problems)
        row = PersonRow(
            username=username, display_name=display_name, role=role, is_admin=is_admin, created_at=self._now()
        )
        db.add(row)
        db.flush()
        return mapping.person(row)

    @transaction(write=False)
    def find_person(self, db: Session, username: str, *, actor: str) -> Person:
        """Anyone known to the store may look up a name (to show who wrote a comment)."""
        acting_person(db, actor)
        row = person_row(db, username)
        if row is None:
            raise NotFound(f"no person {username!r}")
        return mapping.person(row)

    @transaction(write=False)
    def list_people(self, db: Session, *, role: Role | None = None, actor: str) -> list[Person]:
        """Everyone (admins), or the people who share a cohort with the actor."""
        me = acting_person(db, actor)
        query = select(PersonRow).order_by(PersonRow.username)
        if role is not None:
            query = query.where(PersonRow.role == role)
        if not me.is_admin:
            query = query.where(
                PersonRow.username.in_(cohort_mates(me.username)) | (PersonRow.username == actor)
            )
        return [mapping.person(r) for r in db.scalars(query)]

    @transaction(write=True)
    def add_cohort(self, db: Session, name: str, *, actor: str) -> Cohort:
        """A new training group (admins only)."""
        require_admin(acting_person(db, actor))
        problems: list[InputProblem] = []
        name = check_text(name, "name", "a cohort name", problems)
        if problems:
            raise InvalidInput(problems)
        if db.scalar(select(CohortRow).where(CohortRow.name == name)) is not None:
            raise InvalidInput([InputProblem(f"a cohort named {name!r} already exists", field="name")])
        row = CohortRow(name=name, created_at=self._now())
        db.add(row)
        db.flush()
        return mapping.cohort(row)

    @transaction(write=False)
    def list_cohorts(self, db: Session, *, actor: str) -> list[Cohort]:
        """Every cohort (admins) or the cohorts the actor belongs to."""
        me = acting_person(db, actor)
        query = select(CohortRow).order_by(CohortRow.name)
        if not me.is_admin:
            query = query.where(CohortRow.id.in_(cohorts_of(actor)))
        return [mapping.cohort(r) for r in db.scalars(query)]

    @transaction(write=True)
    def add_to_cohort(self, db: Session, cohort_id: int, username: str, *, actor: str) -> None:
        """Put a trainee or supervisor in a cohort (admins only). Adding someone twice is harmless."""
        require_admin(acting_person(db, actor))
        cohort_row(db, cohort_id)
        if person_row(db, username) is None:
            raise NotFound(f"no person {username!r}")
        if not in_cohort(db, cohort_id, username):
            db.add(CohortMemberRow(cohort_id=cohort_id, username=username, added_at=self._now()))

    @transaction(write=False)
    def list_cohort_members(self, db: Session, cohort_id: int, *, actor: str) -> list[Person]:
        """The cohort's people (for admins and the cohort's own members)."""
        me = acting_person(db, actor)
        cohort_row(db, cohort_id)
        if not me.is_admin and not in_cohort(db, cohort_id, actor):
            raise PermissionDenied("you are not in this cohort")
        query = (
            select(PersonRow)
            .join(CohortMemberRow, CohortMemberRow.username == PersonRow.username)
            .where(CohortMemberRow.cohort_id == cohort_id)
            .order_by(PersonRow.role, PersonRow.username)
        )
        return [mapping.person(r) for r in db.scalars(query)]
