"""Released feedback sits beside the element it is about; unreleased feedback is never shown."""

from __future__ import annotations

import pytest

from itp_toolkit.model import editing as e
from itp_toolkit.services.drafting import DraftSession
from itp_toolkit.widgets.feedback import FeedbackView
from tests.apps.clinic import *  # noqa: F403 - fixtures


@pytest.fixture
def submitted(store, college):  # noqa: F811
    draft = store.start_draft(CASE_ID, actor="ana")
    s = DraftSession(store, draft.id, "ana", case=college)
    p = e.add_problem(s.plan, "Worry", element_id="prb-worry")
    p = e.add_goal(p, "prb-worry", "Sleep", element_id="gol-sleep")
    p = e.add_problem(p, "Panic", element_id="prb-panic")
    s.edit(p)
    s.submit()
    return s


def comment(store, draft_id, body, element_id=None):  # noqa: F811
    return store.add_annotation(draft_id, body, element_id=element_id, tags=["concern"], actor="dr.okafor")


def test_unreleased_feedback_is_not_shown_to_the_trainee(store, submitted):
    comment(store, submitted.draft_id, "Which behaviour shows the worry?", "prb-worry")
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    assert view.annotations == [] and view.summary.value == "No feedback released yet."


def test_released_comments_sit_beside_their_elements_and_scores_are_listed(store, submitted):
    comment(store, submitted.draft_id, "Which behaviour shows the worry?", "prb-worry")
    comment(store, submitted.draft_id, "Good use of her words", "gol-sleep")
    comment(store, submitted.draft_id, "Overall: add a safety plan")
    store.add_score(
        submitted.draft_id, "itp-core", "crit-smart", 2, comment="targets vague", actor="dr.okafor"
    )
    store.return_draft(submitted.draft_id, actor="dr.okafor")
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    blocks = {cls: child.value for child in view.body.children for cls in child._dom_classes}
    assert "Which behaviour" in blocks["itp-feedback-for-prb-worry"]
    assert "Good use of her words" in blocks["itp-feedback-for-gol-sleep"]
    assert "add a safety plan" in blocks["itp-feedback-plan"]
    assert "2/4" in blocks["itp-feedback-scores"] and "targets vague" in blocks["itp-feedback-scores"]
    assert "itp-feedback-for-prb-panic" not in blocks


def test_a_comment_follows_its_element_into_later_revisions_and_survives_removal(store, submitted):
    comment(store, submitted.draft_id, "Reword this", "gol-sleep")
    comment(store, submitted.draft_id, "Why panic first?", "prb-panic")
    store.return_draft(submitted.draft_id, actor="dr.okafor")
    submitted.refresh_status()
    p = e.update_element(submitted.plan, "gol-sleep", statement="Sleep through the night")
    p = e.remove_element(p, "prb-panic")
    submitted.edit(p)
    submitted.save()
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    blocks = {cls: child.value for child in view.body.children for cls in child._dom_classes}
    assert "Reword this" in blocks["itp-feedback-for-gol-sleep"]
    assert "Sleep through the night" in blocks["itp-feedback-for-gol-sleep"]
    assert "Why panic first?" in blocks["itp-feedback-removed"]


def test_supervisor_text_is_escaped(store, submitted):
    comment(
        store,
        submitted.draft_id,
        "<img src=x onerror=\"window.__pwned=1\"> see <a href='javascript:alert(1)'>x</a>",
    )
    store.release_feedback(submitted.draft_id, actor="dr.okafor")
    view = FeedbackView(store, submitted.draft_id, "ana", submitted.plan)
    html = "".join(child.value for child in view.body.children)
    assert "<img" not in html and "<a " not in html and "&lt;img" in html


def test_another_trainee_cannot_read_the_feedback(store, submitted):
    view = FeedbackView(store, submitted.draft_id, "ben", submitted.plan)
    assert view.annotations == [] and "Feedback unavailable" in view.summary.value
