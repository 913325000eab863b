"""The supervisor widget driven from Python: load, compare, annotate (one and group), score, release."""

from __future__ import annotations

from itp_toolkit.widgets.feedback import FeedbackView
from itp_toolkit.widgets.supervisor import SupervisorReview, frame_html


def open_page(clinic, user="dr.okafor") -> SupervisorReview:
    page = SupervisorReview(clinic.store, user, {clinic.case.id: clinic.case})
    page.load(page.cohort_picker.options[0][1], clinic.case.id)
    return page


def test_the_page_lists_the_cohorts_drafts_with_status_and_score(review_clinic):
    page = open_page(review_clinic)
    assert {d.trainee for d in page.drafts} == {"ana", "ben"}
    assert "ana" in page.drafts_html.value and "in progress" in page.drafts_html.value
    page.anonymize.value = True
    assert "Trainee A" in page.drafts_html.value and "ana" not in page.drafts_html.value
    assert "Trainee B" in page.cohort_html.value
    assert page.heatmap.value[:4] == b"\x89PNG" and page.histogram.value[:4] == b"\x89PNG"


def test_compare_aligns_two_drafts_and_escapes_their_text(review_clinic):
    page = open_page(review_clinic)
    ana, ben = review_clinic.drafts["ana"].draft_id, review_clinic.drafts["ben"].draft_id
    page.with_reference.value = True
    frame = page.compare(ana, ben)
    sleep = frame[frame["ana id"] == "prb-sleepa"].iloc[0]
    assert sleep["ben id"] == "prb-sleepb"
    assert "<script>" not in page.compare_html.value and "&lt;script&gt;" in page.compare_html.value
    assert "itp-row-differs" in page.compare_html.value and "Reference plan" in page.compare_html.value
    assert page.compare(ana, ana) is None


def test_annotate_score_and_release_reach_the_trainees_feedback_view(review_clinic):
    page = open_page(review_clinic)
    draft = review_clinic.drafts["ana"]
    page.draft_picker.value = draft.draft_id
    assert "int-cbta" in [v for _, v in page.element_picker.options]
    assert page.annotate("int-cbta", "Build the exposure ladder with her", ["strength"]) == 1
    assert page.score({"crit-voice": 2, "crit-smart": 3}) == 2
    store = review_clinic.store
    assert store.list_annotations(draft.draft_id, actor="ana") == []  # nothing before release
    assert page.release() == 3
    view = FeedbackView(store, draft.draft_id, "ana", store.get_revision(draft.draft_id, actor="ana"))
    assert [a.body for a in view.comments_for("int-cbta")] == ["Build the exposure ladder with her"]
    assert {s.criterion_id for s in view.scores} == {"crit-voice", "crit-smart"}
    assert "released" in page.annotations_html.value


def test_group_comment_lands_on_every_draft_that_chose_the_same_modality(review_clinic):
    page = open_page(review_clinic)
    page.draft_picker.value = review_clinic.drafts["ana"].draft_id
    assert page.annotate("int-cbtia", "Add a sleep diary", ["concern"], group=True) == 2
    ben = review_clinic.drafts["ben"].draft_id
    assert [a.element_id for a in review_clinic.store.list_annotations(ben, actor="dr.okafor")] == [
        "int-cbtib"
    ]


def test_an_element_id_sent_by_a_browser_that_is_not_in_the_draft_is_refused(review_clinic):
    page = open_page(review_clinic)
    page.draft_picker.value = review_clinic.drafts["ana"].draft_id
    assert page.annotate("int-cbtib", "Wrong draft", []) == 0
    assert "not in this draft" in page.message.value


def test_a_trainee_opening_the_page_is_refused(review_clinic):
    page = SupervisorReview(review_clinic.store, "ana", {review_clinic.case.id: review_clinic.case})
    assert "not a supervisor" in page.message.value
    assert page.load_button.disabled and page.drafts == []


def test_frame_html_escapes_cells():
    import pandas as pd

    html = frame_html(pd.DataFrame({"a": ["<img src=x onerror=alert(1)>"]}), ["a"], cls="t")
    assert "<img" not in html and "&lt;img" in html


def test_a_trainees_workshop_draft_of_the_same_case_does_not_take_their_column_in_cohort_review(
    review_clinic,
):
    """Each trainee is one column and one vote in cohort review: a workshop draft on the same case (found by
    the hostile-pages browser test, where it replaced the coursework draft in "compare") stays in the workshop."""
    store = review_clinic.store
    workshop = store.create_workshop(review_clinic.case.id, title="Tuesday", actor="dr.okafor")
    extra = store.join_workshop(workshop.join_code, actor="ana")
    store.save_revision(
        extra.id, {"case_id": review_clinic.case.id, "title": "workshop plan"}, based_on=0, actor="ana"
    )
    page = open_page(review_clinic)
    assert sorted(d.draft_id for d in page.drafts) == sorted(
        d.draft_id for d in review_clinic.drafts.values()
    )
    frame = page.compare(*(d.draft_id for d in review_clinic.drafts.values()))
    assert {"ana", "ben"} <= set(frame.columns)


def test_a_scoring_with_one_score_out_of_range_saves_none_of_them(review_clinic):
    page = open_page(review_clinic)
    draft = review_clinic.drafts["ana"].draft_id
    page.draft_picker.value = draft
    assert page.score({"crit-voice": 2, "crit-smart": 9}) == 0
    assert review_clinic.store.list_scores(draft, actor="dr.okafor") == []
