"""PostgreSQL roles and row-level security: the store's rules, enforced by the database itself.

A trainee in JupyterLab controls their kernel, so anything PlanStore checks in Python they can skip by
opening the database URL themselves. On a shared PostgreSQL store each person therefore connects as their
own LOGIN role, and the database decides which rows that role may see and change:

- ``<prefix>_owner`` (NOLOGIN) owns every table; migrations run as it (``SET ROLE``). Its tables have
  ``FORCE ROW LEVEL SECURITY``, so it gets an explicit "see everything" policy and nothing else does.
- ``<prefix>_trainee`` and ``<prefix>_supervisor`` (NOLOGIN groups) hold the table privileges.
- ``<prefix>_u_<name>`` (LOGIN, one per person, made by ``itp db grant``) is in one group; the person's
  ``people.db_role`` names it, and every policy maps ``current_user`` back to a username through it
  (``itp_me()``). A role that maps to nobody sees no drafts at all.

Policies that must look at workshop membership call small SECURITY DEFINER functions (owned by the owner
role, ``search_path`` pinned) so that policies never query a table whose own policy queries them back.
Everything here is idempotent: run ``install`` again after every schema upgrade (new tables need grants).
The rules in plain words, and what is *not* protected, are in ``docs/deploy.md``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from ..errors import InputProblem, InvalidInput, NotFound
from .schema import Base

PREFIX_PATTERN = r"^[a-z][a-z0-9_]{0,15}$"
MAX_ROLE_LEN = 63  # PostgreSQL's NAMEDATALEN - 1

FORCED_TABLES = (
    "drafts",
    "revisions",
    "submissions",
    "annotations",
    "rubric_scores",
    "finding_dismissals",
    "workshops",
    "workshop_participants",
    "workshop_exemplars",
)
"""Row-level security, FORCEd (the owner role is bound too): the trainees' work and the feedback on it."""
DIRECTORY_TABLES = ("people", "cohorts", "cohort_members", "case_assignments")
"""Readable by everyone with a role; only admins (and supervisors, for assignments) add rows. Not FORCEd,
so the SECURITY DEFINER helpers (owned by the owner role) read them without policies in the way."""


CONNECTION_LIMIT = 10
"""Connections one person's role may hold at once: a few pages (one kernel each, a small pool each) and a
terminal. A person opening hundreds of connections would otherwise starve everyone else."""
STATEMENT_TIMEOUT = "30s"
"""The longest one statement of a person's role may run (the store's reads and writes take milliseconds)."""
IDLE_IN_TRANSACTION_TIMEOUT = "1min"
"""A person's session left inside an open transaction is ended after this, releasing its locks."""

TRIGGER_FUNCTIONS = (
    "itp_refuse_revision_change()",
    "itp_check_plan()",
    "itp_guard_score()",
    "itp_guard_comment()",
    "itp_dismissal_fields_frozen()",
    "itp_guard_submission()",
    "itp_guard_workshop_draft()",
    "itp_workshop_for_code(text)",
)
"""Made by the migrations (0001, 0007): they bind every connection, secured or not. ``install`` hands them to
the owner role and pins their ``search_path`` (a trigger runs as whoever writes, with that session's path)."""
JOIN_MISS_DELAY_S = 0.5
"""A wrong join code costs this long (``itp_may_join`` here, ``itp_workshop_for_code`` in migration 0007)."""


@dataclass(frozen=True)
class RoleNames:
    """The PostgreSQL role names of one deployment (a prefix keeps two deployments, or test runs, apart)."""

    prefix: str = "itp"

    def __post_init__(self) -> None:
        if not re.fullmatch(PREFIX_PATTERN, self.prefix):
            raise InvalidInput(
                [InputProblem("a role prefix is 1-16 lower-case letters, digits or _", field="prefix")]
            )

    @property
    def owner(self) -> str:
        return f"{self.prefix}_owner"

    @property
    def trainee(self) -> str:
        return f"{self.prefix}_trainee"

    @property
    def supervisor(self) -> str:
        return f"{self.prefix}_supervisor"

    def group(self, role: str) -> str:
        return self.supervisor if role == "supervisor" else self.trainee

    def user(self, username: str) -> str:
        """``<prefix>_u_<username>`` with anything but a-z, 0-9 and _ made ``_``.

        When that changes the name (capitals, dots, @), a short hash of the exact username is added, so
        ``Ana.B`` and ``ana_b`` never share a role; the result always fits PostgreSQL's 63 characters.
        """
        base = re.sub(r"[^a-z0-9_]", "_", username.lower())
        stem = f"{self.prefix}_u_"
        if base == username and len(stem + base) <= MAX_ROLE_LEN:
            return stem + base
        digest = hashlib.sha256(username.encode("utf-8")).hexdigest()[:8]
        return f"{stem}{base[: MAX_ROLE_LEN - len(stem) - 9]}_{digest}"


def _q(name: str) -> str:
    """A role or schema name quoted as an identifier (our names are [a-z0-9_], quoting is belt and braces)."""
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ensure_role(conn: Connection, name: str, options: str) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    if exists is None:
        conn.exec_driver_sql(f"CREATE ROLE {_q(name)} {options}")


def _functions(schema: str, owner: str) -> list[str]:
    s = _q(schema)
    pinned = f"SET search_path = {s}, pg_temp"
    definer = f"LANGUAGE sql STABLE SECURITY DEFINER {pinned}"
    invoker = f"LANGUAGE sql STABLE {pinned}"
    bodies = {
        # Who is asking: the person whose db_role is the connected role (NULL: nobody, sees nothing).
        "itp_me()": ("text", invoker, "SELECT username FROM people WHERE db_role = current_user"),
        "itp_is_admin(who text)": (
            "boolean",
            invoker,
            "SELECT coalesce((SELECT is_admin FROM people WHERE username = who), false)",
        ),
        "itp_supervises(who text, trainee text)": (
            "boolean",
            invoker,
            """
            SELECT EXISTS (SELECT 1 FROM people s JOIN cohort_members ms ON ms.username = s.username
                           JOIN cohort_members mt ON mt.cohort_id = ms.cohort_id
                           JOIN people t ON t.username = mt.username
                           WHERE s.username = who AND s.role = 'supervisor'
                             AND t.username = trainee AND t.role = 'trainee')""",
        ),
        "itp_in_workshop(wid integer, who text)": (
            "boolean",
            definer,
            """
            SELECT EXISTS (SELECT 1 FROM workshop_participants WHERE workshop_id = wid AND username = who)""",
        ),
        "itp_facilitates(wid integer, who text)": (
            "boolean",
            definer,
            """
            SELECT EXISTS (SELECT 1 FROM workshops WHERE id = wid AND facilitator = who)""",
        ),
        # Blind drafting: peers' workshop drafts are visible to participants once review opens.
        "itp_peers_visible(wid integer, who text)": (
            "boolean",
            definer,
            """
            SELECT EXISTS (SELECT 1 FROM workshops w JOIN workshop_participants p ON p.workshop_id = w.id
                           WHERE w.id = wid AND p.username = who AND w.phase <> 'drafting')""",
        ),
        "itp_exemplars_visible(wid integer, who text)": (
            "boolean",
            definer,
            """
            SELECT EXISTS (SELECT 1 FROM workshops w JOIN workshop_participants p ON p.workshop_id = w.id
                           WHERE w.id = wid AND p.username = who AND w.phase IN ('debrief', 'closed'))""",
        ),
        # Joining: a trainee, while drafting, who typed the code or is in the workshop's cohort. A wrong code
        # costs JOIN_MISS_DELAY_S, so inserting seats with guessed codes cannot test codes in bulk.
        "itp_may_join(wid integer, who text, code text)": (
            "boolean",
            f"LANGUAGE plpgsql VOLATILE SECURITY DEFINER {pinned}",
            f"""
            DECLARE ok boolean;
            BEGIN
              SELECT EXISTS (SELECT 1 FROM workshops w
                             JOIN people t ON t.username = who AND t.role = 'trainee'
                             WHERE w.id = wid AND w.phase = 'drafting'
                               AND ((code IS NOT NULL AND w.join_code = code)
                                    OR w.cohort_id IN (SELECT cohort_id FROM cohort_members
                                                       WHERE username = who))) INTO ok;
              IF NOT ok AND code IS NOT NULL THEN
                PERFORM pg_sleep({JOIN_MISS_DELAY_S});
              END IF;
              RETURN ok;
            END""",
        ),
        "itp_may_draft_in(wid integer, who text)": (
            "boolean",
            definer,
            """
            SELECT EXISTS (SELECT 1 FROM workshops w JOIN workshop_participants p ON p.workshop_id = w.id
                           WHERE w.id = wid AND p.username = who AND w.phase = 'drafting')""",
        ),
        # A new revision: own draft, not waiting for or signed off by a supervisor, workshop still drafting.
        "itp_draft_writable(did integer, who text)": (
            "boolean",
            definer,
            """
            SELECT EXISTS (
              SELECT 1 FROM drafts d LEFT JOIN workshops w ON w.id = d.workshop_id
              WHERE d.id = did AND d.owner = who AND (d.workshop_id IS NULL OR w.phase = 'drafting')
                AND coalesce((SELECT s.status FROM submissions s WHERE s.draft_id = d.id
                              ORDER BY s.id DESC LIMIT 1), 'none') NOT IN ('submitted', 'accepted'))""",
        ),
        # A trainee's reply: to a released comment on the same draft (definer: a policy on annotations may
        # not read annotations itself).
        "itp_released_comment(aid integer, did integer)": (
            "boolean",
            definer,
            """
            SELECT EXISTS (SELECT 1 FROM annotations a
                           WHERE a.id = aid AND a.draft_id = did AND a.released)""",
        ),
        # Feedback: a supervisor on someone else's draft they read (their trainee's, an admin's, a
        # workshop's).
        "itp_may_give_feedback(did integer, who text)": (
            "boolean",
            definer,
            """
            SELECT EXISTS (
              SELECT 1 FROM drafts d JOIN people me ON me.username = who AND me.role = 'supervisor'
              WHERE d.id = did AND d.owner <> who
                AND (me.is_admin OR itp_supervises(who, d.owner)
                     OR (d.workshop_id IS NOT NULL AND itp_facilitates(d.workshop_id, who))))""",
        ),
    }
    out = []
    for signature, (returns, kind, body) in bodies.items():
        name = signature.split("(")[0]
        arg_types = ", ".join(a.split()[-1] for a in signature[len(name) + 1 : -1].split(",") if a.strip())
        out.append(f"CREATE OR REPLACE FUNCTION {s}.{signature} RETURNS {returns} {kind} AS $fn$ {body} $fn$")
        out.append(f"ALTER FUNCTION {s}.{name}({arg_types}) OWNER TO {_q(owner)}")
        out.append(f"REVOKE ALL ON FUNCTION {s}.{name}({arg_types}) FROM PUBLIC")
    return out


def _policies(names: RoleNames) -> dict[str, list[str]]:
    """``CREATE POLICY`` bodies per table (name -> "FOR ... TO ... USING/WITH CHECK ...")."""
    t, sv, both = _q(names.trainee), _q(names.supervisor), f"{_q(names.trainee)}, {_q(names.supervisor)}"
    me = "itp_me()"
    visible_draft = "draft_id IN (SELECT id FROM drafts)"  # drafts' own policies decide
    own_draft = f"EXISTS (SELECT 1 FROM drafts d WHERE d.id = draft_id AND d.owner = {me})"
    feedback = f"itp_may_give_feedback(draft_id, {me})"
    return {
        "drafts": [
            f"trainee_read FOR SELECT TO {t} USING (owner = {me} OR "
            f"(workshop_id IS NOT NULL AND itp_peers_visible(workshop_id, {me})))",
            f"supervisor_read FOR SELECT TO {sv} USING (owner = {me} OR itp_is_admin({me}) "
            f"OR itp_supervises({me}, owner) "
            f"OR (workshop_id IS NOT NULL AND itp_facilitates(workshop_id, {me})))",
            f"start_own FOR INSERT TO {both} WITH CHECK (owner = {me} AND "
            f"(workshop_id IS NULL OR itp_may_draft_in(workshop_id, {me})))",
            # Saving touches updated_at (column grant); a supervisor may lock (FOR UPDATE) a draft they decide
            # on.
            f"touch_own FOR UPDATE TO {both} USING (owner = {me}) WITH CHECK (owner = {me})",
            f"lock_to_decide FOR UPDATE TO {sv} USING (itp_may_give_feedback(id, {me})) "
            f"WITH CHECK (owner = {me})",
        ],
        "revisions": [
            f"read FOR SELECT TO {both} USING ({visible_draft})",
            f"append_own FOR INSERT TO {both} "
            f"WITH CHECK (author = {me} AND itp_draft_writable(draft_id, {me}))",
        ],
        "submissions": [
            f"read FOR SELECT TO {both} USING ({visible_draft})",
            f"submit_own FOR INSERT TO {both} WITH CHECK (submitted_by = {me} AND status = 'submitted' "
            f"AND decided_by IS NULL AND decided_at IS NULL AND {own_draft})",
            f"decide FOR UPDATE TO {sv} USING ({feedback}) WITH CHECK ({feedback} AND decided_by = {me})",
        ],
        "annotations": [
            f"trainee_read_released FOR SELECT TO {t} USING (released AND {own_draft})",
            f"supervisor_read FOR SELECT TO {sv} USING ({visible_draft})",
            f"supervisor_write FOR INSERT TO {sv} WITH CHECK (author = {me} AND {feedback})",
            f"supervisor_update FOR UPDATE TO {sv} USING ({feedback}) WITH CHECK ({feedback})",
            # A trainee answers a comment released to them, on their own draft; the answer is released.
            f"trainee_reply FOR INSERT TO {t} WITH CHECK (author = {me} AND released AND {own_draft} AND "
            "itp_released_comment(parent_id, draft_id))",
        ],
        "finding_dismissals": [
            f"trainee_read_released FOR SELECT TO {t} USING (released AND {own_draft})",
            f"supervisor_read FOR SELECT TO {sv} USING ({visible_draft})",
            f"supervisor_write FOR INSERT TO {sv} WITH CHECK (author = {me} AND {feedback})",
            f"supervisor_update FOR UPDATE TO {sv} USING ({feedback}) WITH CHECK ({feedback})",
        ],
        "rubric_scores": [
            f"trainee_read_released FOR SELECT TO {t} USING (released AND {own_draft})",
            f"supervisor_read FOR SELECT TO {sv} USING ({visible_draft})",
            f"supervisor_write FOR INSERT TO {sv} WITH CHECK (rater = {me} AND {feedback})",
            # Another rater's row: only releasing it (a decision); migration 0007's trigger checks columns.
            f"supervisor_update FOR UPDATE TO {sv} USING ({feedback}) "
            f"WITH CHECK ({feedback} AND (rater = {me} OR released))",
        ],
        "workshops": [
            f"trainee_read FOR SELECT TO {t} USING (itp_in_workshop(id, {me}) "
            f"OR cohort_id IN (SELECT cohort_id FROM cohort_members WHERE username = {me}))",
            f"supervisor_read FOR SELECT TO {sv} USING (true)",
            f"facilitate FOR INSERT TO {sv} WITH CHECK (facilitator = {me} AND (cohort_id IS NULL "
            f"OR itp_is_admin({me}) "
            f"OR cohort_id IN (SELECT cohort_id FROM cohort_members WHERE username = {me})))",
            f"run FOR UPDATE TO {sv} USING (facilitator = {me} OR itp_is_admin({me})) "
            f"WITH CHECK (facilitator = {me} OR itp_is_admin({me}))",
        ],
        "workshop_participants": [
            # Blind drafting: the other participants are hidden until review opens.
            f"trainee_read FOR SELECT TO {t} USING (username = {me} OR itp_peers_visible(workshop_id, {me}))",
            f"supervisor_read FOR SELECT TO {sv} USING (true)",
            f"join FOR INSERT TO {t} "
            f"WITH CHECK (username = {me} AND itp_may_join(workshop_id, {me}, code_used))",
        ],
        "workshop_exemplars": [
            f"trainee_read FOR SELECT TO {t} USING (itp_exemplars_visible(workshop_id, {me}))",
            f"supervisor_read FOR SELECT TO {sv} USING (true)",
            f"pick FOR INSERT TO {sv} WITH CHECK (picked_by = {me} AND "
            f"(itp_facilitates(workshop_id, {me}) OR itp_is_admin({me})))",
            f"repick FOR UPDATE TO {sv} USING (itp_facilitates(workshop_id, {me}) OR itp_is_admin({me})) "
            f"WITH CHECK (picked_by = {me})",
        ],
        "people": [
            f"read FOR SELECT TO {both} USING (true)",
            f"admin_adds FOR INSERT TO {sv} WITH CHECK (itp_is_admin({me}))",
            # Course administration: renames from a roster, deactivation (column grant: these two only).
            f"admin_updates FOR UPDATE TO {sv} USING (itp_is_admin({me})) WITH CHECK (itp_is_admin({me}))",
        ],
        "cohorts": [
            f"read FOR SELECT TO {both} USING (true)",
            f"admin_adds FOR INSERT TO {sv} WITH CHECK (itp_is_admin({me}))",
        ],
        "cohort_members": [
            f"read FOR SELECT TO {both} USING (true)",
            f"admin_adds FOR INSERT TO {sv} WITH CHECK (itp_is_admin({me}))",
            f"admin_removes FOR DELETE TO {sv} USING (itp_is_admin({me}))",
        ],
        "case_assignments": [
            f"read FOR SELECT TO {both} USING (true)",
            f"assign FOR INSERT TO {sv} WITH CHECK (assigned_by = {me} AND (itp_is_admin({me}) "
            f"OR cohort_id IN (SELECT cohort_id FROM cohort_members WHERE username = {me}) "
            f"OR itp_supervises({me}, trainee)))",
            f"reschedule FOR UPDATE TO {sv} USING (assigned_by = {me} OR itp_is_admin({me})) "
            f"WITH CHECK (assigned_by = {me} OR itp_is_admin({me}))",
        ],
    }


# What each group may do at all (row-level security then narrows it to rows). No TRUNCATE; the one DELETE
# is an admin taking someone out of a cohort (their drafts stay theirs).
_TRAINEE_GRANTS = {
    "SELECT": ("people", "cohorts", "cohort_members", "case_assignments", "alembic_version", *FORCED_TABLES),
    "INSERT": ("drafts", "revisions", "submissions", "workshop_participants", "annotations"),
    "UPDATE (updated_at)": ("drafts",),
}
_SUPERVISOR_GRANTS = {
    "SELECT": _TRAINEE_GRANTS["SELECT"],
    "INSERT": (
        "drafts",
        "revisions",
        "submissions",
        "annotations",
        "rubric_scores",
        "finding_dismissals",
        "workshops",
        "workshop_exemplars",
        "people",
        "cohorts",
        "cohort_members",
        "case_assignments",
    ),
    "UPDATE (updated_at)": ("drafts",),
    "UPDATE (status, decided_by, decided_at)": ("submissions",),
    "UPDATE (resolved, released)": ("annotations",),
    "UPDATE (released, withdrawn)": ("finding_dismissals",),
    "UPDATE (score, comment, created_at, released)": ("rubric_scores",),
    "UPDATE (phase, ends_at, review_opened_at, debrief_opened_at, closed_at)": ("workshops",),
    "UPDATE (display_name, active)": ("people",),
    "UPDATE (due_on)": ("case_assignments",),
    "DELETE": ("cohort_members",),
    "UPDATE (revision, note, picked_by, picked_at)": ("workshop_exemplars",),
}


def install(conn: Connection, names: RoleNames = RoleNames()) -> None:
    """Create the group roles, hand the tables to the owner role, grant, and (re)create every policy.

    Run as a superuser (or a role with CREATEROLE that owns the tables) on a schema already at head,
    inside one transaction: ``with engine.begin() as conn: install(conn, names)``.
    """
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    tables = sorted(Base.metadata.tables)
    missing = set(tables) - set(
        conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
    )
    if missing:
        raise NotFound(f"the schema {schema!r} lacks {sorted(missing)}: upgrade it (open the store) first")
    _ensure_role(conn, names.owner, "NOLOGIN")
    _ensure_role(conn, names.trainee, "NOLOGIN")
    _ensure_role(conn, names.supervisor, "NOLOGIN")
    s, owner, groups = _q(schema), _q(names.owner), f"{_q(names.trainee)}, {_q(names.supervisor)}"
    statements = [
        f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
        f"GRANT USAGE, CREATE ON SCHEMA {s} TO {owner}",
        f"GRANT USAGE ON SCHEMA {s} TO {groups}",
    ]
    for table in [*tables, "alembic_version"]:
        statements.append(f"ALTER TABLE {s}.{_q(table)} OWNER TO {owner}")  # also moves its id sequence
        statements.append(f"REVOKE ALL ON {s}.{_q(table)} FROM PUBLIC, {groups}")
    for function in TRIGGER_FUNCTIONS:
        statements.append(f"ALTER FUNCTION {s}.{function} OWNER TO {owner}")
        statements.append(f"ALTER FUNCTION {s}.{function} SET search_path = {s}, pg_temp")
        statements.append(f"REVOKE ALL ON FUNCTION {s}.{function} FROM PUBLIC")
    # Only the toolkit's roles connect to its database, and nobody makes temporary tables (which could
    # shadow a table for a function that does not pin its search_path).
    database = _q(conn.execute(text("SELECT current_database()")).scalar_one())
    statements.append(f"REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC")
    statements.append(f"GRANT CONNECT ON DATABASE {database} TO {owner}, {groups}")
    statements += _functions(schema, names.owner)
    statements.append(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {groups}")
    statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {groups}")
    for group, grants in ((names.trainee, _TRAINEE_GRANTS), (names.supervisor, _SUPERVISOR_GRANTS)):
        for privilege, on in grants.items():
            for table in on:
                statements.append(f"GRANT {privilege} ON {s}.{_q(table)} TO {_q(group)}")
    for table, policies in _policies(names).items():
        forced = table in FORCED_TABLES
        statements.append(f"ALTER TABLE {s}.{_q(table)} ENABLE ROW LEVEL SECURITY")
        statements.append(f"ALTER TABLE {s}.{_q(table)} {'' if forced else 'NO '}FORCE ROW LEVEL SECURITY")
        existing = conn.execute(
            text("SELECT policyname FROM pg_policies WHERE schemaname = :s AND tablename = :t"),
            {"s": schema, "t": table},
        ).scalars()
        statements += [f"DROP POLICY {_q(p)} ON {s}.{_q(table)}" for p in existing]
        if forced:  # the owner (migrations, definer helpers) sees and changes everything
            statements.append(
                f"CREATE POLICY owner_all ON {s}.{_q(table)} TO {owner} USING (true) WITH CHECK (true)"
            )
        for policy in policies:
            name, rest = policy.split(" ", 1)
            statements.append(f"CREATE POLICY {_q(name)} ON {s}.{_q(table)} {rest}")
    for statement in statements:
        conn.exec_driver_sql(statement)


def grant(
    conn: Connection,
    username: str,
    names: RoleNames = RoleNames(),
    *,
    password: str | None = None,
    connection_limit: int = CONNECTION_LIMIT,
) -> str:
    """Give a person their own LOGIN role in their group (trainee or supervisor); returns the role name.

    The role may hold ``connection_limit`` connections, gets the statement and idle-transaction timeouts,
    and connects only where ``install`` granted its group CONNECT (the toolkit's database).

    Idempotent: granting again moves the role to the person's current group and sets the new password
    (None keeps the old one, or none at all for certificate/peer authentication).
    """
    person = conn.execute(
        text("SELECT role, db_role FROM people WHERE username = :u"), {"u": username}
    ).first()
    if person is None:
        raise NotFound(f"no person {username!r}: add them to the store first")
    role = names.user(username)
    taken = conn.execute(
        text("SELECT username FROM people WHERE db_role = :r AND username <> :u"), {"r": role, "u": username}
    ).first()
    if taken is not None:
        raise InvalidInput(
            [InputProblem(f"role {role} already belongs to {taken.username}", field="username")]
        )
    _ensure_role(conn, role, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT")
    if password is not None:
        if not password:
            raise InvalidInput([InputProblem("the password file is empty", field="password")])
        conn.exec_driver_sql(f"ALTER ROLE {_q(role)} PASSWORD {_lit(password)}")
    keep, drop = (
        names.group(person.role),
        names.group("trainee" if person.role == "supervisor" else "supervisor"),
    )
    conn.exec_driver_sql(f"GRANT {_q(keep)} TO {_q(role)}")
    conn.exec_driver_sql(f"REVOKE {_q(drop)} FROM {_q(role)}")
    conn.exec_driver_sql(f"ALTER ROLE {_q(role)} CONNECTION LIMIT {int(connection_limit)}")
    database, schema = conn.execute(text("SELECT current_database(), current_schema()")).one()
    # The role's sessions find the tables without ?options=-csearch_path in its URL, and cannot hold a
    # statement or an idle transaction (and its locks) for long.
    for setting, value in (
        ("search_path", _q(schema)),
        ("statement_timeout", _lit(STATEMENT_TIMEOUT)),
        ("idle_in_transaction_session_timeout", _lit(IDLE_IN_TRANSACTION_TIMEOUT)),
    ):
        conn.exec_driver_sql(f"ALTER ROLE {_q(role)} IN DATABASE {_q(database)} SET {setting} = {value}")
    conn.execute(text("UPDATE people SET db_role = :r WHERE username = :u"), {"r": role, "u": username})
    return role


def revoke(conn: Connection, username: str, names: RoleNames = RoleNames()) -> str | None:
    """Remove a person's LOGIN role (they can no longer connect); returns the dropped role, if any."""
    row = conn.execute(text("SELECT db_role FROM people WHERE username = :u"), {"u": username}).first()
    if row is None:
        raise NotFound(f"no person {username!r}")
    role = row.db_role or names.user(username)
    conn.execute(text("UPDATE people SET db_role = NULL WHERE username = :u"), {"u": username})
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": role}).first() is None:
        return None
    conn.exec_driver_sql(f"DROP OWNED BY {_q(role)}")
    conn.exec_driver_sql(f"DROP ROLE {_q(role)}")
    return role


def drop_roles(conn: Any, names: RoleNames, user_roles: list[str]) -> None:
    """Remove a deployment's roles (tests, teardown): what they own or were granted here, then the roles.

    Roles are cluster-wide; run this in every database where they were granted anything.
    """
    for role in [*user_roles, names.trainee, names.supervisor, names.owner]:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": role}).first() is not None:
            conn.exec_driver_sql(f"DROP OWNED BY {_q(role)}")
            conn.exec_driver_sql(f"DROP ROLE {_q(role)}")
