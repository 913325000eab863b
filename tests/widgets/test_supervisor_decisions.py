"""The supervisor's queue and decisions: waiting plans first, one click opens one, return with a summary
and sign off only after a confirmation, threads resolved, the submission history in words."""

from __future__ import annotations

import pytest

from itp_toolkit.widgets.supervisor import SupervisorReview
from tests.compare.review_clinic import open_review_clinic


@pytest.fixture
def clinic(tmp_path):
    yield from open_review_clinic(tmp_path)


def page_for(clinic) -> SupervisorReview:
    return SupervisorReview(clinic.store, "dr.okafor", {clinic.case.id: clinic.case})


def resubmit(clinic, user: str) -> None:
    """The trainee revises (a new revision of the same plan) and hands it in again."""
    store = clinic.store
    draft = clinic.drafts[user].draft_id
    plan = store.get_revision(draft, actor=user)
    latest = store.get_draft(draft, actor=user).latest_revision
    store.save_revision(draft, plan.model_copy(update={"title": "revised"}), based_on=latest, actor=user)
    store.submit_draft(draft, actor=user)


def test_the_queue_lists_waiting_plans_first_by_display_name(clinic):
    store = clinic.store
    ana, ben = clinic.drafts["ana"].draft_id, clinic.drafts["ben"].draft_id
    store.submit_draft(ben, actor="ben")
    store.return_draft(ben, summary="Add her own words", actor="dr.okafor")
    store.submit_draft(ana, actor="ana")
    page = page_for(clinic)
    assert [(r.trainee, r.status) for r in page.queue] == [("Ana", "submitted"), ("Ben", "returned")]
    assert "1 plan is waiting for you" in page.queue_summary.value
    assert page.tabs.get_title(0) == "Waiting for you (1)" and page.tabs.selected_index == 0
    texts = [getattr(c, "value", "") or getattr(c, "description", "") for c in page.queue_box.children]
    assert texts[:4] == [
        '<div class="itp-queue-head">Trainee</div>',
        '<div class="itp-queue-head">Case</div>',
        '<div class="itp-queue-head">Handed in</div>',
        '<div class="itp-queue-head">State</div>',
    ]
    assert texts[4] == "Ana" and "Waiting for your decision" in texts[7]
    assert "Returned for revision" in texts[11]


def test_refreshing_the_queue_is_one_store_call_however_many_plans(clinic, monkeypatch):
    store = clinic.store
    for user in ("ana", "ben"):
        store.submit_draft(clinic.drafts[user].draft_id, actor=user)
    page = page_for(clinic)
    calls: list[str] = []
    for name in [n for n in dir(type(store)) if not n.startswith("_")]:
        method = getattr(store, name)
        if callable(method):
            monkeypatch.setattr(
                store, name, lambda *a, _m=method, _n=name, **k: (calls.append(_n), _m(*a, **k))[1]
            )
    rows = page.refresh_queue()
    assert calls == ["handed_in"]
    assert [(r.trainee, r.revision) for r in rows] == [("Ana", 1), ("Ben", 1)]


def test_one_click_in_the_queue_opens_the_plan_for_review(clinic):
    store = clinic.store
    ana = clinic.drafts["ana"].draft_id
    store.submit_draft(ana, actor="ana")
    page = page_for(clinic)
    button = page.queue_box.children[4]
    button.click()
    assert page.current is not None and page.current.draft_id == ana and page.tabs.selected_index == 1
    assert "Panic attacks in lectures" in page.plan_html.value
    assert "Ana" in page.review_title.value and "Waiting for your decision" in page.review_title.value
    assert "Submitted revision 1" in page.history_html.value
    assert not page.return_button.disabled and not page.sign_off_button.disabled


def test_return_asks_first_and_needs_a_summary(clinic):
    store = clinic.store
    ana = clinic.drafts["ana"].draft_id
    store.submit_draft(ana, actor="ana")
    page = page_for(clinic)
    page.open_draft(ana)
    page.return_button.click()
    assert "summary" in page.message.value and page.confirm_box.layout.display == "none"
    page.summary.value = "Write goal 1.1 in her words, then resubmit"
    page.return_button.click()
    assert page.confirm_box.layout.display == "flex" and "Return Ana's plan" in page.confirm_text.value
    assert store.list_submissions(ana, actor="dr.okafor")[-1].status == "submitted"  # nothing yet
    page.cancel_button.click()
    assert store.list_submissions(ana, actor="dr.okafor")[-1].status == "submitted"
    page.return_button.click()
    page.confirm_button.click()
    assert store.list_submissions(ana, actor="dr.okafor")[-1].status == "returned"
    summary = [a for a in store.list_annotations(ana, actor="ana") if a.element_id is None]
    assert [a.body for a in summary] == ["Write goal 1.1 in her words, then resubmit"]  # released with it
    assert "Returned to Ana for revision" in page.message.value
    assert "Returned for revision by Dr. Okafor" in page.history_html.value
    assert page.return_button.disabled and page.sign_off_button.disabled
    assert [r.status for r in page.queue] == ["returned"]


def test_the_whole_loop_reads_as_a_history_and_ends_signed_off(clinic):
    store = clinic.store
    ana = clinic.drafts["ana"].draft_id
    store.submit_draft(ana, actor="ana")
    page = page_for(clinic)
    page.open_draft(ana)
    page.annotate("gol-exama", "Whose goal is this? Use her words", ["question"])
    assert page.return_for_revision("See the comment on goal 1.1") is not None
    comment = next(a for a in store.list_annotations(ana, actor="ana") if a.element_id == "gol-exama")
    store.reply(comment.id, "Reworded with her: 'I want to stay for the whole exam'", actor="ana")
    resubmit(clinic, "ana")

    page.refresh_queue()
    assert page.queue[0].waiting and page.queue[0].revision == 2
    page.open_draft(ana)
    thread = page.threads_box.children[0]
    assert "I want to stay for the whole exam" in thread.children[0].value
    thread.children[1].click()  # Mark resolved
    assert next(a for a in store.list_annotations(ana, actor="dr.okafor") if a.id == comment.id).resolved
    assert page.threads_box.children[0].children[1].description == "Reopen"
    page.sign_off_button.click()
    assert "Sign off Ana's plan" in page.confirm_text.value
    page.confirm_button.click()
    assert store.get_draft(ana, actor="ana").status == "accepted"
    steps = page.history_html.value
    order = [
        steps.index("Submitted revision 1"),
        steps.index("Returned for revision by Dr. Okafor"),
        steps.index("Submitted revision 2"),
        steps.index("Signed off by Dr. Okafor"),
    ]
    assert order == sorted(order)
    assert page.decision_hint.value == "Signed off: no further decision."


def test_a_decision_on_a_plan_not_waiting_is_refused_with_the_stores_reason(clinic):
    page = page_for(clinic)
    page.load(page.cohort_picker.options[1][1], clinic.case.id)
    page.draft_picker.value = clinic.drafts["ana"].draft_id
    assert page.return_button.disabled
    assert page.sign_off("Fine") is None and "not waiting for a decision" in page.message.value
    assert page.return_for_revision("   ") is None and "summary" in page.message.value


def test_trainee_text_in_a_reply_is_escaped_in_the_thread(clinic):
    store = clinic.store
    ana = clinic.drafts["ana"].draft_id
    store.submit_draft(ana, actor="ana")
    note = store.add_annotation(ana, "Why this measure?", element_id="obj-gada", actor="dr.okafor")
    store.release_feedback(ana, actor="dr.okafor")
    store.reply(note.id, "<img src=x onerror=alert(1)>", actor="ana")
    page = page_for(clinic)
    page.open_draft(ana)
    html = page.threads_box.children[0].children[0].value
    assert "<img" not in html and "&lt;img src=x" in html
