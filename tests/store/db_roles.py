"""Connecting as a person's own PostgreSQL login role, for the row-level security tests (test_db_security.py,
test_course_rls.py): one copy of the set-up, the connections and the teardown.

Roles are cluster-wide: each use makes them under a random prefix and drops them all afterwards (DROP OWNED,
DROP ROLE), then checks that nothing with that prefix is left in the cluster.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from itp_toolkit.store import PlanStore
from itp_toolkit.store.db_security import RoleNames, drop_roles, grant, install

from .conftest import TickingClock

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


@contextmanager
def secured_roles(connections: RoleConnections, people: Iterable[str]) -> Iterator[RoleConnections]:
    """Install the roles and policies of ``connections.names`` on its database and a login role for each of
    ``people``; afterwards close every connection made as them and drop every role again."""
    admin = create_engine(connections.url)
    try:
        with admin.begin() as conn:
            install(conn, connections.names)
            for who in people:
                connections.roles[who] = grant(conn, who, connections.names)
        yield connections
    finally:
        for s in connections.stores:
            s.close()
        for e in connections.engines:
            e.dispose()
        with admin.begin() as conn:
            drop_roles(conn, connections.names, list(connections.roles.values()))
        with admin.connect() as conn:  # nothing of this run is left in the cluster
            left = conn.execute(
                text("SELECT count(*) FROM pg_roles WHERE rolname LIKE :p"),
                {"p": f"{connections.names.prefix}%"},
            )
            assert left.scalar() == 0
        admin.dispose()


def role_names(kind: str) -> RoleNames:
    """Role names under a fresh random prefix (``kind`` tells the test files' roles apart in the cluster)."""
    return RoleNames(f"{kind}{secrets.token_hex(4)}")
