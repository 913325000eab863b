"""People, roles and cohorts from JupyterHub's groups: the hub is where a clinic says who is who.

A programme on JupyterHub already manages its people there (the authenticator's groups, the admin panel, an
SSO's claims). Rather than keep a second list by hand, the store follows the hub's groups, named by a
convention (``docs/deploy.md``):

- ``itp-admins``: supervisors who are also admins (add people, cohorts, assignments);
- ``itp-supervisors``: supervisors;
- ``itp-trainees``: trainees (anyone in a cohort group and in no supervisor group is a trainee too);
- ``itp-cohort-<name>``: the members of cohort ``<name>`` (or of the name in the group's
  ``itp_cohort_name`` property, which may hold spaces and capitals: ``Demo cohort``).

Hub users in none of these groups are not the toolkit's (hub admins, service accounts) and are left alone.
Syncing only ever *adds*: new people, new cohorts, new memberships, and (on PostgreSQL) each new person's own
database role, as ``itp db grant`` makes it. It never removes anyone, and it does not change a known
person's role (the store has no way to yet): it reports the difference, for an admin to settle.

The display name comes from the hub's ``user_info`` (an SSO fills it), else it is the username, which an
admin may change later. Every change goes through PlanStore's public methods, as the admin ``actor``.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputProblem, InvalidInput, ITPError, PermissionDenied
from ..store import PlanStore
from ..store.records import Role

ADMINS_GROUP = "itp-admins"
SUPERVISORS_GROUP = "itp-supervisors"
TRAINEES_GROUP = "itp-trainees"
COHORT_GROUP_PREFIX = "itp-cohort-"
COHORT_NAME_PROPERTY = "itp_cohort_name"
"""A cohort group's property naming its cohort in the store (hub group names are best kept plain)."""

PAGINATION_MEDIA_TYPE = "application/jupyterhub-pagination+json"
HUB_TIMEOUT_SECONDS = 30


class HubUnreachable(ITPError):
    """The hub's REST API did not answer, or refused the token."""


@dataclass(frozen=True)
class HubGroup:
    name: str
    users: tuple[str, ...]
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HubUser:
    name: str
    groups: tuple[str, ...] = ()
    user_info: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterPerson:
    username: str
    display_name: str
    role: Role
    is_admin: bool
    cohorts: tuple[str, ...]


@dataclass
class SyncReport:
    """What a sync did, and what it found but left for an admin (nothing here is an error)."""

    people_added: list[str] = field(default_factory=list)
    cohorts_added: list[str] = field(default_factory=list)
    memberships_added: list[tuple[str, str]] = field(default_factory=list)
    roles_granted: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.people_added or self.cohorts_added or self.memberships_added or self.roles_granted)

    def lines(self) -> list[str]:
        out = [f"added {p}" for p in self.people_added]
        out += [f"new cohort {c!r}" for c in self.cohorts_added]
        out += [f"{u} joined cohort {c!r}" for c, u in self.memberships_added]
        out += [f"database role for {u}" for u in self.roles_granted]
        out += [f"left as it is: {d}" for d in self.differences]
        return out or ["nothing to change: the store already matches the hub's groups"]


# ---------------------------------------------------------------------- reading the hub


class HubClient:
    """The few read calls of JupyterHub's REST API that a sync needs (token: ``list:users``,
    ``read:users:name``, ``read:users:groups``, ``list:groups``, ``read:groups``)."""

    def __init__(self, api_url: str, token: str, *, timeout: float = HUB_TIMEOUT_SECONDS):
        if not api_url or not token:
            raise InvalidInput([InputProblem("a hub API URL and a token are both needed", field="hub_url")])
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.timeout = timeout

    def _get(self, path: str, query: Mapping[str, Any]) -> Any:
        url = f"{self.api_url}/{path}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(
            url, headers={"Authorization": f"token {self._token}", "Accept": PAGINATION_MEDIA_TYPE}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            hint = " (the token lacks a scope, or is wrong)" if exc.code in (401, 403) else ""
            raise HubUnreachable(f"the hub answered {exc.code} for {path}{hint}") from None
        except (OSError, ValueError) as exc:
            raise HubUnreachable(f"the hub at {self.api_url} did not answer: {exc}") from None

    def _pages(self, path: str) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            body = self._get(path, {"offset": offset, "limit": 200})
            if isinstance(body, list):  # a hub too old to paginate answers with everything
                yield from body
                return
            yield from body.get("items", [])
            following = (body.get("_pagination") or {}).get("next")
            if not following:
                return
            offset = int(following["offset"])

    def users(self) -> list[HubUser]:
        return [
            HubUser(
                name=u["name"], groups=tuple(u.get("groups") or ()), user_info=dict(u.get("user_info") or {})
            )
            for u in self._pages("users")
            if u.get("kind", "user") == "user"
        ]

    def groups(self) -> list[HubGroup]:
        return [
            HubGroup(name=g["name"], users=tuple(g.get("users") or ()), properties=g.get("properties") or {})
            for g in self._pages("groups")
        ]


# ---------------------------------------------------------------------- what the groups say


def cohort_name(group: HubGroup) -> str | None:
    """The store's cohort for a hub group, or None if the group is not a cohort group."""
    if not group.name.startswith(COHORT_GROUP_PREFIX) or group.name == COHORT_GROUP_PREFIX:
        return None
    named = group.properties.get(COHORT_NAME_PROPERTY)
    return str(named).strip() if named and str(named).strip() else group.name[len(COHORT_GROUP_PREFIX) :]


def display_name(user: HubUser | None, username: str) -> str:
    info = user.user_info if user is not None else {}
    for key in ("display_name", "name"):
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return username


def roster(users: Iterable[HubUser], groups: Iterable[HubGroup]) -> list[RosterPerson]:
    """The toolkit's people as the hub's groups describe them (sorted by username)."""
    by_name = {u.name: u for u in users}
    members: dict[str, set[str]] = {}
    cohorts: dict[str, set[str]] = {}
    for group in groups:
        members.setdefault(group.name, set()).update(group.users)
        cohort = cohort_name(group)
        if cohort is not None:
            for username in group.users:
                cohorts.setdefault(username, set()).add(cohort)
    admins = members.get(ADMINS_GROUP, set())
    supervisors = members.get(SUPERVISORS_GROUP, set()) | admins
    trainees = members.get(TRAINEES_GROUP, set()) | set(cohorts)
    people = []
    for username in sorted(supervisors | trainees):
        role: Role = "supervisor" if username in supervisors else "trainee"
        people.append(
            RosterPerson(
                username=username,
                display_name=display_name(by_name.get(username), username),
                role=role,
                is_admin=username in admins,
                cohorts=tuple(sorted(cohorts.get(username, ()))),
            )
        )
    return people


def person_from_groups(
    username: str,
    group_names: Iterable[str],
    *,
    cohort_names: Mapping[str, str] | None = None,
    user_info: Mapping[str, Any] | None = None,
) -> RosterPerson | None:
    """One person from their own group list (the pre-spawn hook knows the user's groups, not everyone's).

    ``cohort_names`` maps a cohort group to its ``itp_cohort_name`` property, where it has one."""
    names = cohort_names or {}
    groups = [
        HubGroup(name=g, users=(username,), properties={COHORT_NAME_PROPERTY: names[g]} if g in names else {})
        for g in group_names
    ]
    found = roster([HubUser(username, tuple(group_names), dict(user_info or {}))], groups)
    return found[0] if found else None


# ---------------------------------------------------------------------- bringing the store in line


def apply(store: PlanStore, people: Iterable[RosterPerson], *, actor: str) -> SyncReport:
    """Add what the store lacks (people, cohorts, memberships); report what differs. Idempotent.

    ``actor`` is an admin of the store: every change is one PlanStore call made as them."""
    me = store.find_person(actor, actor=actor)
    if not me.is_admin:
        raise PermissionDenied(
            f"{me.display_name} is not an admin: only an admin can sync people from the hub"
        )
    report = SyncReport()
    people = list(people)
    known = {p.username: p for p in store.list_people(actor=actor)}
    cohorts = {c.name: c.id for c in store.list_cohorts(actor=actor)}
    members: dict[int, set[str]] = {}
    for person in people:
        have = known.get(person.username)
        if have is None:
            store.add_person(
                person.username, person.display_name, person.role, is_admin=person.is_admin, actor=actor
            )
            report.people_added.append(person.username)
        elif (have.role, have.is_admin) != (person.role, person.is_admin):
            report.differences.append(
                f"{have.display_name} is {_describe(have.role, have.is_admin)} in the store and "
                f"{_describe(person.role, person.is_admin)} in the hub's groups"
            )
        for name in person.cohorts:
            if name not in cohorts:
                try:
                    cohorts[name] = store.add_cohort(name, actor=actor).id
                    report.cohorts_added.append(name)
                except InvalidInput:  # another server's start made it a moment ago
                    cohorts = {c.name: c.id for c in store.list_cohorts(actor=actor)}
                    if name not in cohorts:
                        raise
            cohort_id = cohorts[name]
            if cohort_id not in members:
                members[cohort_id] = {m.username for m in store.list_cohort_members(cohort_id, actor=actor)}
            if person.username not in members[cohort_id]:
                store.add_to_cohort(cohort_id, person.username, actor=actor)
                members[cohort_id].add(person.username)
                report.memberships_added.append((name, person.username))
    return report


def _describe(role: str, is_admin: bool) -> str:
    return "an admin supervisor" if is_admin else f"a {role}"


# ---------------------------------------------------------------------- database roles


def new_secret() -> str:
    """A password for a person's database role: handed to their server only, rotated at every start."""
    return secrets.token_urlsafe(24)


def grant_roles(
    admin_url: str,
    usernames: Iterable[str],
    *,
    prefix: str = "itp",
    passwords: Mapping[str, str] | None = None,
    store: PlanStore | None = None,
) -> dict[str, tuple[str, bool]]:
    """Each person's own LOGIN role, made or updated as ``itp db grant`` does (idempotent).

    Returns username -> (role, whether the role is new). ``admin_url`` is a superuser's (or a CREATEROLE
    owner's) and stays in the caller's process. A person without a password here keeps the one they had
    (or none, for certificate or peer authentication). ``store``: an open store on ``admin_url`` to reuse."""
    from sqlalchemy import text

    from ..store.db_security import RoleNames, grant

    _require_postgres(admin_url)
    names = RoleNames(prefix)
    passwords = passwords or {}
    own = store is None
    admin_store = PlanStore.open(admin_url) if store is None else store
    try:
        out = {}
        with admin_store._db.engine.begin() as conn:
            for username in usernames:
                role = names.user(username)
                new = (
                    conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
                    is None
                )
                out[username] = (grant(conn, username, names, password=passwords.get(username)), new)
        return out
    finally:
        if own:
            admin_store.close()


def _require_postgres(url: str) -> None:
    if not url.startswith("postgresql"):
        raise InvalidInput(
            [InputProblem("database roles need PostgreSQL; SQLite has no users", field="database_url")]
        )


def sync_from_hub(
    client: HubClient,
    store: PlanStore,
    *,
    actor: str,
    admin_url: str | None = None,
    prefix: str = "itp",
) -> SyncReport:
    """Read the hub's users and groups, bring the store in line, and (with ``admin_url``, PostgreSQL) make
    sure every person of the roster has their own database role."""
    if admin_url is not None:
        _require_postgres(admin_url)
    people = roster(client.users(), client.groups())
    report = apply(store, people, actor=actor)
    if admin_url is not None and people:
        granted = grant_roles(admin_url, [p.username for p in people], prefix=prefix)
        report.roles_granted = sorted(u for u, (_role, new) in granted.items() if new)
    return report


# ---------------------------------------------------------------------- a user's server


def user_database_url(admin_url: str, role: str, *, base_url: str | None = None) -> str:
    """The URL a person's server connects with: their own role, no password in it (that travels apart,
    as ``PGPASSWORD``), on the admin's server or on ``base_url`` (a pooler in front of it, say)."""
    from sqlalchemy.engine import make_url

    url = make_url(base_url or admin_url).set(username=role, password=None)
    return url.render_as_string(hide_password=False)


class ServerProvisioner:
    """What a pre-spawn hook does for one person: store in line with their hub groups, their own database
    role with a fresh password, and the environment their server starts with (never the admin's URL).

    Blocking (database calls): a hub runs it in a thread. One admin store is opened and kept."""

    DATABASE_URL_VAR = "ITP_DATABASE_URL"
    PASSWORD_VAR = "PGPASSWORD"

    def __init__(
        self,
        admin_url: str,
        *,
        actor: str,
        prefix: str = "itp",
        user_base_url: str | None = None,
    ):
        _require_postgres(admin_url)
        self._admin_url = admin_url
        self.actor = actor
        self.prefix = prefix
        self.user_base_url = user_base_url
        self._store: PlanStore | None = None

    def store(self) -> PlanStore:
        if self._store is None:
            self._store = PlanStore.open(self._admin_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def environment(
        self,
        username: str,
        group_names: Iterable[str],
        *,
        cohort_names: Mapping[str, str] | None = None,
        user_info: Mapping[str, Any] | None = None,
    ) -> dict[str, str]:
        """Sync this person from their groups, (re)grant their role with a new password, and return the
        variables for their server. Refused for someone in none of the toolkit's groups."""
        person = person_from_groups(
            username, list(group_names), cohort_names=cohort_names, user_info=user_info
        )
        if person is None:
            raise PermissionDenied(
                f"{username} is in none of the toolkit's groups ({ADMINS_GROUP}, {SUPERVISORS_GROUP}, "
                f"{TRAINEES_GROUP}, {COHORT_GROUP_PREFIX}<name>): ask an admin to add you to one"
            )
        apply(self.store(), [person], actor=self.actor)
        secret = new_secret()
        role, _new = grant_roles(
            self._admin_url, [username], prefix=self.prefix, passwords={username: secret}, store=self.store()
        )[username]
        return {
            self.DATABASE_URL_VAR: user_database_url(self._admin_url, role, base_url=self.user_base_url),
            self.PASSWORD_VAR: secret,
        }


def board_environment(
    admin_url: str, username: str, *, prefix: str = "itp", user_base_url: str | None = None
) -> dict[str, str]:
    """The projector board's database settings: its person's own role, with a new password, whose every
    transaction is read-only (``default_transaction_read_only``).

    The board acts for an admin (it shows any workshop's progress), so its role is in the supervisor group;
    read-only transactions keep its page from writing. That setting is the role's default, which a session
    could change: it holds because the board runs no one's code (standalone Voila: widget messages only).
    """
    from sqlalchemy import create_engine

    secret = new_secret()
    role, _new = grant_roles(admin_url, [username], prefix=prefix, passwords={username: secret})[username]
    engine = create_engine(admin_url)
    try:
        with engine.begin() as conn:
            quoted = '"' + role.replace('"', '""') + '"'
            conn.exec_driver_sql(f"ALTER ROLE {quoted} SET default_transaction_read_only = on")
    finally:
        engine.dispose()
    return {
        ServerProvisioner.DATABASE_URL_VAR: user_database_url(admin_url, role, base_url=user_base_url),
        ServerProvisioner.PASSWORD_VAR: secret,
    }
