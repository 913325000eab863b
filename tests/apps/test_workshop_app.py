"""Workshop pages driven from Python on a real store: create, join by code, draft blind, progress that
updates itself, review, exemplars, the debrief with each trainee's own plan beside the group."""

from __future__ import annotations

import re

import pytest

from itp_toolkit.apps import TraineeWorkspace
from itp_toolkit.apps.workshop import DebriefPage, ProgressPage, debrief_page, facilitator_page
from itp_toolkit.widgets.workshop import FacilitatorPanel
from tests.apps.clinic import *  # noqa: F403 - fixtures (and the fixtures they use), requested by name
from tests.apps.clinic import CASE_ID

DELAY = 1.5


@pytest.fixture
def facilitator(store, cases, scheduler, clock) -> FacilitatorPanel:  # noqa: F811
    panel = FacilitatorPanel(store, "dr.okafor", cases, auto_refresh=3.0, scheduler=scheduler)
    panel.case_picker.value = CASE_ID
    panel.title_input.value = "Tuesday <b>workshop</b>"
    panel.minutes.value = 20
    panel.create_button.click()
    assert panel.workshop is not None, panel.message.value
    return panel


def trainee(store, cases, scheduler, clock, user):  # noqa: F811
    return TraineeWorkspace(
        store, user, cases, autosave_delay=DELAY, scheduler=scheduler, clock=clock, workshop_refresh=3.0
    )


def join_and_draft(page, code, scheduler, problem):
    page.workshop.code.value = code
    page.workshop.join_button.click()
    assert page.session is not None, page.workshop.message.value
    assert page.session.draft_id == page.workshop.draft.id and page.workshop.draft.workshop_id is not None
    page.editor.add_problem(problem)
    scheduler.advance(DELAY)
    assert page.session.revision >= 1


def test_a_whole_workshop_from_create_to_debrief(store, cases, scheduler, clock, facilitator):  # noqa: F811
    code = facilitator.workshop.join_code
    assert code and code in facilitator.header.value
    assert "<b>" not in facilitator.header.value and "&lt;b&gt;" in facilitator.header.value
    assert re.search(r">(19:[0-5]\d|20:00)<", facilitator.header.value)  # the countdown, on the board
    assert "Nobody has joined" in facilitator.board.table.value

    ana = trainee(store, cases, scheduler, clock, "ana")
    cara = trainee(store, cases, scheduler, clock, "cara")  # in no cohort: joins with the code alone
    join_and_draft(ana, code, scheduler, "Panic attacks in lectures")
    join_and_draft(cara, code.lower()[:3] + "-" + code.lower()[3:], scheduler, "Cannot sleep before exams")

    # The board updates itself on the kernel's timer: no click.
    scheduler.advance(3.0)
    board = facilitator.board
    assert [r.trainee for r in board.rows] == ["ana", "cara"] and {r.state for r in board.rows} == {
        "drafting"
    }
    assert "2 joined · 2 drafting · 0 handed in" in board.summary.value

    # Blind drafting: neither trainee sees the other's plan.
    for page in (ana, cara):
        assert page.workshop.peers.peers == []
        assert "stay hidden" in page.workshop.peers.content.value
    assert "Cannot sleep" not in ana.workshop.peers.content.value

    facilitator.advance_button.click()  # open review: asks first
    assert facilitator.workshop.phase == "drafting" and "freezes" in facilitator.confirm_text.value
    facilitator.confirm_button.click()
    assert facilitator.workshop.phase == "review" and facilitator.advance_button.description == "Open debrief"
    scheduler.advance(3.0)  # the trainees' strips notice the phase change by themselves
    assert ana.workshop.workshop.phase == "review"
    assert "Cannot sleep before exams" in ana.workshop.peers.content.value
    assert "Trainee B" in ana.workshop.peers.content.value and "cara" not in ana.workshop.peers.content.value

    cara_draft = cara.workshop.draft.id
    facilitator.exemplar_picker.value = cara_draft
    facilitator.exemplar_note.value = "Sleep first: <i>why</i> might that be right?"
    facilitator.exemplar_button.click()
    assert "Exemplar picked" in facilitator.message.value

    facilitator.advance_button.click()  # open debrief
    facilitator.confirm_button.click()
    assert facilitator.workshop.phase == "debrief" and facilitator.debrief is not None
    scheduler.advance(3.0)
    view = ana.workshop.debrief
    assert view is not None and view.debrief.group_size == 2
    html = view.content.value
    assert "Your plan beside the group" in html and "Where the group split" in html
    assert "Exemplars the facilitator picked" in html and "&lt;i&gt;why&lt;/i&gt;" in html
    assert "Your plan beside the group" not in facilitator.debrief.content.value


def test_a_wrong_code_is_refused_with_a_message(store, cases, scheduler, clock, facilitator):  # noqa: F811
    ana = trainee(store, cases, scheduler, clock, "ana")
    ana.workshop.join("ZZZZZZ")
    assert "no workshop has that code" in ana.workshop.message.value and ana.session is None
    ana.workshop.join("   ")
    assert "Type the code" in ana.workshop.message.value


def test_a_cohort_member_can_join_from_the_list_without_the_code(store, cases, scheduler, clock, facilitator):  # noqa: F811
    facilitator.cohort_picker.value = next(v for _, v in facilitator.cohort_picker.options if v is not None)
    facilitator.with_code.value = False
    facilitator.create()
    ben = trainee(store, cases, scheduler, clock, "ben")
    assert facilitator.workshop.id in [v for _, v in ben.workshop.open_workshops.options]
    ben.workshop.join_open_button.click()
    assert ben.session is not None, (ben.workshop.message.value, ben.message.value)
    assert ben.workshop.workshop.id == facilitator.workshop.id


def test_a_trainee_cannot_run_a_workshop(store, cases):  # noqa: F811
    page = facilitator_page(store=store, case_library=cases, user="ana", auto_refresh=None)
    assert "itp-app-error" in page._dom_classes and "trainee" in page.children[1].value


def test_progress_and_debrief_pages_list_the_facilitators_workshops(
    store, cases, scheduler, clock, facilitator
):  # noqa: F811
    progress = ProgressPage(store, "dr.okafor", auto_refresh=3.0, scheduler=scheduler)
    progress.picker.value = facilitator.workshop.id
    assert progress.board is not None and "Nobody has joined" in progress.board.table.value
    ana = trainee(store, cases, scheduler, clock, "ana")
    join_and_draft(ana, facilitator.workshop.join_code, scheduler, "Panic")
    scheduler.advance(3.0)
    assert "1 joined" in progress.board.summary.value
    assert isinstance(debrief_page(store=store, case_library=cases, user="dr.okafor"), DebriefPage)
    page = DebriefPage(store, "ana", cases)
    assert page.picker.options == () or list(page.picker.options) == []
    assert "No workshop" in page.message.value


def test_a_save_after_review_opens_is_refused_and_said(store, cases, scheduler, clock, facilitator):  # noqa: F811
    ana = trainee(store, cases, scheduler, clock, "ana")
    join_and_draft(ana, facilitator.workshop.join_code, scheduler, "Panic")
    facilitator.advance()
    ana.editor.add_problem("Copied from a peer")
    scheduler.advance(DELAY)
    assert ana.session.revision == 1
    assert ana.session.state == "error" and "frozen" in ana.session.status.message


def test_open_review_and_close_workshop_ask_first_and_not_yet_changes_nothing(facilitator):
    assert facilitator.advance_button.description == "Open review"
    facilitator.advance_button.click()
    assert facilitator.confirm_box.layout.display == "flex" and facilitator.advance_button.disabled
    assert facilitator.confirm_button.description == "Yes, open review"
    facilitator.cancel_button.click()
    assert facilitator.workshop.phase == "drafting" and facilitator.confirm_box.layout.display == "none"
    facilitator.advance()
    facilitator.advance()
    assert facilitator.workshop.phase == "debrief"
    facilitator.advance_button.click()
    assert "Close the workshop now?" in facilitator.confirm_text.value
    facilitator.confirm_button.click()
    assert facilitator.workshop.phase == "closed"


def test_the_trainee_editor_turns_read_only_with_a_banner_when_review_opens(
    store, cases, scheduler, clock, facilitator
):  # noqa: F811
    ana = trainee(store, cases, scheduler, clock, "ana")
    join_and_draft(ana, facilitator.workshop.join_code, scheduler, "Panic")
    assert ana.controls.submit_button.description == "Hand in"
    assert not ana.editor.disabled and 'class="itp-workshop-frozen"' not in ana.workshop.status.value
    facilitator.advance()
    scheduler.advance(3.0)  # the page's own timer notices; no reload
    assert ana.editor.disabled
    status = ana.workshop.status.value
    assert 'class="itp-workshop-frozen"' in status and "read-only" in status
    assert ana.controls.submit_button.disabled and ana.controls.save_button.disabled


def test_a_trainee_returns_to_a_joined_workshop_after_a_reload_without_the_code(
    store, cases, scheduler, clock, facilitator
):  # noqa: F811
    ana = trainee(store, cases, scheduler, clock, "ana")
    join_and_draft(ana, facilitator.workshop.join_code, scheduler, "Panic")
    facilitator.advance()
    again = trainee(store, cases, scheduler, clock, "ana")  # a new page: the code is long gone
    assert facilitator.workshop.id in [v for _, v in again.workshop.open_workshops.options]
    again.workshop.open_workshops.value = facilitator.workshop.id
    again.workshop.join_open_button.click()
    assert again.session is not None and again.session.draft_id == ana.session.draft_id
    assert again.editor.disabled and "read-only" in again.workshop.status.value


def test_the_exemplar_picker_names_people_by_display_name(store, cases, scheduler, clock, facilitator):  # noqa: F811
    ana = trainee(store, cases, scheduler, clock, "ana")
    join_and_draft(ana, facilitator.workshop.join_code, scheduler, "Panic")
    facilitator.advance()
    labels = [label for label, _ in facilitator.exemplar_picker.options]
    name = store.find_person("ana", actor="ana").display_name
    assert labels and name in labels[0] and not labels[0].startswith("ana ")
