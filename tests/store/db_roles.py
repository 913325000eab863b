"""Connecting as a person's own PostgreSQL login role, for the row-level security tests (test_db_security.py,
test_db_integrity.py, test_course_rls.py, test_hub_sync.py): one copy of the set-up, the connections and the
teardown.

Installing the roles and policies (``db_security.install``) on a newly migrated schema costs about a second,
so the tests share one secured schema per session (``SecuredSchema``, an ``EmptiedSchema`` that also has the
roles and policies of its own random prefix): each test gets it with no rows, and the same fingerprint check
hands out a newly migrated and secured one, under a new prefix, if a test changed the schema or the prefix's
roles. Roles are cluster-wide: each test's login roles (``secured_roles``) are dropped after it, and the
session's group roles at its end; each time nothing with that prefix may be left in the cluster.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from itp_toolkit.store import PlanStore
from itp_toolkit.store.db_security import RoleNames, drop_roles, grant, install

from .conftest import EmptiedSchema, TickingClock

on_postgres = pytest.mark.parametrize(
    "db_kind", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
"""Run a test on the PostgreSQL ``db_url`` only (roles and row-level security do not exist on SQLite)."""


@dataclass(kw_only=True)
class RoleConnections:
    """A secured database (``url``, administrator's URL), the login role of each person granted one, and the
    engines and stores opened as them (closed by ``secured_roles``)."""

    url: str
    names: RoleNames
    roles: dict[str, str] = field(default_factory=dict)
    engines: list[Engine] = field(default_factory=list)
    stores: list[PlanStore] = field(default_factory=list)

    def role_url(self, username: str) -> str:
        return make_url(self.url).set(username=self.roles[username]).render_as_string(hide_password=False)

    def engine(self, username: str) -> Engine:
        """An autocommit engine logged in as ``username``'s own role: raw SQL under their policies."""
        engine = create_engine(self.role_url(username), isolation_level="AUTOCOMMIT")
        self.engines.append(engine)
        return engine

    def store_as(self, username: str, *, upgrade: bool = True) -> PlanStore:
        """The store, connected as ``username``'s own role."""
        store = PlanStore.open(self.role_url(username), clock=TickingClock(), upgrade=upgrade)
        self.stores.append(store)
        return store

    def grant(self, username: str) -> str:
        """Give ``username`` a login role now (as the administrator) and return its name."""
        admin = create_engine(self.url)
        try:
            with admin.begin() as conn:
                self.roles[username] = grant(conn, username, self.names)
        finally:
            admin.dispose()
        return self.roles[username]


def _prefixed_roles(conn: Connection, prefix: str, what: str = "%") -> list[str]:
    """The cluster's roles named ``<prefix>_<what>`` (``what`` a LIKE pattern: ``u\\_%`` for login roles)."""
    pattern = f"{prefix}\\_{what}"
    query = text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p ORDER BY rolname")
    rows = conn.execute(query, {"p": pattern})
    return list(rows.scalars())


def drop_login_roles(conn: Connection, names: RoleNames) -> None:
    """Drop every person's login role of ``names`` (what they were granted here, then the role); the group
    and owner roles stay (``drop_roles`` drops those too)."""
    for role in _prefixed_roles(conn, names.prefix, "u\\_%"):
        conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        conn.exec_driver_sql(f'DROP ROLE "{role}"')


# What a test could change about a prefix's roles (they are cluster-wide, outside any schema's fingerprint):
# each role's attributes and settings, and who is a member of whom.
_ROLES_FINGERPRINT = """
WITH r AS (SELECT * FROM pg_roles WHERE rolname LIKE :p)
SELECT md5(concat_ws('|',
  (SELECT string_agg(concat_ws(':', rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
                               rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil::text,
                               rolconfig::text), ',' ORDER BY rolname) FROM r),
  (SELECT string_agg(concat_ws(':', g.rolname, u.rolname), ',' ORDER BY g.rolname, u.rolname)
     FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
     WHERE g.oid IN (SELECT oid FROM r) OR u.oid IN (SELECT oid FROM r)),
  (SELECT string_agg(concat_ws(':', r.rolname, s.setconfig::text), ',' ORDER BY r.rolname, s.setconfig::text)
     FROM pg_db_role_setting s JOIN r ON r.oid = s.setrole)
))
"""


class SecuredSchema(EmptiedSchema):
    """An ``EmptiedSchema`` with the roles and policies of ``db_security.install`` under its own prefix, as
    ``itp db install`` leaves a deployment's schema before anyone has a login role.

    Installing on the empty schema and adding the rows afterwards (as the session's superuser, whom the
    policies do not bind) gives the same database as adding the rows first: ``install`` reads no rows.
    A schema whose fingerprint (the schema's, and its prefix's roles') changed is left behind with its roles
    dropped, and a new one is migrated and secured under a new prefix.
    """

    def __init__(self, server_url: str, kind: str) -> None:
        super().__init__(server_url)
        self.kind = kind
        self.names: RoleNames | None = None

    def _prepare(self) -> None:
        self.drop()  # the replaced schema's roles: login roles, groups, owner (and with the owner its tables)
        self.names = role_names(self.kind)
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                install(conn, self.names)
        finally:
            engine.dispose()

    def _fingerprint(self) -> str:
        return super()._fingerprint() + "|" + self._roles_fingerprint()

    def _roles_fingerprint(self) -> str:
        assert self.names is not None
        engine = create_engine(self.server_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                found = conn.execute(text(_ROLES_FINGERPRINT), {"p": f"{self.names.prefix}\\_%"})
                return str(found.scalar_one())
        finally:
            engine.dispose()

    def drop(self) -> None:
        """Drop every role of the current prefix (none is left in the cluster afterwards)."""
        if self.names is None:
            return
        engine = create_engine(self.server_url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                drop_roles(conn, self.names, _prefixed_roles(conn, self.names.prefix, "u\\_%"))
            with engine.connect() as conn:
                assert _prefixed_roles(conn, self.names.prefix) == []
        finally:
            engine.dispose()
        self.names = None


@dataclass(frozen=True)
class SecuredDatabase:
    """A secured schema at the newest migration with no rows (``url``, the administrator's) and its roles."""

    url: str
    names: RoleNames


@pytest.fixture(scope="session")
def secured_schemas(pg_server_url: str) -> Iterator[SecuredSchema]:
    schema = SecuredSchema(pg_server_url, "itps")
    yield schema
    schema.drop()


@pytest.fixture
def secured_schema(db_kind: str, request: pytest.FixtureRequest) -> SecuredDatabase:
    """The session's secured schema, emptied (PostgreSQL only: use with ``on_postgres``). The ``store``
    fixture opens it too when a test asks for both."""
    assert db_kind == "postgresql", "roles and row-level security exist on PostgreSQL only: mark on_postgres"
    pool: SecuredSchema = request.getfixturevalue("secured_schemas")
    url = pool.checkout()
    assert pool.names is not None
    return SecuredDatabase(url=url, names=pool.names)


@contextmanager
def secured_roles(connections: RoleConnections, people: Iterable[str]) -> Iterator[RoleConnections]:
    """A login role for each of ``people`` on ``connections.url``, a ``secured_schema`` (its roles and
    policies installed); afterwards close every connection made as them and drop every login role again."""
    admin = create_engine(connections.url)
    try:
        with admin.begin() as conn:
            for who in people:
                connections.roles[who] = grant(conn, who, connections.names)
        yield connections
    finally:
        for s in connections.stores:
            s.close()
        for e in connections.engines:
            e.dispose()
        with admin.begin() as conn:
            drop_login_roles(conn, connections.names)
        with admin.connect() as conn:  # no login role of this test is left in the cluster
            assert _prefixed_roles(conn, connections.names.prefix, "u\\_%") == []
        admin.dispose()


def role_names(kind: str) -> RoleNames:
    """Role names under a fresh random prefix (``kind`` tells the test files' roles apart in the cluster)."""
    return RoleNames(f"{kind}{secrets.token_hex(4)}")
