"""Batch reads for the cohort view: every draft's latest plan in one transaction and one query, same rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from itp_toolkit.errors import InvalidInput, PermissionDenied
from itp_toolkit.store import PlanStore

from .conftest import CASE_ID, Clinic, make_plan


def _save(store: PlanStore, trainee: str, *statements: str) -> int:
    draft = store.start_draft(CASE_ID, actor=trainee).id
    for n, statement in enumerate(statements):
        store.save_revision(draft, make_plan(statement), based_on=n, actor=trainee)
    return draft


@contextmanager
def counted_selects(store: PlanStore) -> Iterator[list[str]]:
    """The SELECT statements sent to the database while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine = store._db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_supervisor_gets_each_cohort_draft_with_its_newest_plan_as_the_one_by_one_reads_do(
    clinic: Clinic,
) -> None:
    store = clinic.store
    ana = _save(store, clinic.trainee, "first", "second")
    ben = _save(store, clinic.classmate, "ben's only")
    store.start_draft(CASE_ID, actor="cara")  # another cohort, nothing saved
    store.submit_draft(ben, actor=clinic.classmate)

    got = store.latest_plans(case_id=CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.supervisor)

    assert [(s.id, s.owner, s.latest_revision, s.status) for s, _ in got] == [
        (ana, "ana", 2, "in_progress"),
        (ben, "ben", 1, "submitted"),
    ]
    expected = {
        s.id: s
        for s in store.list_drafts(case_id=CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.supervisor)
    }
    for summary, plan in got:
        assert summary == expected[summary.id]
        assert plan == store.get_revision(summary.id, actor=clinic.supervisor)
    assert got[0][1].problems[0].statement == "second"


def test_drafts_with_nothing_saved_and_other_cases_are_left_out(clinic: Clinic) -> None:
    store = clinic.store
    store.start_draft(CASE_ID, actor=clinic.trainee)
    ben = _save(store, clinic.classmate, "saved")
    assert [s.id for s, _ in store.latest_plans(case_id=CASE_ID, actor=clinic.supervisor)] == [ben]
    assert store.latest_plans(case_id="case-rural-perinatal", actor=clinic.supervisor) == []


def test_a_trainee_gets_only_their_own_draft_even_when_naming_their_cohort(clinic: Clinic) -> None:
    store = clinic.store
    ana = _save(store, clinic.trainee, "mine")
    _save(store, clinic.classmate, "my classmate's")
    got = store.latest_plans(case_id=CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.trainee)
    assert [(s.id, s.owner) for s, _ in got] == [(ana, "ana")]


def test_a_supervisor_gets_no_draft_of_trainees_they_do_not_supervise(clinic: Clinic) -> None:
    store = clinic.store
    _save(store, clinic.trainee, "cohort A")
    cara = _save(store, clinic.other_trainee, "cohort B")
    assert store.latest_plans(case_id=CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.other_supervisor) == []
    assert [s.id for s, _ in store.latest_plans(case_id=CASE_ID, actor=clinic.other_supervisor)] == [cara]
    assert "cara" not in {s.owner for s, _ in store.latest_plans(case_id=CASE_ID, actor=clinic.supervisor)}
    # An admin reads every draft, as get_revision lets them.
    assert {s.owner for s, _ in store.latest_plans(case_id=CASE_ID, actor=clinic.admin)} == {"ana", "cara"}


def test_an_unknown_actor_or_a_malformed_case_id_is_refused(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        clinic.store.latest_plans(case_id=CASE_ID, actor="mallory")
    with pytest.raises(InvalidInput):
        clinic.store.latest_plans(case_id="x'; DROP TABLE drafts; --", actor=clinic.supervisor)


def test_the_number_of_queries_does_not_grow_with_the_cohort(clinic: Clinic) -> None:
    store = clinic.store
    _save(store, clinic.trainee, "one", "two", "three")
    with counted_selects(store) as one_draft:
        assert (
            len(store.latest_plans(case_id=CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.supervisor)) == 1
        )
    _save(store, clinic.classmate, "another")
    with counted_selects(store) as two_drafts:
        assert (
            len(store.latest_plans(case_id=CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.supervisor)) == 2
        )
    # The role check, then the one query that joins drafts to their newest revision.
    assert len(one_draft) == len(two_drafts) == 2


def test_the_review_queue_is_each_handed_in_draft_with_its_newest_submission(clinic: Clinic) -> None:
    store, sup = clinic.store, clinic.supervisor
    returned = _save(store, clinic.trainee, "one")
    store.submit_draft(returned, actor=clinic.trainee)
    store.return_draft(returned, summary="Say what she wants", actor=sup)
    store.save_revision(returned, make_plan("two"), based_on=1, actor=clinic.trainee)
    store.submit_draft(returned, actor=clinic.trainee)  # handed in again: revision 2 waits
    _save(store, clinic.classmate, "never handed in")  # never submitted: not in the queue
    elsewhere = _save(store, clinic.other_trainee, "cohort B")  # not dr.okafor's trainee
    store.submit_draft(elsewhere, actor=clinic.other_trainee)
    store.return_draft(elsewhere, actor=clinic.other_supervisor)

    queue = store.handed_in(actor=sup)
    assert [(d.id, d.owner, d.status, s.revision, s.status) for d, s in queue] == [
        (returned, clinic.trainee, "submitted", 2, "submitted"),
    ]
    theirs = store.handed_in(actor=clinic.other_supervisor)
    assert [(d.status, s.status, s.decided_by) for d, s in theirs] == [
        ("returned", "returned", clinic.other_supervisor)
    ]
    # What the one-by-one reads say, for each of them.
    for actor in (sup, clinic.other_supervisor, clinic.admin):
        for draft, submission in store.handed_in(actor=actor):
            assert draft == store.get_draft(draft.id, actor=actor)
            assert submission == store.list_submissions(draft.id, actor=actor)[-1]
    # Roles as list_drafts: each supervisor sees their own cohort's, an admin everything, a trainee nothing.
    assert [d.id for d, _ in store.handed_in(actor=clinic.admin)] == [returned, elsewhere]
    assert store.handed_in(actor=clinic.trainee) == []
    with pytest.raises(PermissionDenied):
        store.handed_in(actor="mallory")


def test_the_review_queue_is_one_query_however_many_drafts(clinic: Clinic) -> None:
    store = clinic.store
    store.submit_draft(_save(store, clinic.trainee, "one"), actor=clinic.trainee)
    with counted_selects(store) as one_draft:
        assert len(store.handed_in(actor=clinic.supervisor)) == 1
    store.submit_draft(_save(store, clinic.classmate, "two"), actor=clinic.classmate)
    with counted_selects(store) as two_drafts:
        assert len(store.handed_in(actor=clinic.supervisor)) == 2
    # The role check, then the one query that joins drafts to their newest submission.
    assert len(one_draft) == len(two_drafts) == 2
