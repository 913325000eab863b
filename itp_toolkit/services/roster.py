"""Roster files and the database side of (de)activating people: course administration below the pages.

A roster is a CSV file with a header row naming the columns ``username``, ``display_name``, ``role``
(trainee, supervisor or admin) and ``cohorts`` (names separated by ``;``, may be empty), in any order. Every
row is checked here and again by the store; any problem refuses the whole file with ``file:line: field:
why`` for each, and nothing is imported. Importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from ..errors import InputProblem, InvalidInput, NotFound
from ..store import PlanStore
from ..store.people import roster_entry_problems
from ..store.records import Person, Role, RosterEntry, RosterResult

COLUMNS = ("username", "display_name", "role", "cohorts")
ROLES: dict[str, tuple[Role, bool]] = {
    "trainee": ("trainee", False),
    "supervisor": ("supervisor", False),
    "admin": ("supervisor", True),
}
COHORT_SEPARATOR = ";"
MAX_ROSTER_BYTES = 2_000_000
"""A roster of a few thousand people is well under this; more is a wrong file."""


def _header_name(cell: str) -> str:
    return cell.strip().lower().replace(" ", "_")


def parse_roster(data: str, source: str) -> list[RosterEntry]:
    """The rows of a roster's text, checked; InvalidInput with every problem (file:line: field: why)."""
    problems: list[InputProblem] = []
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"), newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InvalidInput(
            [InputProblem(f"no header row; the columns are {', '.join(COLUMNS)}", file=source, line=1)]
        )
    header = [_header_name(c) for c in rows[0]]
    for name in header:
        if name not in COLUMNS:
            problems.append(
                InputProblem(
                    f"unknown column {name!r}; the columns are {', '.join(COLUMNS)}", name, source, 1
                )
            )
    for name in COLUMNS:
        if name not in header:
            problems.append(InputProblem("missing column", name, source, 1))
    if len(set(header)) != len(header):
        problems.append(InputProblem("a column is named twice", "", source, 1))
    if problems:
        raise InvalidInput(problems)
    entries: list[RosterEntry] = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                InputProblem(f"{len(cells)} cells; the header has {len(header)}", "", source, line)
            )
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=True))
        role = ROLES.get(row["role"].lower())
        if role is None:
            problems.append(InputProblem("must be trainee, supervisor or admin", "role", source, line))
        cohorts = tuple(dict.fromkeys(n.strip() for n in row["cohorts"].split(COHORT_SEPARATOR) if n.strip()))
        entry = RosterEntry(
            line=line,
            username=row["username"],
            display_name=row["display_name"],
            role=role[0] if role else "trainee",
            is_admin=role[1] if role else False,
            cohorts=cohorts,
        )
        problems += roster_entry_problems(entry, source)
        entries.append(entry)
    if problems:
        raise InvalidInput(problems)
    if not entries:
        raise InvalidInput([InputProblem("the roster names nobody", file=source, line=1)])
    return entries


def read_roster(path: Path) -> list[RosterEntry]:
    """A roster file's rows, checked (see ``parse_roster``)."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([InputProblem(f"cannot read it: {exc.strerror}", file=source)]) from None
    if len(raw) > MAX_ROSTER_BYTES:
        raise InvalidInput(
            [InputProblem(f"larger than {MAX_ROSTER_BYTES // 1_000_000} MB: not a roster", file=source)]
        )
    try:
        data = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            [InputProblem("not UTF-8 text (save the file as CSV UTF-8)", file=source, line=line)]
        ) from None
    return parse_roster(data, source)


def import_roster(store: PlanStore, path: Path | str, *, actor: str, data: str | None = None) -> RosterResult:
    """Import a roster file (or its text ``data``, named ``path``) in one store transaction."""
    path = Path(path)
    entries = parse_roster(data, str(path)) if data is not None else read_roster(path)
    return store.import_roster(entries, source=str(path), actor=actor)


def result_lines(result: RosterResult) -> list[str]:
    """What an import changed, in words, one line each."""
    lines = []
    if result.people_added:
        lines.append(f"added {len(result.people_added)} people: {', '.join(result.people_added)}")
    if result.names_updated:
        lines.append(f"updated the display names of {', '.join(result.names_updated)}")
    if result.cohorts_added:
        lines.append(f"added cohorts: {', '.join(result.cohorts_added)}")
    if result.memberships_added:
        lines.append(f"added {len(result.memberships_added)} cohort memberships")
    if result.kept_deactivated:
        lines.append(
            f"left deactivated (reactivate them to let them in): {', '.join(result.kept_deactivated)}"
        )
    return lines or ["nothing to change: the store already matches the roster"]


# ---------------------------------------------------------------------- deactivating


@dataclass(frozen=True)
class Activation:
    person: Person
    database_role: str | None
    """The person's PostgreSQL login role that was switched (None: they have none, or SQLite)."""
    note: str = ""


def set_active(store: PlanStore, username: str, active: bool, *, actor: str) -> Activation:
    """(De)activate a person in the store and, on PostgreSQL, their own login role (NOLOGIN / LOGIN).

    Deactivating also ends the role's open sessions, so a kernel already connected cannot save either. The
    role change needs the store opened with an admin's (CREATEROLE) URL; without that power the store
    change stands and ``note`` says what is left to do.
    """
    person = store.set_active(username, active, actor=actor)
    if store.dialect != "postgresql":
        return Activation(person, None)
    with store._db.engine.connect() as conn:
        role = conn.execute(text("SELECT db_role FROM people WHERE username = :u"), {"u": username}).scalar()
    if role is None:
        return Activation(person, None)
    try:
        with store._db.engine.begin() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
            if exists is None:
                raise NotFound(f"the database role {role} is gone")
            quoted = '"' + role.replace('"', '""') + '"'
            conn.exec_driver_sql(f"ALTER ROLE {quoted} {'LOGIN' if active else 'NOLOGIN'}")
            if not active:
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"),
                    {"r": role},
                )
    except NotFound as exc:
        return Activation(person, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - no CREATEROLE here: the store change stands; say what is left
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        return Activation(
            person,
            None,
            f"the store is changed, but the database role {role} is not ({reason}); "
            "run again with the admin database URL",
        )
    return Activation(person, role)
