"""The PostgreSQL schema that store tests share (conftest.EmptiedSchema) is, for each test, what a freshly
migrated schema would be: no rows, ids from 1, the same triggers; a schema a test changed is not reused."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from itp_toolkit.store import PlanStore

from .conftest import CASE_ID, EmptiedSchema, make_plan

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
