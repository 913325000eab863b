"""Released feedback sits beside the element it is about; unreleased feedback is never shown."""

from __future__ import annotations

import pytest

from itp_toolkit.model import editing as e
from itp_toolkit.services.drafting import DraftSession
from itp_toolkit.widgets.feedback import FeedbackView
from tests.apps.clinic import *  # noqa: F403 - fixtures


@pytest.fixture
def submitted(store, college):  # noqa: F811
    draft = store.start_draft(CASE_ID, actor="ana")  # noqa: F405
    s = DraftSession(store, draft.id, "ana", case=college)
    p = e.add_problem(s.plan, "Worry", element_id="prb-worry")
    p = e.add_goal(p, "prb-worry", "Sleep", element_id="gol-sleep")
    p = e.add_problem(p, "Panic", element_id="prb-panic")
    s.edit(p)
    s.submit()
    return s


def comment(store, draft_id, body, element_id=None):  # noqa: F811
    return store.add_annotation(draft_id, body, element_id=element_id, tags=["concern"], actor="dr.okafor")


def view_html(view: FeedbackView) -> str:
    return view.state.value + view.details.value


def test_unreleased_feedback_is_not_shown_to_the_trainee(store, submitted):
    comment(store, submitted.draft_id, "Which behaviour shows the worry?", "prb-worry")
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    assert view.annotations == [] and view.summary == ""
    assert "Which behaviour" not in view_html(view)
    assert "Submitted for supervision" in view.state.value  # the state, in words


def test_the_banner_gives_the_state_in_words_the_summary_and_the_submission_history(
    store, submitted, college
):
    comment(store, submitted.draft_id, "Which behaviour shows the worry?", "prb-worry")
    comment(store, submitted.draft_id, "Good use of her words", "gol-sleep")
    store.add_score(
        submitted.draft_id,
        "rubric-itp-default",
        "crit-problem",
        2,
        comment="targets vague",
        actor="dr.okafor",
    )
    store.return_draft(
        submitted.draft_id, summary="Tighten the objectives, then resubmit.", actor="dr.okafor"
    )
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    banner = view.state.value
    assert "Returned for revision" in banner and "Tighten the objectives" in banner
    assert "Dr. Okafor" in banner and "dr.okafor" not in banner  # people by name, never login
    # two comments on elements and the summary written with the decision
    assert view.summary == "3 new comments, rubric released" and view.summary in banner
    assert "Submitted revision 1" in banner and banner.index("Submitted revision 1") < banner.rindex(
        "Returned"
    )
    assert "in_progress" not in banner and ">returned<" not in banner  # no status codes
    # The rubric as a table: criterion titles, the level and what it means, the comment, the scorer's name.
    table = view.details.value
    assert "<caption>" in table and "Problem statement" in table and "crit-problem" not in table
    assert "2 of 4" in table and "Developing: " in table
    assert "targets vague" in table and "Dr. Okafor" in table
    assert "<details" in table  # the whole table folded, so the plan stays in view
    # ...but the supervisor's comments on criteria are outside the fold, with their criterion and level
    shown = table.split("<details", 1)[0]
    assert "targets vague" in shown and "Problem statement" in shown and "2 of 4, developing" in shown
    assert "rubric-itp-default" not in view_html(view)


def test_signed_off_and_resubmitted_drafts_show_the_whole_history(store, submitted):
    store.return_draft(submitted.draft_id, actor="dr.okafor")
    submitted.refresh_status()
    submitted.edit(e.update_element(submitted.plan, "gol-sleep", statement="Sleep through the night"))
    submitted.save()
    submitted.submit()
    store.sign_off(submitted.draft_id, summary="Ready for the clinic.", actor="dr.okafor")
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    steps = [
        s.text
        for s in __import__("itp_toolkit.views.feedback", fromlist=["x"]).submission_steps(view.submissions)
    ]
    assert steps == ["Submitted revision 1", "Returned for revision", "Submitted revision 2", "Signed off"]
    assert "Signed off" in view.state.value and "Ready for the clinic." in view.state.value


def test_released_comments_sit_beside_their_elements_in_the_editor(store, submitted, college):
    from itp_toolkit.widgets import PlanEditor

    comment(store, submitted.draft_id, "Which behaviour shows the worry?", "prb-worry")
    comment(store, submitted.draft_id, "Good use of her words", "gol-sleep")
    comment(store, submitted.draft_id, "Overall: add a safety plan")
    store.release_feedback(submitted.draft_id, actor="dr.okafor")
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    editor = PlanEditor(submitted.plan, college)
    editor.show_comments(view.annotations, view.names)
    worry = editor.cards["prb-worry"]
    assert worry.thread is not None and "Which behaviour" in worry.thread.value
    assert worry.children[1] is worry.thread  # right under the element's header
    assert 'class="itp-marker"' in worry.header.value and ">1<" in worry.header.value
    assert "Dr. Okafor" in worry.thread.value and "dr.okafor" not in worry.thread.value
    assert "Good use of her words" in editor.cards["gol-sleep"].thread.value
    assert (
        editor.cards["prb-panic"].thread is None
        and "itp-marker" not in editor.cards["prb-panic"].header.value
    )
    assert "add a safety plan" in view.details.value  # about the whole plan: with the feedback above the plan


def test_a_comment_follows_its_element_into_later_revisions_and_survives_removal(store, submitted, college):
    from itp_toolkit.widgets import PlanEditor

    comment(store, submitted.draft_id, "Reword this", "gol-sleep")
    comment(store, submitted.draft_id, "Why panic first?", "prb-panic")
    store.return_draft(submitted.draft_id, actor="dr.okafor")
    submitted.refresh_status()
    p = e.update_element(submitted.plan, "gol-sleep", statement="Sleep through the night")
    p = e.remove_element(p, "prb-panic")
    submitted.edit(p)
    submitted.save()
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    editor = PlanEditor(submitted.plan, college)
    editor.show_comments(view.annotations, view.names)
    assert "Reword this" in editor.cards["gol-sleep"].thread.value
    assert (
        "On parts you have since removed" in view.details.value and "Why panic first?" in view.details.value
    )


def test_supervisor_text_is_escaped(store, submitted):
    comment(
        store,
        submitted.draft_id,
        "<img src=x onerror=\"window.__pwned=1\"> see <a href='javascript:alert(1)'>x</a>",
    )
    store.release_feedback(submitted.draft_id, actor="dr.okafor")
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    html = view_html(view)
    assert "<img" not in html and "<a " not in html and "&lt;img" in html


def test_another_trainee_cannot_read_the_feedback(store, submitted):
    view = FeedbackView(store, submitted.draft_id, "ben", submitted.plan)
    assert view.annotations == [] and "Feedback unavailable" in view.state.value
