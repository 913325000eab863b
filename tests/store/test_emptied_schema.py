"""The PostgreSQL schema that store tests share (conftest.EmptiedSchema) is, for each test, what a freshly
migrated schema would be: no rows, ids from 1, the same triggers; a schema a test changed is not reused. The
same for the row-level security tests' secured schema (db_roles.SecuredSchema), whose roles count too."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from itp_toolkit.store import PlanStore

from .conftest import CASE_ID, EmptiedSchema, make_plan
from .db_roles import SecuredSchema

pytestmark = pytest.mark.postgres


def _fill(url: str) -> None:
    store = PlanStore.open(url)
    store.ensure_admin("admin", "Director")
    store.add_person("ana", "Ana", "trainee", actor="admin")
    cohort = store.add_cohort("Cohort A", actor="admin").id
    assert cohort == 1
    store.add_to_cohort(cohort, "ana", actor="admin")
    store.assign_case(CASE_ID, cohort_id=cohort, actor="admin")
    draft = store.start_draft(CASE_ID, actor="ana").id
    store.save_revision(draft, make_plan(), based_on=0, actor="ana")
    assert store.add_cohort("Cohort B", actor="admin").id == 2
    store.close()


def test_the_next_checkout_is_the_same_schema_with_no_rows_and_ids_from_one(pg_server_url: str) -> None:
    schema = EmptiedSchema(pg_server_url)
    url = schema.checkout()
    _fill(url)
    assert schema.checkout() == url
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
        for table in tables.scalars().all():
            count = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
            assert count == (1 if table == "alembic_version" else 0), table
    _fill(url)  # ids start from 1 again
    with pytest.raises(DBAPIError, match="append-only|revisions"), engine.begin() as conn:
        conn.execute(text("DELETE FROM revisions"))  # the append-only trigger is back on after emptying
    engine.dispose()


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE drafts ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE revisions DISABLE TRIGGER revisions_append_only",
        "CREATE TABLE extra (id integer)",
        "ALTER TABLE people ADD COLUMN extra text",
        "GRANT SELECT ON people TO PUBLIC",
        "UPDATE alembic_version SET version_num = 'elsewhere'",
    ],
)
def test_a_schema_a_test_changed_is_replaced_by_a_newly_migrated_one(pg_server_url: str, change: str) -> None:
    schema = EmptiedSchema(pg_server_url)
    url = schema.checkout()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(change))
    engine.dispose()
    fresh = schema.checkout()
    assert fresh != url
    store = PlanStore.open(fresh)
    store.ensure_admin("admin", "Director")
    store.close()
    assert schema.checkout() == fresh  # and that one is reused again


def _roles(server_url: str, prefix: str) -> list[str]:
    engine = create_engine(server_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": f"{prefix}\\_%"}
            )
            return sorted(found.scalars())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "change",
    [
        'ALTER ROLE "{names.trainee}" CONNECTION LIMIT 1',  # roles are outside the schema's fingerprint
        'GRANT "{names.supervisor}" TO "{names.trainee}"',
        'DROP POLICY owner_all ON "drafts"',
    ],
)
def test_a_secured_schema_whose_schema_or_roles_a_test_changed_is_replaced_under_a_new_prefix(
    pg_server_url: str, change: str
) -> None:
    schema = SecuredSchema(pg_server_url, "itpx")
    try:
        url = schema.checkout()
        names = schema.names
        assert names is not None and _roles(pg_server_url, names.prefix) == sorted(
            [names.owner, names.trainee, names.supervisor]
        )
        assert schema.checkout() == url and schema.names == names  # nothing changed: reused
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(change.format(names=names)))
        engine.dispose()
        fresh = schema.checkout()
        assert fresh != url and schema.names is not None and schema.names.prefix != names.prefix
        assert _roles(pg_server_url, names.prefix) == []  # the replaced schema's roles are gone
        assert schema.checkout() == fresh  # and the new one is reused again
    finally:
        prefix = schema.names.prefix if schema.names else ""
        schema.drop()
    assert _roles(pg_server_url, prefix) == []
