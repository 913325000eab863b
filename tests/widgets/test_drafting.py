"""Autosave and revisions: typed work is saved after a pause, kept when the store fails, never overwrites."""

from __future__ import annotations

import pytest

from itp_toolkit.errors import NotFound, PermissionDenied
from itp_toolkit.model import editing as e
from itp_toolkit.services.drafting import DraftSession
from itp_toolkit.store import PlanStore
from itp_toolkit.widgets.drafting import AutosaveIndicator, DraftControls
from tests.apps.clinic import *  # noqa: F403 - fixtures (and the fixtures they use), requested by name
from tests.apps.clinic import CASE_ID

DELAY = 1.5


@pytest.fixture
def session(store: PlanStore, college, clock) -> DraftSession:  # noqa: F811
    draft = store.start_draft(CASE_ID, actor="ana")
    return DraftSession(store, draft.id, "ana", case=college, clock=clock)


@pytest.fixture
def controls(session: DraftSession, scheduler) -> DraftControls:  # noqa: F811
    return DraftControls(session, autosave_delay=DELAY, scheduler=scheduler)


def with_problem(plan, text="Worry keeps her from studying", element_id="prb-worry"):
    return e.add_problem(plan, text, element_id=element_id)


def test_an_edit_is_unsaved_until_saved_and_each_save_is_a_new_revision(session, store):
    session.edit(with_problem(session.plan))
    assert session.state == "unsaved"
    info = session.save()
    assert info is not None and info.number == 1 and session.state == "saved"
    session.edit(e.update_element(session.plan, "prb-worry", statement="Worry most evenings"))
    session.save()
    assert [r.number for r in session.history()] == [1, 2]
    assert (
        store.get_revision(session.draft_id, 1, actor="ana").problems[0].statement
        == "Worry keeps her from studying"
    )
    assert store.get_revision(session.draft_id, actor="ana").problems[0].statement == "Worry most evenings"


def test_autosave_waits_for_a_pause_in_typing(controls, session, scheduler):
    for n in range(3):
        session.edit(with_problem(session.plan, f"Worry {n}", element_id=f"prb-w{n}"))
        controls.plan_edited()
        scheduler.advance(DELAY / 2)
        assert session.state == "unsaved", "saved while the trainee was still typing"
    scheduler.advance(DELAY)
    assert session.state == "saved" and session.revision == 1
    assert controls.indicator.state == "saved"
    assert "revision 1" in controls.indicator.value


def test_a_failed_save_keeps_the_typed_plan_and_a_later_save_retries(session, outage, store):
    typed = with_problem(session.plan, "Panic <b>at night</b>")
    session.edit(typed)
    outage.begin()
    assert session.save() is None
    assert session.state == "error"
    assert "database" in session.status.message and "kept" in session.status.message
    assert session.plan == typed, "the typed plan was lost"
    outage.end()
    info = session.save()
    assert info is not None and info.number == 1
    assert store.get_revision(session.draft_id, actor="ana") == typed


def test_autosave_keeps_retrying_until_the_database_is_back(controls, session, scheduler, outage):
    session.edit(with_problem(session.plan))
    controls.plan_edited()
    outage.begin()
    scheduler.advance(DELAY)
    assert session.state == "error" and controls.indicator.state == "error"
    assert "itp-save-error" in controls.indicator._dom_classes
    assert scheduler.pending, "no retry was scheduled after the failure"
    scheduler.advance(10)  # still down: more failed attempts, text still kept
    assert session.state == "error" and session.plan.problems[0].statement.startswith("Worry")
    outage.end()
    scheduler.advance(60)
    assert session.state == "saved" and session.revision == 1


def test_a_save_from_another_tab_is_refused_and_neither_plan_is_lost(session, store, college, clock):
    other_tab = DraftSession(store, session.draft_id, "ana", case=college, clock=clock)
    other_tab.edit(with_problem(other_tab.plan, "Written in the other tab", element_id="prb-other"))
    other_tab.save()
    mine = with_problem(session.plan, "Written here", element_id="prb-mine")
    session.edit(mine)
    assert session.save() is None
    status = session.status
    assert status.state == "error" and status.conflict_with == 1
    assert "saved elsewhere" in status.message
    assert session.plan == mine
    assert session.autosave_due(0) is False, "a conflict must wait for the trainee's choice"
    assert [r.number for r in session.history()] == [1]


def test_loading_the_latest_after_a_conflict_sets_the_local_plan_aside(session, store, college, clock):
    other = DraftSession(store, session.draft_id, "ana", case=college, clock=clock)
    other.edit(with_problem(other.plan, "Other tab", element_id="prb-other"))
    other.save()
    mine = with_problem(session.plan, "Mine", element_id="prb-mine")
    session.edit(mine)
    session.save()
    session.reload_latest()
    assert [p.id for p in session.plan.problems] == ["prb-other"]
    assert session.set_aside == mine
    assert session.state == "saved" and session.revision == 1


def test_saving_mine_as_new_after_a_conflict_keeps_both_revisions(session, store, college, clock):
    other = DraftSession(store, session.draft_id, "ana", case=college, clock=clock)
    other.edit(with_problem(other.plan, "Other tab", element_id="prb-other"))
    other.save()
    session.edit(with_problem(session.plan, "Mine", element_id="prb-mine"))
    session.save()
    info = session.save_as_new_from_latest()
    assert info is not None and info.number == 2 and info.based_on == 1
    assert [p.id for p in store.get_revision(session.draft_id, 1, actor="ana").problems] == ["prb-other"]
    assert [p.id for p in store.get_revision(session.draft_id, 2, actor="ana").problems] == ["prb-mine"]


def test_conflict_buttons_appear_only_during_a_conflict(controls, session, store, college, clock):
    assert controls.conflict_box.layout.display == "none"
    other = DraftSession(store, session.draft_id, "ana", case=college, clock=clock)
    other.edit(with_problem(other.plan, "Other", element_id="prb-other"))
    other.save()
    session.edit(with_problem(session.plan, "Mine", element_id="prb-mine"))
    controls.save_now()
    assert controls.conflict_box.layout.display == "flex"
    controls.save_mine_button.click()
    assert controls.conflict_box.layout.display == "none" and session.revision == 2


def test_the_sessions_draft_state_follows_its_saves_as_the_store_says(session, store):
    assert session.draft_status == "empty" == store.get_draft(session.draft_id, actor="ana").status
    session.edit(with_problem(session.plan))
    session.save()
    assert session.draft_status == "in_progress" == store.get_draft(session.draft_id, actor="ana").status
    session.submit()
    store.return_draft(session.draft_id, summary="Her words, please", actor="dr.okafor")
    session.refresh_status()
    session.edit(with_problem(session.plan, "More", element_id="prb-more"))
    session.save()  # a returned draft saved again stays returned until it is handed in again
    assert session.draft_status == "returned" == store.get_draft(session.draft_id, actor="ana").status


def test_reopening_the_draft_loads_the_latest_revision(session, store, college):
    session.edit(with_problem(session.plan))
    session.save()
    session.edit(e.add_goal(session.plan, "prb-worry", "Sit an exam without leaving", element_id="gol-exam"))
    session.save()
    reopened = DraftSession(store, session.draft_id, "ana", case=college)
    assert reopened.revision == 2 and reopened.plan == session.plan and reopened.state == "saved"


def test_submit_saves_pending_work_then_makes_the_plan_read_only(controls, session, store):
    session.edit(with_problem(session.plan))
    controls.submit_button.click()
    assert store.get_draft(session.draft_id, actor="ana").status == "submitted"
    assert store.list_submissions(session.draft_id, actor="ana")[0].revision == 1
    assert session.locked and controls.submit_button.disabled
    with pytest.raises(PermissionDenied):
        session.edit(with_problem(session.plan, "More", element_id="prb-more"))


def test_revise_after_an_event_moves_the_plan_to_that_week_and_records_the_event(controls, session, store):
    session.edit(with_problem(session.plan))
    session.save()
    controls.set_week(6)
    assert "ev-midterm" in [value for _, value in controls.revise_event.options]
    controls.revise("ev-midterm")
    assert session.plan.written_at_week == 6
    assert session.plan.revised_for_events == ["ev-midterm"]
    assert session.state == "unsaved"
    assert "ev-midterm" not in [value for _, value in controls.revise_event.options]


def test_revise_after_feedback_reopens_a_returned_draft(session, store):
    session.edit(with_problem(session.plan))
    session.submit()
    store.return_draft(session.draft_id, actor="dr.okafor")
    session.revise(week=2)
    assert not session.locked and session.plan.written_at_week == 2
    assert session.save() is not None and session.revision == 2


def test_revise_refuses_an_event_the_case_does_not_have(session):
    with pytest.raises(NotFound):
        session.revise("ev-invented")


def test_indicator_shows_the_message_as_text_not_html():
    indicator = AutosaveIndicator()
    indicator.state = "error"
    indicator.message = "<img src=x onerror=alert(1)>"
    assert "<img" not in indicator.value and "&lt;img" in indicator.value
