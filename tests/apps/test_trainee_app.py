"""The trainee page, driven headless: every action a trainee takes, on a real store."""

from __future__ import annotations

import pytest

from itp_toolkit.apps import TraineeWorkspace, trainee_workspace
from itp_toolkit.apps.trainee import resolve_user
from itp_toolkit.errors import PermissionDenied
from tests.apps.clinic import *  # noqa: F403 - fixtures (and the fixtures they use), requested by name
from tests.apps.clinic import CASE_ID, OTHER_CASE_ID
from tests.conftest import demo_workspace

DELAY = 1.5


@pytest.fixture
def page(store, cases, scheduler, clock) -> TraineeWorkspace:  # noqa: F811
    app = TraineeWorkspace(store, "ana", cases, autosave_delay=DELAY, scheduler=scheduler, clock=clock)
    app.open_case(CASE_ID)
    return app


def test_the_picker_offers_only_the_cases_assigned_to_the_trainee(store, cases):  # noqa: F811
    app = TraineeWorkspace(store, "ana", cases)
    assert app.assigned_case_ids == [CASE_ID]
    assert OTHER_CASE_ID in cases
    app.open_case(OTHER_CASE_ID)  # what a forged widget message would ask for
    assert app.session is None and "not assigned" in app.message.value


def test_a_trainee_with_no_assignments_is_told_so(store, cases):  # noqa: F811
    app = TraineeWorkspace(store, "cara", cases)
    assert app.assigned_case_ids == [] and "No cases are assigned" in app.message.value


def test_an_unknown_user_gets_a_page_that_says_why(store, cases):  # noqa: F811
    app = TraineeWorkspace(store, "mallory", cases)
    assert app.open_button.disabled and "not a known user" in app.message.value


def test_adding_editing_and_linking_are_autosaved_after_a_pause(page, store, scheduler):
    pid = page.editor.add_problem("Worry keeps her from studying")
    page.editor.set_field(pid, "evidenced_by", "worries 6 of 7 days, rated 8/10")
    page.editor.link_fact(pid, "pc-worry")
    assert page.session.state == "unsaved" and page.controls.indicator.state == "unsaved"
    scheduler.advance(DELAY)
    assert page.session.state == "saved"
    saved = store.get_revision(page.session.draft_id, actor="ana")
    problem = saved.problems[0]
    assert problem.statement == "Worry keeps her from studying"
    assert problem.evidenced_by.startswith("worries 6 of 7")
    assert "pc-worry" in problem.linked_facts or "pc-worry" in problem.concern_ids
    assert [r.number for r in page.history.revisions] == [1]


def test_critique_follows_the_edits(page):
    pid = page.editor.add_problem("Worry")
    gid = page.editor.add_goal(pid, "Feel better")
    oid = page.editor.add_objective(gid, "Less anxious")
    page.critique.refresh()
    before = {(f.rule, f.element_id) for f in page.critique.findings}
    assert any(eid == oid for _, eid in before), "a vague objective should draw a finding"
    page.editor.set_field(oid, "measure", "GAD-7")
    page.editor.set_field(oid, "baseline", 15)
    page.editor.set_field(oid, "target", 9)
    page.editor.set_field(oid, "target_week", 8)
    page.critique.refresh()
    after = {(f.rule, f.element_id) for f in page.critique.findings}
    assert before - after, "adding a measure, baseline, target and date fixed nothing"


def test_reopening_the_page_loads_the_latest_revision(page, store, cases, scheduler):  # noqa: F811
    pid = page.editor.add_problem("Panic in lectures")
    page.editor.add_goal(pid, "Sit a whole exam")
    page.controls.save_now()
    again = TraineeWorkspace(store, "ana", cases)
    again.open_case(CASE_ID)
    assert again.editor.plan == page.session.plan
    assert again.session.revision == 1


def test_a_failed_autosave_keeps_the_text_in_the_editor(page, outage, scheduler):
    pid = page.editor.add_problem("Drinks to fall asleep")
    outage.begin()
    scheduler.advance(DELAY)
    assert page.controls.indicator.state == "error"
    assert page.editor.plan.problems[0].statement == "Drinks to fall asleep"
    outage.end()
    scheduler.advance(60)
    assert page.session.state == "saved"
    assert page.editor.plan.element(pid).statement == "Drinks to fall asleep"


def test_submit_locks_the_editor_and_revise_after_return_reopens_it(page, store, scheduler):
    page.editor.add_problem("Worry")
    page.controls.submit_button.click()
    assert page.editor.disabled and page.session.locked
    with pytest.raises(PermissionDenied):
        page.editor.add_problem("Sneaked in after submitting")
    assert [p.statement for p in page.editor.plan.problems] == ["Worry"], "a locked plan changed"
    store.return_draft(page.session.draft_id, actor="dr.okafor")
    page.controls.revise_button.click()
    assert not page.session.locked and not page.editor.disabled


def test_next_week_reveals_events_to_revise_for(page):
    for _ in range(6):
        page.next_week_button.click()
    assert page.case_viewer.week == 6
    assert "ev-midterm" in [v for _, v in page.controls.revise_event.options]
    page.controls.revise("ev-midterm")
    assert page.editor.plan.written_at_week == 6 and page.editor.plan.revised_for_events == ["ev-midterm"]


def test_the_hub_user_is_who_the_page_acts_for(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    assert resolve_user(None, "someone-else") == "ana"
    with pytest.raises(PermissionDenied):
        resolve_user("ben", None)
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert resolve_user(None, "ben") == "ben"


def test_trainee_workspace_builds_the_page_from_a_store(store, cases, monkeypatch):  # noqa: F811
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    app = trainee_workspace(store=store, case_library=cases, user="ana")
    assert isinstance(app, TraineeWorkspace) and app.user == "ana"


def test_the_page_keeps_the_case_plot_in_its_workspace_for_the_next_page(tmp_path, monkeypatch):
    """Every trainee with that case and week sees the same scores plot: the first page draws it into the
    workspace's cache folder, the next one (a new kernel) reads it there."""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    ws = demo_workspace(tmp_path / "demo")
    first = trainee_workspace(ws, user="dee")  # dee's returned plan is reopened on load
    assert first.case_viewer is not None and first.case_viewer.plot_png.startswith(b"\x89PNG")
    (kept,) = (ws.cache_dir / "plots").glob("*.bin")
    assert ws.plot_cache().get(kept.stem) == first.case_viewer.plot_png
    ws.close()


def _returned_with_comments(store, college):  # noqa: F811
    draft = store.start_draft(CASE_ID, actor="ana")  # noqa: F405
    plan = college.reference_plan.model_copy(deep=True)
    plan.case_id = CASE_ID  # noqa: F405
    store.save_revision(draft.id, plan, based_on=0, actor="ana")
    goal = plan.problems[0].goals[0]
    note = store.add_annotation(draft.id, "Is this her goal or yours?", element_id=goal.id, actor="dr.okafor")
    store.submit_draft(draft.id, actor="ana")
    store.return_draft(draft.id, summary="Nearly there.", actor="dr.okafor")
    return draft, goal, note


def _editors_in(app: TraineeWorkspace) -> list:
    from itp_toolkit.widgets import PlanEditor
    from itp_toolkit.widgets._common import walk

    return [x for x in walk(app) if isinstance(x, PlanEditor)]


def test_after_a_reload_the_last_case_reopens_as_its_outline_with_its_feedback(store, cases, college):  # noqa: F811
    _, goal, _ = _returned_with_comments(store, college)
    app = TraineeWorkspace(store, "ana", cases)  # a fresh page: nothing picked
    assert app.session is not None and app.case_picker.value == CASE_ID  # noqa: F405
    assert "Returned for revision" in app.feedback.state.value and "Nearly there." in app.feedback.state.value
    # The plan as a document, not the editor: no editor widget is built until the trainee edits.
    assert app.editor is None and _editors_in(app) == []
    document = app.outline.document.value
    assert goal.statement.split()[0] in document and "Goal 1.1:" in document
    # The comment on the goal is there, under the goal's numbered title, and so is the way to edit.
    assert "Is this her goal or yours?" in document and "Comments on parts of the plan" in document
    assert app.outline.editable and app.outline.edit_button.description == "Edit plan"
    assert app.outline.edit_button.tooltip  # its accessible name says what it does
    assert "as you saved it last" in app.message.value
    assert app.controls.submit_button.disabled is False  # returned: it can be handed in again


def test_edit_plan_builds_the_editor_with_the_saved_plan_and_the_comments_beside_it(store, cases, college):  # noqa: F811
    draft, goal, _ = _returned_with_comments(store, college)
    app = TraineeWorkspace(store, "ana", cases)
    app.outline.edit_button.click()
    assert app.outline is None and _editors_in(app) == [app.editor]
    assert app.editor.plan == store.get_revision(draft.id, actor="ana")
    card = app.editor.cards[goal.id]
    assert "Is this her goal or yours?" in card.thread.value and "itp-marker" in card.header.value
    assert app.editor.disabled is False  # returned: the trainee can revise
    assert "Editing your plan" in app.message.value
    # Editing from here is saved like any edit.
    app.editor.set_field(goal.id, "statement", "I want to sit my exams without leaving the room")
    app.controls.save_now()
    assert store.get_revision(draft.id, actor="ana").element(goal.id).statement.startswith("I want to sit")


def test_edit_plan_puts_the_keyboard_focus_on_the_editors_first_field_once_the_browser_shows_it(
    store,
    cases,  # noqa: F811
    college,  # noqa: F811
    monkeypatch,
):
    _returned_with_comments(store, college)
    app = TraineeWorkspace(store, "ana", cases)
    app.outline.edit()
    field = app.editor.plan_fields["title"]
    asked: list[dict] = []
    monkeypatch.setattr(field, "send", lambda content, buffers=None: asked.append(content))
    assert asked == []  # not before the browser has made the field (a focus request would be lost)
    field._view_count = 1  # what the browser sends when it shows the field
    field._view_count = 2
    assert asked == [{"do": "focus"}]  # asked once


def test_a_plan_submitted_from_the_outline_is_the_saved_plan_and_cannot_be_edited(store, cases, college):  # noqa: F811
    draft, _, _ = _returned_with_comments(store, college)
    app = TraineeWorkspace(store, "ana", cases)
    app.controls.submit_button.click()
    assert app.session.locked and store.get_draft(draft.id, actor="ana").status == "submitted"
    assert "Submitted for supervision" in app.feedback.state.value
    assert not app.outline.editable  # read-only until it is returned: no "Edit plan"
    app.outline.edit()
    assert app.editor is None


def test_revising_from_the_outline_opens_the_editor_with_the_new_revision(store, cases, college):  # noqa: F811
    _returned_with_comments(store, college)
    app = TraineeWorkspace(store, "ana", cases)
    start = app.case_viewer.week
    while "ev-midterm" not in [v for _, v in app.controls.revise_event.options]:
        app.next_week_button.click()  # the critique follows the week without an editor
    week = app.case_viewer.week
    assert week > start and app.critique.week == week and app.editor is None
    app.controls.revise("ev-midterm")
    assert app.editor is not None and app.outline is None
    assert app.editor.week == week and app.editor.plan.revised_for_events == ["ev-midterm"]


def test_choosing_the_reopened_case_again_opens_it_in_the_editor(store, cases, college):  # noqa: F811
    _returned_with_comments(store, college)
    app = TraineeWorkspace(store, "ana", cases)
    assert app.editor is None
    app.open_button.click()  # the case picker already shows it
    assert app.editor is not None and _editors_in(app) == [app.editor]


def test_a_finding_chosen_on_the_outline_opens_the_editor_at_its_element(store, cases, college):  # noqa: F811
    from itp_toolkit.views.critique import element_anchor

    _, goal, _ = _returned_with_comments(store, college)
    app = TraineeWorkspace(store, "ana", cases)
    # A finding's link scrolls to its part in the browser: the outline's parts carry the editor's anchors.
    assert f'id="{element_anchor(goal.id)}"' in app.outline.document.value
    app.critique.focus(goal.id)  # the Python twin of choosing a finding on the goal
    assert app.editor is not None and app.editor.focused_id == goal.id


def test_the_trainee_answers_a_comment_beside_its_element(store, cases, college):  # noqa: F811
    draft, goal, note = _returned_with_comments(store, college)
    app = TraineeWorkspace(store, "ana", cases)
    app.outline.edit_button.click()  # comments are answered in the editor, beside their element
    card = app.editor.cards[goal.id]
    text, send = card.reply_box.children
    assert text.description == "Your reply" and send.description == "Send reply"
    text.value = "Hers: she said it in session 2."
    send.click()
    assert text.value == ""
    answers = [a for a in store.list_annotations(draft.id, actor="dr.okafor") if a.parent_id == note.id]
    assert [a.body for a in answers] == ["Hers: she said it in session 2."]
    assert "Hers: she said it in session 2." in card.thread.value and "Ana" in card.thread.value


def test_one_save_status_and_the_draft_state_in_words(page, store, scheduler):
    controls = page.controls
    assert "Nothing saved yet" in controls.indicator.value
    assert not hasattr(controls, "status_label")  # no second, disagreeing status line
    assert "Not started" in page.feedback.state.value  # a new draft
    page.editor.add_problem("Panic attacks keep her out of lectures")
    scheduler.advance(DELAY + 0.1)
    assert "Saved as revision 1" in controls.indicator.value
    # The banner follows the save: never "Not started" beside "Saved as revision 1".
    assert "Draft in progress" in page.feedback.state.value
    assert "Not started" not in page.feedback.state.value
    page.controls.submit()
    assert "Submitted for supervision" in page.feedback.state.value
    assert "Submitted revision 1" in page.feedback.state.value


def test_the_banner_follows_saves_without_reading_feedback_on_each_one(page, store, scheduler, monkeypatch):
    """Typing and autosaving read nothing for the banner: its first change (Not started -> Draft in
    progress) comes from the session's own save; feedback is read again only when the supervision state
    changes (submit, return, sign off)."""
    reads: list[str] = []
    for name in ("get_draft", "list_submissions", "list_annotations", "list_scores", "find_person"):
        method = getattr(store, name)
        monkeypatch.setattr(
            store, name, lambda *a, _m=method, _n=name, **k: (reads.append(_n), _m(*a, **k))[1]
        )
    pid = page.editor.add_problem("Panic attacks keep her out of lectures")
    scheduler.advance(DELAY + 0.1)
    assert page.session.revision == 1 and "Draft in progress" in page.feedback.state.value
    for n in range(3):
        page.editor.set_field(pid, "evidenced_by", f"three attacks in a month ({n})")
        scheduler.advance(DELAY + 0.1)
    assert page.session.revision == 4 and "Draft in progress" in page.feedback.state.value
    assert reads == []
    page.controls.submit()
    assert "Submitted for supervision" in page.feedback.state.value
    assert {"list_submissions", "list_annotations", "list_scores"} <= set(reads)
