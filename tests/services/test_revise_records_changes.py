"""Revising for a timeline event records which parts of the plan changed for it, across saves and reloads."""

from __future__ import annotations

import pytest

from itp_toolkit.checks import critique
from itp_toolkit.model import EventRevision
from itp_toolkit.model import editing as e
from itp_toolkit.services.drafting import DraftSession
from itp_toolkit.store import PlanStore
from tests.apps.clinic import *  # noqa: F403 - fixtures


@pytest.fixture
def session(store: PlanStore, college, clock) -> DraftSession:  # noqa: F811
    draft = store.start_draft(CASE_ID, actor="ana")  # noqa: F405
    session = DraftSession(store, draft.id, "ana", case=college, clock=clock)
    session.edit(college.reference_plan.model_copy(deep=True))
    session.save()
    return session


def test_pressing_revise_starts_an_empty_record_for_the_event(session):
    session.revise("ev-midterm")
    assert session.plan.revised_for_events == ["ev-midterm"]
    assert session.plan.event_revisions == [EventRevision(event_id="ev-midterm")]


def test_pressing_revise_alone_does_not_clear_the_revision_finding(session, college):
    session.revise("ev-midterm")
    rules = {f.rule for f in critique(session.plan, college, week=6)}
    assert "revision.event_not_addressed" in rules


def test_edits_after_revise_are_recorded_for_the_event(session, college):
    session.revise("ev-midterm")
    session.edit(e.update_element(session.plan, "obj-gad7", baseline=18, target=10))
    session.edit(e.update_plan(session.plan, safety_plan="Item 9 asked at every session after the midterm."))
    [record] = session.plan.event_revisions
    assert record.changed_elements == ["obj-gad7"] and record.changed_sections == ["safety_plan"]
    assert "revision.event_not_addressed" not in {f.rule for f in critique(session.plan, college, week=6)}


def test_an_edit_undone_is_no_longer_a_change(session):
    session.revise("ev-midterm")
    before = session.plan.element("obj-gad7").target
    session.edit(e.update_element(session.plan, "obj-gad7", target=10))
    session.edit(e.update_element(session.plan, "obj-gad7", target=before))
    assert session.plan.event_revisions[0].changed_elements == []


def test_ticking_an_event_in_the_editor_starts_a_record_too(session):
    session.edit(e.update_plan(session.plan, revised_for_events=["ev-midterm"]))
    assert [r.event_id for r in session.plan.event_revisions] == ["ev-midterm"]


def test_the_record_survives_a_save_and_a_new_session_on_the_same_draft(session, store, college, clock):
    session.revise("ev-midterm")
    session.save()
    reopened = DraftSession(store, session.draft_id, "ana", case=college, clock=clock)
    reopened.edit(e.update_element(reopened.plan, "obj-lecture", target_week=10))
    assert reopened.plan.event_revisions[0].changed_elements == ["obj-lecture"]
    reopened.save()
    stored = store.get_revision(session.draft_id, actor="ana")
    assert stored.event_revisions[0].changed_elements == ["obj-lecture"]
