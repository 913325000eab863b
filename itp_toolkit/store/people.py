"""People and cohorts: who uses the toolkit, in which training groups (a mixin of PlanStore)."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied
from . import mapping
from .core import StoreCore
from .database import transaction
from .guards import acting_person, cohort_mates, cohort_row, cohorts_of, in_cohort, person_row, require_admin
from .inputs import check_text, check_username
from .records import USERNAME_PATTERN, Cohort, Person, Role, RosterEntry, RosterResult
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
    def set_active(self, db: Session, username: str, active: bool, *, actor: str) -> Person:
        """Deactivate (or reactivate) a person (admins only). A deactivated person keeps their drafts,
        revisions and feedback, and every store call made as them is refused (they cannot sign in or save).
        An admin cannot deactivate themselves (someone must be left to undo it)."""
        require_admin(acting_person(db, actor))
        row = person_row(db, username)
        if row is None:
            raise NotFound(f"no person {username!r}")
        if username == actor and not active:
            raise PermissionDenied("you cannot deactivate yourself; ask another admin")
        row.active = active
        db.flush()
        return mapping.person(row)

    @transaction(write=True)
    def import_roster(
        self, db: Session, entries: list[RosterEntry], *, source: str, actor: str
    ) -> RosterResult:
        """Bring people, cohorts and memberships in line with a roster, in one transaction (admins only).

        Idempotent: a person already stored keeps their role (a roster naming another role is refused,
        with the row's line), has their display name updated; missing cohorts and memberships are added,
        none are removed. A deactivated person stays deactivated. Any refused row refuses the whole
        roster: nothing is written.
        """
        require_admin(acting_person(db, actor))
        problems: list[InputProblem] = []
        known = {r.username: r for r in db.scalars(select(PersonRow))}
        cohorts = {r.name: r for r in db.scalars(select(CohortRow))}
        seen: dict[str, int] = {}
        for e in entries:
            if e.username in seen:
                problems.append(
                    InputProblem(
                        f"{e.username} is also on line {seen[e.username]}", "username", source, e.line
                    )
                )
                continue
            seen[e.username] = e.line
            problems += roster_entry_problems(e, source)
            have = known.get(e.username)
            if have is not None and (have.role, have.is_admin) != (e.role, e.is_admin):
                stored = "an admin" if have.is_admin else f"a {have.role}"
                problems.append(
                    InputProblem(
                        f"{e.username} is {stored} in the store; a roster does not change roles",
                        "role",
                        source,
                        e.line,
                    )
                )
        if problems:
            raise InvalidInput(problems)
        now = self._now()
        added: list[str] = []
        renamed: list[str] = []
        new_cohorts: list[str] = []
        joined: list[tuple[str, str]] = []
        kept: list[str] = []
        for e in entries:
            row = known.get(e.username)
            if row is None:
                row = PersonRow(
                    username=e.username,
                    display_name=e.display_name,
                    role=e.role,
                    is_admin=e.is_admin,
                    active=True,
                    created_at=now,
                )
                db.add(row)
                known[e.username] = row
                added.append(e.username)
            elif row.display_name != e.display_name:
                row.display_name = e.display_name
                renamed.append(e.username)
            if not row.active:
                kept.append(e.username)
            db.flush()
            for name in e.cohorts:
                cohort = cohorts.get(name)
                if cohort is None:
                    cohort = CohortRow(name=name, created_at=now)
                    db.add(cohort)
                    db.flush()
                    cohorts[name] = cohort
                    new_cohorts.append(name)
                if not in_cohort(db, cohort.id, e.username):
                    db.add(CohortMemberRow(cohort_id=cohort.id, username=e.username, added_at=now))
                    db.flush()
                    joined.append((name, e.username))
        return RosterResult(
            people_added=tuple(added),
            names_updated=tuple(renamed),
            cohorts_added=tuple(new_cohorts),
            memberships_added=tuple(joined),
            kept_deactivated=tuple(kept),
        )

    @transaction(write=True)
    def add_cohort(self, db: Session, name: str, *, course: str | None = None, actor: str) -> Cohort:
        """A new training group (admins only), optionally named with the course it takes."""
        require_admin(acting_person(db, actor))
        problems: list[InputProblem] = []
        name = check_text(name, "name", "a cohort name", problems)
        if course is not None:
            course = check_text(course, "course", "a course name", problems) or None
        if problems:
            raise InvalidInput(problems)
        if db.scalar(select(CohortRow).where(CohortRow.name == name)) is not None:
            raise InvalidInput([InputProblem(f"a cohort named {name!r} already exists", field="name")])
        row = CohortRow(name=name, course=course, created_at=self._now())
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
    def find_cohort(self, db: Session, name: str, *, actor: str) -> Cohort:
        """A cohort by its name, if the actor may see it (admins: any; others: their own)."""
        me = acting_person(db, actor)
        row = db.scalar(select(CohortRow).where(CohortRow.name == name))
        if row is None or not (me.is_admin or in_cohort(db, row.id, actor)):
            raise NotFound(f"no cohort named {name!r}")
        return mapping.cohort(row)

    @transaction(write=True)
    def remove_from_cohort(self, db: Session, cohort_id: int, username: str, *, actor: str) -> bool:
        """Take someone out of a cohort (admins only); their drafts stay. False: they were not in it."""
        require_admin(acting_person(db, actor))
        cohort_row(db, cohort_id)
        member = db.get(CohortMemberRow, (cohort_id, username))
        if member is None:
            return False
        db.delete(member)
        db.flush()
        return True

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


def roster_entry_problems(e: RosterEntry, source: str) -> list[InputProblem]:
    """A roster row checked again here (whatever parsed it), each problem placed at the row's line."""
    found: list[InputProblem] = []
    if not re.fullmatch(USERNAME_PATTERN, e.username):
        found.append(
            InputProblem("1-100 letters, digits or . _ @ + - (starting with a letter or digit)", "username")
        )
    if e.is_admin and e.role != "supervisor":
        found.append(InputProblem("only a supervisor can be an admin", "role"))
    check_text(e.display_name, "display_name", "a display name", found)
    for name in e.cohorts:
        check_text(name, "cohorts", "cohort names", found)
    return [replace(p, file=source, line=e.line) for p in found]
