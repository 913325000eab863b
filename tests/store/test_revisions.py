"""Saving and reading revisions: append-only history, stale saves, validation on the way in and out."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from itp_toolkit.errors import InvalidInput, NotFound, StaleRevision
from itp_toolkit.store import MAX_PLAN_BYTES

from .conftest import CASE_ID, Clinic, make_plan


def _draft(clinic: Clinic) -> int:
    return clinic.store.start_draft(CASE_ID, actor=clinic.trainee).id


def test_revisions_are_numbered_from_one_and_record_author_clock_and_origin(clinic: Clinic) -> None:
    store, ana = clinic.store, clinic.trainee
    draft = _draft(clinic)
    first = store.save_revision(draft, make_plan("first"), based_on=0, actor=ana)
    second = store.save_revision(draft, make_plan("second"), based_on=1, actor=ana)
    assert (first.number, first.based_on, second.number, second.based_on) == (1, 0, 2, 1)
    assert first.author == ana and second.created_at > first.created_at
    assert first.created_at.tzinfo is not None
    assert [r.number for r in store.list_revisions(draft, actor=ana)] == [1, 2]
    assert store.get_revision(draft, actor=ana).problems[0].statement == "second"
    assert store.get_revision(draft, 1, actor=ana).problems[0].statement == "first"
    summary = store.get_draft(draft, actor=ana)
    assert (summary.latest_revision, summary.status, summary.owner) == (2, "in_progress", ana)


def test_starting_a_draft_twice_returns_the_same_empty_draft(clinic: Clinic) -> None:
    first = clinic.store.start_draft(CASE_ID, actor=clinic.trainee)
    again = clinic.store.start_draft(CASE_ID, actor=clinic.trainee)
    assert first.id == again.id and again.status == "empty" and again.latest_revision == 0
    with pytest.raises(NotFound):
        clinic.store.get_revision(first.id, actor=clinic.trainee)


def test_stale_save_is_refused_and_keeps_both_revisions(clinic: Clinic) -> None:
    store, ana = clinic.store, clinic.trainee
    draft = _draft(clinic)
    store.save_revision(draft, make_plan("tab one, first save"), based_on=0, actor=ana)
    store.save_revision(draft, make_plan("tab one, second save"), based_on=1, actor=ana)
    with pytest.raises(StaleRevision) as caught:
        store.save_revision(draft, make_plan("tab two, still on revision 1"), based_on=1, actor=ana)
    assert caught.value.latest_revision == 2
    assert [r.number for r in store.list_revisions(draft, actor=ana)] == [1, 2]
    assert store.get_revision(draft, 1, actor=ana).problems[0].statement == "tab one, first save"
    assert store.get_revision(draft, actor=ana).problems[0].statement == "tab one, second save"


def test_saving_on_a_revision_that_does_not_exist_is_invalid_input(clinic: Clinic) -> None:
    draft = _draft(clinic)
    with pytest.raises(InvalidInput) as caught:
        clinic.store.save_revision(draft, make_plan(), based_on=3, actor=clinic.trainee)
    assert caught.value.problems[0].field == "based_on"


def test_revision_history_refuses_update_and_delete_in_raw_sql(clinic: Clinic) -> None:
    store, ana = clinic.store, clinic.trainee
    draft = _draft(clinic)
    store.save_revision(draft, make_plan("what she wrote"), based_on=0, actor=ana)
    engine = create_engine(store.url)
    try:
        for statement in (
            "UPDATE revisions SET plan_json = '{}' WHERE draft_id = :d",
            "DELETE FROM revisions WHERE draft_id = :d",
        ):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement), {"d": draft})
        if store.dialect == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text("TRUNCATE revisions CASCADE"))
        else:  # INSERT OR REPLACE deletes the old row first: the trigger must refuse that too
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text("PRAGMA recursive_triggers = ON"))
                conn.execute(
                    text(
                        "INSERT OR REPLACE INTO revisions "
                        "(draft_id, number, based_on, author, plan_json, created_at)"
                        " VALUES (:d, 1, 0, 'ana', (SELECT plan_json FROM revisions WHERE draft_id = :d),"
                        " '2025-01-01 00:00:00')"
                    ),
                    {"d": draft},
                )
    finally:
        engine.dispose()
    assert store.get_revision(draft, 1, actor=ana).problems[0].statement == "what she wrote"


def test_oversized_plan_is_refused_naming_where_the_bulk_is_and_nothing_is_saved(clinic: Clinic) -> None:
    store, ana = clinic.store, clinic.trainee
    draft = _draft(clinic)
    data = make_plan().model_dump(mode="json")
    # Each statement is within its own 500-character limit; together they are far too much.
    data["discharge_criteria"] = [
        {"id": f"dis-{i:05d}", "text": "x" * 490} for i in range(MAX_PLAN_BYTES // 400)
    ]
    with pytest.raises(InvalidInput) as caught:
        store.save_revision(draft, data, based_on=0, actor=ana)
    problem = caught.value.problems[0]
    assert problem.field == "discharge_criteria" and "bytes" in problem.message
    assert problem.file == f"draft {draft}"
    assert store.list_revisions(draft, actor=ana) == []


def test_overlong_field_is_refused_with_its_path_and_nothing_is_saved(clinic: Clinic) -> None:
    store, ana = clinic.store, clinic.trainee
    draft = _draft(clinic)
    data = make_plan().model_dump(mode="json")
    data["problems"][0]["goals"][0]["statement"] = "y" * 5000
    with pytest.raises(InvalidInput) as caught:
        store.save_revision(draft, data, based_on=0, actor=ana)
    assert [p.field for p in caught.value.problems] == ["problems[0].goals[0].statement"]
    assert store.list_revisions(draft, actor=ana) == []


def test_plan_for_another_case_is_refused(clinic: Clinic) -> None:
    draft = _draft(clinic)
    with pytest.raises(InvalidInput) as caught:
        clinic.store.save_revision(
            draft, make_plan(case_id="case-other-person"), based_on=0, actor=clinic.trainee
        )
    assert caught.value.problems[0].field == "case_id"


def test_plan_that_no_longer_validates_is_reported_on_the_way_out(clinic: Clinic) -> None:
    """A row written outside the store (or by an older model) is never handed back unchecked."""
    store, ana = clinic.store, clinic.trainee
    draft = _draft(clinic)
    engine = create_engine(store.url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO revisions (draft_id, number, based_on, author, plan_json, created_at)"
                " VALUES (:d, 1, 0, 'ana', :j, :t)"
            ),
            {
                "d": draft,
                # a shape the database accepts (id, case_id), with a field the model does not know
                "j": '{"id": "plan-0001", "case_id": "case-college-anxiety", "surprise": 1}',
                "t": "2025-01-01 00:00:00",
            },
        )
    engine.dispose()
    with pytest.raises(InvalidInput) as caught:
        store.get_revision(draft, actor=ana)
    assert caught.value.problems[0].field == "surprise"
    assert caught.value.problems[0].file == f"draft {draft} revision 1"


def test_blank_plan_uses_the_injected_id_factory(clinic: Clinic) -> None:
    draft = _draft(clinic)
    plan = clinic.store.blank_plan(draft, actor=clinic.trainee)
    assert plan.case_id == CASE_ID and plan.id.startswith("plan-")
    info = clinic.store.save_revision(draft, plan, based_on=0, actor=clinic.trainee)
    assert clinic.store.get_revision(draft, info.number, actor=clinic.trainee).id == plan.id
