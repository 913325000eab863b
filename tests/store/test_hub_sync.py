"""People, roles and cohorts follow JupyterHub's groups (``services/hub_sync.py``, ``itp people sync-hub``).

The store is real (SQLite and PostgreSQL). The hub here is a small HTTP server answering the two REST calls a
sync makes, in JupyterHub's own shapes (pagination included); ``tests/deploy/test_hub_e2e.py`` syncs from a
real hub.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from itp_toolkit.cli import main as itp_main
from itp_toolkit.errors import PermissionDenied
from itp_toolkit.services import hub_sync
from itp_toolkit.services.hub_sync import HubClient, HubGroup, HubUnreachable, HubUser, apply, roster
from itp_toolkit.store import PlanStore
from itp_toolkit.store.db_security import RoleNames

from .db_roles import SecuredDatabase, drop_login_roles, on_postgres

TOKEN = "s3cret-token"

USERS = [
    HubUser("lead", ("itp-admins",)),
    HubUser("dr.okafor", ("itp-supervisors", "itp-cohort-a")),
    HubUser("ana", ("itp-cohort-a",), {"display_name": "Ana Ruiz"}),
    HubUser("ben", ("itp-trainees",)),
    HubUser("root-admin", ()),  # a hub admin, not the toolkit's
]
GROUPS = [
    HubGroup("itp-admins", ("lead",)),
    HubGroup("itp-supervisors", ("dr.okafor",)),
    HubGroup("itp-trainees", ("ben",)),
    HubGroup("itp-cohort-a", ("dr.okafor", "ana"), {"itp_cohort_name": "Cohort A (spring)"}),
    HubGroup("itp-cohort-b", ("ben", "dr.okafor")),
    HubGroup("jupyter-users", ("root-admin", "ana")),
]


def test_the_groups_name_each_persons_role_admin_flag_and_cohorts() -> None:
    people = {p.username: p for p in roster(USERS, GROUPS)}
    assert set(people) == {"lead", "dr.okafor", "ana", "ben"}  # root-admin is in no itp-* group
    assert (people["lead"].role, people["lead"].is_admin) == ("supervisor", True)
    assert (people["dr.okafor"].role, people["dr.okafor"].is_admin) == ("supervisor", False)
    assert people["dr.okafor"].cohorts == ("Cohort A (spring)", "b")
    assert (people["ana"].role, people["ana"].cohorts, people["ana"].display_name) == (
        "trainee",
        ("Cohort A (spring)",),
        "Ana Ruiz",
    )
    assert people["ben"].display_name == "ben"  # the hub knows no better name


def test_one_persons_groups_give_the_same_answer_as_the_whole_roster() -> None:
    whole = {p.username: p for p in roster(USERS, GROUPS)}
    one = hub_sync.person_from_groups(
        "dr.okafor",
        ["itp-supervisors", "itp-cohort-a", "itp-cohort-b"],
        cohort_names={"itp-cohort-a": "Cohort A (spring)"},
    )
    assert one == whole["dr.okafor"]
    assert hub_sync.person_from_groups("root-admin", ["jupyter-users"]) is None


def _admin_store(db_url: str) -> PlanStore:
    store = PlanStore.open(db_url)
    store.ensure_admin("lead", "Programme Lead")
    return store


def test_a_sync_adds_people_cohorts_and_memberships_once(migrated_url: str) -> None:
    store = _admin_store(migrated_url)
    try:
        first = apply(store, roster(USERS, GROUPS), actor="lead")
        assert sorted(first.people_added) == ["ana", "ben", "dr.okafor"]
        assert sorted(first.cohorts_added) == ["Cohort A (spring)", "b"]
        assert len(first.memberships_added) == 4
        cohorts = {c.name: c.id for c in store.list_cohorts(actor="lead")}
        members = {m.username for m in store.list_cohort_members(cohorts["b"], actor="lead")}
        assert members == {"ben", "dr.okafor"}
        assert store.find_person("ana", actor="lead").display_name == "Ana Ruiz"

        again = apply(store, roster(USERS, GROUPS), actor="lead")
        assert not again.changed and again.differences == []
        assert again.lines() == ["nothing to change: the store already matches the hub's groups"]
    finally:
        store.close()


def test_a_role_that_differs_is_reported_and_left_as_it_is(migrated_url: str) -> None:
    store = _admin_store(migrated_url)
    try:
        store.add_person("ben", "Ben Adler", "supervisor", actor="lead")
        report = apply(store, roster(USERS, GROUPS), actor="lead")
        assert report.differences == [
            "Ben Adler is a supervisor in the store and a trainee in the hub's groups"
        ]
        assert store.find_person("ben", actor="lead").role == "supervisor"
    finally:
        store.close()


def test_only_an_admin_can_sync(migrated_url: str) -> None:
    store = _admin_store(migrated_url)
    try:
        store.add_person("dr.okafor", "Dr. Adaeze Okafor", "supervisor", actor="lead")
        with pytest.raises(PermissionDenied, match="only an admin"):
            apply(store, roster(USERS, GROUPS), actor="dr.okafor")
    finally:
        store.close()


# ---------------------------------------------------------------------- the hub's REST API


class _Hub(BaseHTTPRequestHandler):
    """``GET /hub/api/users`` and ``/hub/api/groups`` as JupyterHub answers them, two items a page."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        if self.headers.get("Authorization") != f"token {TOKEN}":
            return self._send(403, {"status": 403, "message": "Forbidden"})
        items = {
            "/hub/api/users": [
                {"kind": "user", "name": u.name, "groups": list(u.groups), "user_info": dict(u.user_info)}
                for u in USERS
            ],
            "/hub/api/groups": [
                {"kind": "group", "name": g.name, "users": list(g.users), "properties": dict(g.properties)}
                for g in GROUPS
            ],
        }.get(url.path)
        if items is None:
            return self._send(404, {"status": 404})
        query = parse_qs(url.query)
        offset, limit = int(query.get("offset", ["0"])[0]), min(int(query.get("limit", ["200"])[0]), 2)
        page = items[offset : offset + limit]
        following = offset + limit
        next_page = {"offset": following, "limit": limit} if following < len(items) else None
        return self._send(
            200,
            {
                "items": page,
                "_pagination": {"offset": offset, "limit": limit, "total": len(items), "next": next_page},
            },
        )

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    # shutdown() waits for the serving loop's next poll: 0.5 s by default, at every test's end
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hub/api"
    finally:
        server.shutdown()
        server.server_close()


def test_the_client_reads_every_page_of_users_and_groups(hub_api: str) -> None:
    client = HubClient(hub_api, TOKEN)
    assert [u.name for u in client.users()] == [u.name for u in USERS]
    assert [g.name for g in client.groups()] == [g.name for g in GROUPS]
    assert roster(client.users(), client.groups()) == roster(USERS, GROUPS)


def test_a_wrong_token_is_one_clear_error(hub_api: str) -> None:
    with pytest.raises(HubUnreachable, match="403 for users .*lacks a scope"):
        HubClient(hub_api, "wrong").users()


def test_itp_people_sync_hub_syncs_and_a_missing_token_exits_2(
    hub_api: str, migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    _admin_store(migrated_url).close()
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    common = ["people", "sync-hub", "--hub-url", hub_api, "--database-url", migrated_url, "--as", "lead"]
    assert itp_main(common) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no hub token" in err

    token = tmp_path / "token"
    token.write_text(TOKEN + "\n", encoding="utf-8")
    assert itp_main([*common, "--token-file", str(token), "--no-db-roles"]) == 0
    out = capsys.readouterr().out
    assert "added ana" in out and "new cohort 'Cohort A (spring)'" in out
    assert itp_main([*common, "--token-file", str(token), "--no-db-roles"]) == 0
    assert "nothing to change" in capsys.readouterr().out


# ---------------------------------------------------------------------- database roles (PostgreSQL)


@pytest.fixture
def secured_url(secured_schema: SecuredDatabase) -> Iterator[tuple[str, RoleNames]]:
    """The session's secured schema (db_roles.py) with the programme lead as its admin; every login role
    made meanwhile is dropped afterwards."""
    url, names = secured_schema.url, secured_schema.names
    store = _admin_store(url)
    engine = create_engine(url)
    try:
        yield url, names
    finally:
        store.close()
        with engine.begin() as conn:
            drop_login_roles(conn, names)
        engine.dispose()


def _password_hash(url: str, role: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": role}
            ).scalar()
    finally:
        engine.dispose()


@on_postgres
def test_a_server_gets_its_own_role_and_a_fresh_password_never_the_admin_url(
    secured_url: tuple[str, RoleNames],
) -> None:
    url, names = secured_url
    provisioner = hub_sync.ServerProvisioner(url, actor="lead", prefix=names.prefix)
    try:
        env = provisioner.environment("ana", ["itp-cohort-a"], cohort_names={"itp-cohort-a": "Cohort A"})
        role = names.user("ana")
        assert set(env) == {"ITP_DATABASE_URL", "PGPASSWORD"}
        server_url = make_url(env["ITP_DATABASE_URL"])
        assert (server_url.username, server_url.password) == (role, None)
        assert env["PGPASSWORD"] not in env["ITP_DATABASE_URL"]
        first = _password_hash(url, role)
        user_engine = create_engine(server_url, connect_args={"password": env["PGPASSWORD"]})
        try:
            with user_engine.connect() as conn:
                assert conn.execute(text("SELECT current_user")).scalar() == role
                cohort = conn.execute(text("SELECT name FROM cohorts")).scalars().all()
                assert cohort == ["Cohort A"]
        finally:
            user_engine.dispose()
        again = provisioner.environment("ana", ["itp-cohort-a"], cohort_names={"itp-cohort-a": "Cohort A"})
        assert again["PGPASSWORD"] != env["PGPASSWORD"] and _password_hash(url, role) != first
        with pytest.raises(PermissionDenied, match="none of the toolkit's groups"):
            provisioner.environment("root-admin", ["jupyter-users"])
    finally:
        provisioner.close()


@on_postgres
def test_the_projector_boards_role_reads_but_cannot_write(secured_url: tuple[str, RoleNames]) -> None:
    url, names = secured_url
    store = PlanStore.open(url)
    try:
        store.add_person("projector", "Projector board", "supervisor", is_admin=True, actor="lead")
    finally:
        store.close()
    env = hub_sync.board_environment(url, "projector", prefix=names.prefix)
    engine = create_engine(env["ITP_DATABASE_URL"], connect_args={"password": env["PGPASSWORD"]})
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM people")).scalar() == 2
        with engine.connect() as conn, pytest.raises(DBAPIError) as refused:
            conn.execute(text("INSERT INTO cohorts (name, created_at) VALUES ('x', now())"))
        assert refused.value.orig.sqlstate == "25006"  # read-only transaction
    finally:
        engine.dispose()


@on_postgres
def test_sync_from_hub_gives_everyone_a_role_once(hub_api: str, secured_url: tuple[str, RoleNames]) -> None:
    url, names = secured_url
    store = PlanStore.open(url)
    try:
        client = HubClient(hub_api, TOKEN)
        first = hub_sync.sync_from_hub(client, store, actor="lead", admin_url=url, prefix=names.prefix)
        assert first.roles_granted == ["ana", "ben", "dr.okafor", "lead"]
        again = hub_sync.sync_from_hub(client, store, actor="lead", admin_url=url, prefix=names.prefix)
        assert again.roles_granted == [] and not again.changed
    finally:
        store.close()


class _StaleCohortList:
    """The real store, except that its first list of cohorts was read before another server's start added
    one (two people of a new cohort starting their servers at once)."""

    def __init__(self, store: PlanStore) -> None:
        self._store, self._stale = store, True

    def list_cohorts(self, *, actor: str):  # type: ignore[no-untyped-def]
        if self._stale:
            self._stale = False
            return []
        return self._store.list_cohorts(actor=actor)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._store, name)


def test_a_cohort_made_meanwhile_by_another_start_is_joined_not_refused(migrated_url: str) -> None:
    store = _admin_store(migrated_url)
    try:
        store.add_cohort("Cohort A (spring)", actor="lead")
        report = apply(_StaleCohortList(store), roster(USERS, GROUPS), actor="lead")  # type: ignore[arg-type]
        assert "Cohort A (spring)" not in report.cohorts_added
        cohorts = {c.name: c.id for c in store.list_cohorts(actor="lead")}
        members = {m.username for m in store.list_cohort_members(cohorts["Cohort A (spring)"], actor="lead")}
        assert members == {"ana", "dr.okafor"}
    finally:
        store.close()
