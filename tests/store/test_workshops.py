"""Workshops: blind drafting, forward-only phases, joining, the facilitator's board and exemplars.

Each test runs on SQLite and PostgreSQL (connected as a superuser: these are the store's own checks; the
database's own enforcement is in test_db_security.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from itp_toolkit.errors import InvalidInput, NotFound, PermissionDenied
from itp_toolkit.store.workshops import JOIN_CODE_ALPHABET, Workshop, normalize_join_code

from .conftest import CASE_ID, Clinic, make_plan


@pytest.fixture
def workshop(clinic: Clinic) -> Workshop:
    return clinic.store.create_workshop(
        CASE_ID, title="Tuesday live plan", cohort_id=clinic.cohort_a, minutes=30, actor=clinic.supervisor
    )


def _joined(clinic: Clinic, workshop: Workshop) -> tuple[int, int]:
    """ana joins by code, ben through the cohort; both save one revision."""
    store = clinic.store
    assert workshop.join_code is not None
    ana = store.join_workshop(workshop.join_code, actor=clinic.trainee).id
    ben = store.join_workshop(workshop_id=workshop.id, actor=clinic.classmate).id
    store.save_revision(ana, make_plan("ana's blind draft"), based_on=0, actor=clinic.trainee)
    store.save_revision(ben, make_plan("ben's blind draft"), based_on=0, actor=clinic.classmate)
    return ana, ben


def test_join_code_is_short_unambiguous_and_typed_forgivingly(clinic: Clinic, workshop: Workshop) -> None:
    code = workshop.join_code
    assert code is not None and len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET)
    assert not set(code) & set("0O1IL")
    sloppy = f" {code[:3].lower()}-{code[3:]} "
    assert normalize_join_code(sloppy) == code
    draft = clinic.store.join_workshop(sloppy, actor=clinic.trainee)
    assert (draft.owner, draft.case_id, draft.workshop_id) == (clinic.trainee, CASE_ID, workshop.id)
    again = clinic.store.join_workshop(code, actor=clinic.trainee)
    assert again.id == draft.id  # one draft per trainee per workshop
    with pytest.raises(NotFound):
        clinic.store.join_workshop("ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY", actor=clinic.classmate)
    with pytest.raises(NotFound):
        clinic.store.join_workshop("<script>", actor=clinic.classmate)


def test_timer_ends_at_comes_from_the_injected_clock(clinic: Clinic, workshop: Workshop) -> None:
    assert workshop.ends_at == workshop.created_at + dt.timedelta(minutes=30)
    restarted = clinic.store.set_timer(workshop.id, 5, actor=clinic.supervisor)
    assert restarted.ends_at is not None and restarted.ends_at > workshop.ends_at - dt.timedelta(minutes=25)
    assert clinic.store.set_timer(workshop.id, None, actor=clinic.supervisor).ends_at is None
    with pytest.raises(InvalidInput):
        clinic.store.set_timer(workshop.id, 0, actor=clinic.supervisor)


def test_drafting_is_blind_until_the_facilitator_opens_review(clinic: Clinic, workshop: Workshop) -> None:
    store = clinic.store
    ana, ben = _joined(clinic, workshop)
    for attempt in (
        lambda: store.get_revision(ben, actor=clinic.trainee),
        lambda: store.get_draft(ben, actor=clinic.trainee),
        lambda: store.list_revisions(ben, actor=clinic.trainee),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert [d.owner for d in store.list_workshop_drafts(workshop.id, actor=clinic.trainee)] == [
        clinic.trainee
    ]

    store.open_review(workshop.id, actor=clinic.supervisor)
    assert store.get_revision(ben, actor=clinic.trainee).problems[0].statement == "ben's blind draft"
    owners = [d.owner for d in store.list_workshop_drafts(workshop.id, actor=clinic.trainee)]
    assert owners == [clinic.trainee, clinic.classmate]
    with pytest.raises(PermissionDenied):  # read-only: a peer's draft is never theirs to change
        store.save_revision(ben, make_plan("hijack"), based_on=1, actor=clinic.trainee)
    assert store.get_revision(ana, actor=clinic.trainee).problems[0].statement == "ana's blind draft"


def test_workshop_drafts_freeze_when_review_opens(clinic: Clinic, workshop: Workshop) -> None:
    ana, _ben = _joined(clinic, workshop)
    clinic.store.open_review(workshop.id, actor=clinic.supervisor)
    with pytest.raises(PermissionDenied, match="frozen"):
        clinic.store.save_revision(ana, make_plan("copied after peeking"), based_on=1, actor=clinic.trainee)
    assert clinic.store.list_revisions(ana, actor=clinic.trainee)[-1].number == 1


def test_coursework_drafts_stay_private_during_review(clinic: Clinic, workshop: Workshop) -> None:
    store = clinic.store
    coursework = store.start_draft(CASE_ID, actor=clinic.classmate).id
    store.save_revision(coursework, make_plan("ben's own coursework"), based_on=0, actor=clinic.classmate)
    _joined(clinic, workshop)
    store.open_review(workshop.id, actor=clinic.supervisor)
    with pytest.raises(PermissionDenied):
        store.get_revision(coursework, actor=clinic.trainee)
    assert coursework not in {d.id for d in store.list_workshop_drafts(workshop.id, actor=clinic.trainee)}
    assert [d.workshop_id for d in store.list_drafts(actor=clinic.trainee)] == [workshop.id]


def test_peers_read_the_plan_but_never_its_feedback(clinic: Clinic, workshop: Workshop) -> None:
    store = clinic.store
    _ana, ben = _joined(clinic, workshop)
    store.open_review(workshop.id, actor=clinic.supervisor)
    store.add_annotation(ben, "Name the measure", element_id="obj-gad7", actor=clinic.supervisor)
    store.add_score(ben, "rubric-itp", "crit-measurable", 2, actor=clinic.supervisor)
    store.release_feedback(ben, actor=clinic.supervisor)
    assert store.list_annotations(ben, actor=clinic.trainee) == []
    assert store.list_scores(ben, actor=clinic.trainee) == []
    assert len(store.list_annotations(ben, actor=clinic.classmate)) == 1


def test_phases_only_move_forward(clinic: Clinic, workshop: Workshop) -> None:
    store, fac = clinic.store, clinic.supervisor
    with pytest.raises(InvalidInput):
        store.open_debrief(workshop.id, actor=fac)  # review comes first
    assert store.open_review(workshop.id, actor=fac).phase == "review"
    with pytest.raises(InvalidInput):
        store.open_review(workshop.id, actor=fac)
    debrief = store.open_debrief(workshop.id, actor=fac)
    assert debrief.phase == "debrief" and debrief.review_opened_at < debrief.debrief_opened_at  # type: ignore[operator]
    with pytest.raises(InvalidInput):
        store.open_review(workshop.id, actor=fac)
    assert store.close_workshop(workshop.id, actor=fac).phase == "closed"
    with pytest.raises(InvalidInput):
        store.close_workshop(workshop.id, actor=fac)


def test_only_the_facilitator_or_an_admin_runs_the_workshop(clinic: Clinic, workshop: Workshop) -> None:
    store = clinic.store
    for who in (clinic.trainee, clinic.other_supervisor):
        for attempt in (
            lambda who=who: store.open_review(workshop.id, actor=who),
            lambda who=who: store.workshop_progress(workshop.id, actor=who),
            lambda who=who: store.set_timer(workshop.id, 10, actor=who),
        ):
            with pytest.raises(PermissionDenied):
                attempt()
    with pytest.raises(PermissionDenied):
        store.create_workshop(CASE_ID, actor=clinic.trainee)
    with pytest.raises(PermissionDenied):  # dr.lind does not supervise cohort A
        store.create_workshop(CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.other_supervisor)
    assert store.open_review(workshop.id, actor=clinic.admin).phase == "review"


def test_joining_needs_the_code_or_the_cohort_and_closes_with_drafting(
    clinic: Clinic, workshop: Workshop
) -> None:
    store = clinic.store
    with pytest.raises(NotFound):  # cara is in cohort B: no joining by id without the code
        store.join_workshop(workshop_id=workshop.id, actor=clinic.other_trainee)
    with pytest.raises(PermissionDenied):
        store.join_workshop(workshop.join_code, actor=clinic.supervisor)
    with pytest.raises(PermissionDenied):  # a workshop draft needs a seat first
        store.start_draft(CASE_ID, workshop_id=workshop.id, actor=clinic.trainee)
    assert workshop.join_code is not None
    cara = store.join_workshop(workshop.join_code, actor=clinic.other_trainee)
    assert cara.workshop_id == workshop.id
    assert store.start_draft(CASE_ID, workshop_id=workshop.id, actor=clinic.other_trainee).id == cara.id
    store.open_review(workshop.id, actor=clinic.supervisor)
    with pytest.raises(PermissionDenied):  # a latecomer would skip the blind part
        store.join_workshop(workshop.join_code, actor=clinic.trainee)


def test_workshop_needs_a_cohort_or_a_code(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput):
        clinic.store.create_workshop(CASE_ID, with_code=False, actor=clinic.supervisor)
    cohort_only = clinic.store.create_workshop(
        CASE_ID, cohort_id=clinic.cohort_a, with_code=False, actor=clinic.supervisor
    )
    assert cohort_only.join_code is None
    assert (
        clinic.store.join_workshop(workshop_id=cohort_only.id, actor=clinic.trainee).workshop_id
        == cohort_only.id
    )


def test_progress_board_shows_each_participant(clinic: Clinic, workshop: Workshop) -> None:
    store = clinic.store
    ana, _ben = _joined(clinic, workshop)
    store.save_revision(ana, make_plan("second pass"), based_on=1, actor=clinic.trainee)
    store.submit_draft(ana, actor=clinic.trainee)
    assert workshop.join_code is not None
    store.join_workshop(workshop.join_code, actor=clinic.other_trainee)  # joined, nothing saved
    board = {row.trainee: row for row in store.workshop_progress(workshop.id, actor=clinic.supervisor)}
    assert set(board) == {clinic.trainee, clinic.classmate, clinic.other_trainee}
    assert (board["ana"].latest_revision, board["ana"].status, board["ana"].submitted) == (
        2,
        "submitted",
        True,
    )
    assert (board["ben"].latest_revision, board["ben"].status, board["ben"].submitted) == (
        1,
        "in_progress",
        False,
    )
    assert (board["cara"].latest_revision, board["cara"].last_saved_at) == (0, None)
    assert board["ana"].last_saved_at is not None and board["ana"].last_saved_at > board["ben"].last_saved_at  # type: ignore[operator]
    assert board["ana"].last_saved_at.tzinfo is not None


def test_exemplars_appear_to_participants_at_the_debrief(clinic: Clinic, workshop: Workshop) -> None:
    store = clinic.store
    _ana, ben = _joined(clinic, workshop)
    with pytest.raises(InvalidInput):  # not while drafting is blind
        store.pick_exemplar(ben, "clear measurable objective", actor=clinic.supervisor)
    store.open_review(workshop.id, actor=clinic.supervisor)
    with pytest.raises(PermissionDenied):
        store.pick_exemplar(ben, "mine is best", actor=clinic.trainee)
    picked = store.pick_exemplar(ben, "clear measurable objective", actor=clinic.supervisor)
    assert (picked.owner, picked.revision) == (clinic.classmate, 1)
    assert store.list_exemplars(workshop.id, actor=clinic.trainee) == []
    store.open_debrief(workshop.id, actor=clinic.supervisor)
    assert [e.note for e in store.list_exemplars(workshop.id, actor=clinic.trainee)] == [
        "clear measurable objective"
    ]
    with pytest.raises(NotFound):  # cara never joined and is not in the cohort
        store.list_exemplars(workshop.id, actor=clinic.other_trainee)


def test_my_workshops_lists_joined_and_open_cohort_workshops(clinic: Clinic, workshop: Workshop) -> None:
    store = clinic.store
    mine = store.list_my_workshops(actor=clinic.trainee)
    assert [(w.id, w.joined, w.my_draft_id, w.join_code) for w in mine] == [(workshop.id, False, None, None)]
    draft = store.join_workshop(workshop_id=workshop.id, actor=clinic.trainee)
    (joined,) = store.list_my_workshops(actor=clinic.trainee)
    assert (joined.joined, joined.my_draft_id, joined.participants) == (True, draft.id, 1)
    assert store.list_my_workshops(actor=clinic.other_trainee) == []
    assert [w.id for w in store.list_my_workshops(actor=clinic.supervisor)] == [workshop.id]
    assert store.list_my_workshops(actor=clinic.supervisor)[0].join_code == workshop.join_code
