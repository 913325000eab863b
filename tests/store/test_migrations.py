"""The schema comes from the shipped Alembic migrations, and upgrading keeps what is already stored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from itp_toolkit.store import PlanStore
from itp_toolkit.store.database import Database, alembic_config, downgrade, head_revision, upgrade
from itp_toolkit.store.schema import Base

from .conftest import CASE_ID, make_plan


def _revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _write_conn(database: Database):  # type: ignore[no-untyped-def]
    return database.engine.connect().execution_options(itp_write=True)


def test_orm_tables_match_the_migrations(db_url: str) -> None:
    store = PlanStore.open(db_url)
    with store._db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.close()
    assert diff == []


def test_upgrade_from_the_first_revision_keeps_every_row(db_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no alembic.ini anywhere near: the migrations ship inside the package
    assert not (tmp_path / "alembic.ini").exists()
    first = _revisions_oldest_first()[0]
    database = Database(db_url)
    with _write_conn(database) as conn, conn.begin():
        upgrade(conn, first)
    # Rows written as the first revision's schema had them (raw SQL: today's ORM knows newer columns).
    plan_json = make_plan("kept through the upgrade").model_dump_json()
    when = "2025-01-06 09:00:00"
    with _write_conn(database) as conn, conn.begin():
        for statement, params in [
            (
                "INSERT INTO people (username, display_name, role, is_admin, created_at) "
                "VALUES ('admin', 'Director', 'supervisor', true, :t), ('ana', 'Ana', 'trainee', false, :t)",
                {},
            ),
            ("INSERT INTO cohorts (id, name, created_at) VALUES (1, 'Cohort A', :t)", {}),
            ("INSERT INTO cohort_members (cohort_id, username, added_at) VALUES (1, 'ana', :t)", {}),
            (
                "INSERT INTO case_assignments (case_id, cohort_id, assigned_by, assigned_at) "
                "VALUES (:case, 1, 'admin', :t)",
                {"case": CASE_ID},
            ),
            (
                "INSERT INTO drafts (id, owner, case_id, created_at, updated_at) "
                "VALUES (1, 'ana', :case, :t, :t)",
                {"case": CASE_ID},
            ),
            (
                "INSERT INTO revisions (draft_id, number, based_on, author, plan_json, created_at) "
                "VALUES (1, 1, 0, 'ana', :plan, :t)",
                {"plan": plan_json},
            ),
        ]:
            conn.execute(text(statement), {"t": when, **params})
    draft = 1
    database.dispose()

    store = PlanStore.open(db_url)  # upgrades to head
    with store._db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == (head_revision(),)
    assert store.get_revision(draft, 1, actor="ana").problems[0].statement == "kept through the upgrade"
    assert store.find_person("ana", actor="admin").role == "trainee"
    store.close()


def test_migrations_go_down_to_nothing_and_up_again(db_url: str) -> None:
    store = PlanStore.open(db_url)
    database = store._db
    with _write_conn(database) as conn, conn.begin():
        downgrade(conn, "base")
    with database.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    database.upgrade_to_head()
    with database.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= set(Base.metadata.tables)
        assert conn.execute(text("SELECT count(*) FROM revisions")).scalar() == 0
    store.close()


def test_opening_twice_is_harmless(db_url: str) -> None:
    PlanStore.open(db_url).close()
    again = PlanStore.open(db_url)
    again.ensure_admin("admin", "Director")
    again.close()
    assert PlanStore.open(db_url).find_person("admin", actor="admin").is_admin


def test_unreachable_database_raises_store_unavailable(tmp_path: Path) -> None:
    from itp_toolkit.errors import StoreUnavailable

    with pytest.raises(StoreUnavailable):
        PlanStore.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreUnavailable):
        PlanStore.open("mysql://x@y/z")
    with pytest.raises(StoreUnavailable):
        PlanStore.open("not a url")
    blocked = tmp_path / "no-entry"
    blocked.mkdir(mode=0o500)
    if os.geteuid() != 0:  # root can write anywhere
        with pytest.raises(StoreUnavailable):
            PlanStore.open(f"sqlite:///{blocked / 'itp.sqlite'}")
