"""The supervisor page driven from Python: the queue, load, compare by element, annotate, score, release."""

from __future__ import annotations

import re

import pytest

from itp_toolkit.widgets.feedback import FeedbackView
from itp_toolkit.widgets.supervisor import ALL_COHORTS, SupervisorReview, frame_html
from tests.compare.review_clinic import open_review_clinic


@pytest.fixture
def clinic(tmp_path):
    yield from open_review_clinic(tmp_path)


INTERNAL_ID = re.compile(r"\b(?:pc|prb|gol|obj|int|crit|rubric|case|s|b)-[a-z0-9]+\b")


def open_page(clinic, user="dr.okafor", cases=None) -> SupervisorReview:
    page = SupervisorReview(clinic.store, user, cases or {clinic.case.id: clinic.case})
    page.load(page.cohort_picker.options[1][1], clinic.case.id)
    return page


def visible_text(page: SupervisorReview) -> str:
    """The text of every HTML widget and label on the page, tags stripped (what a reader sees)."""
    from itp_toolkit.widgets._common import walk

    parts = []
    for widget in walk(page):
        value = getattr(widget, "value", None)
        if isinstance(value, str) and widget.__class__.__name__ in {"HTML", "Label"}:
            parts.append(re.sub(r"<style\b.*?</style>|<[^>]+>", " ", value, flags=re.S))
        for attr in ("description", "options"):
            got = getattr(widget, attr, None)
            if isinstance(got, str):
                parts.append(got)
            elif isinstance(got, tuple):
                parts.extend(str(o[0]) if isinstance(o, tuple) else str(o) for o in got)
    return " ".join(parts)


def test_the_page_lists_the_cohorts_drafts_by_display_name_with_state_in_words(clinic):
    page = open_page(clinic)
    assert {d.trainee for d in page.drafts} == {"ana", "ben"}
    assert "Being written" in page.drafts_html.value and "in_progress" not in page.drafts_html.value
    assert '<th scope="col">Trainee</th>' in page.drafts_html.value
    page.anonymize.value = True
    assert "Trainee A" in page.drafts_html.value and "Ana" not in page.drafts_html.value
    assert "Trainee B" in page.cohort_html.value
    assert page.heatmap.value[:4] == b"\x89PNG" and page.histogram.value[:4] == b"\x89PNG"


def test_no_internal_id_or_login_appears_in_the_pages_text(clinic):
    store = clinic.store
    store.submit_draft(clinic.drafts["ana"].draft_id, actor="ana")
    page = open_page(clinic)
    page.open_draft(clinic.drafts["ana"].draft_id)
    page.annotate("int-cbta", "Build the ladder with her", ["strength"])
    page.compare([d.draft_id for d in clinic.cohort()], reference=True)
    text = visible_text(page)
    assert INTERNAL_ID.findall(text) == []
    assert "dr.okafor" not in text and "Dr. Okafor" in text


def test_compare_aligns_drafts_by_element_and_escapes_their_text(clinic):
    page = open_page(clinic)
    ana, ben = clinic.drafts["ana"].draft_id, clinic.drafts["ben"].draft_id
    rows = page.compare([ana, ben], reference=True)
    assert rows is not None
    sleep = next(r for r in rows if "Cannot fall asleep" in r.cells[0])
    assert "Lies awake for hours" in sleep.cells[1] and sleep.heading.startswith("Problem")
    html = page.compare_html.value
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Worded differently" in html and "Reference plan" in html and "<caption>" in html
    assert page.compare([ana, ana]) is None and "two to four" in page.message.value


def test_one_draft_can_be_set_against_the_reference_plan(clinic):
    page = open_page(clinic)
    rows = page.compare([clinic.drafts["ana"].draft_id], reference=True)
    assert rows is not None and len(rows[0].cells) == 2
    assert any(r.status.startswith("Only in the reference plan") or "Not in Ana" in r.status for r in rows)


def test_a_case_without_a_reference_plan_says_so(clinic):
    bare = clinic.case.model_copy(update={"reference_plan": None})
    page = open_page(clinic, cases={bare.id: bare})
    assert page.compare([clinic.drafts["ana"].draft_id], reference=True) is None
    assert "This case has no reference plan" in page.compare_html.value
    assert page.message.value == "This case has no reference plan."


def test_changing_the_cohort_or_case_clears_the_results(clinic):
    page = open_page(clinic)
    page.compare([d.draft_id for d in clinic.cohort()])
    page.draft_picker.value = clinic.drafts["ana"].draft_id
    assert page.compare_html.value and page.plan_html.value
    assert page.cohort_picker.value == ALL_COHORTS
    page.cohort_picker.value = page.cohort_picker.options[1][1]
    assert page.compare_html.value == "" and page.cohort_html.value == "" and page.plan_html.value == ""
    assert page.drafts == [] and page.current is None and "Open a plan" in page.review_title.value


def test_annotate_score_with_comments_and_release_reach_the_trainees_feedback_view(clinic):
    page = open_page(clinic)
    draft = clinic.drafts["ana"]
    page.draft_picker.value = draft.draft_id
    assert "int-cbta" in [v for _, v in page.element_picker.options]
    assert page.annotate("int-cbta", "Build the exposure ladder with her", ["strength"]) == 1
    page.score_pickers["crit-voice"].value = 2
    page.score_comments["crit-voice"].value = "Her words are missing from goal 1.1"
    page.score_pickers["crit-smart"].value = 3
    page.save_scores_button.click()
    store = clinic.store
    assert store.list_annotations(draft.draft_id, actor="ana") == []  # nothing before release
    assert page.release() == 3
    view = FeedbackView(store, draft.draft_id, "ana", store.get_revision(draft.draft_id, actor="ana"))
    assert [a.body for a in view.comments_for("int-cbta")] == ["Build the exposure ladder with her"]
    voice = next(s for s in view.scores if s.criterion_id == "crit-voice")
    assert (voice.score, voice.comment) == (2, "Her words are missing from goal 1.1")
    assert "Build the exposure ladder with her" in page.threads_box.children[0].children[0].value
    assert "released" in page.threads_box.children[0].children[0].value


def test_score_comments_reopen_with_the_draft(clinic):
    page = open_page(clinic)
    draft = clinic.drafts["ana"].draft_id
    page.draft_picker.value = draft
    page.score({"crit-voice": (3, "Close to her words")})
    page.draft_picker.value = clinic.drafts["ben"].draft_id
    assert page.score_comments["crit-voice"].value == ""
    page.draft_picker.value = draft
    assert page.score_pickers["crit-voice"].value == 3
    assert page.score_comments["crit-voice"].value == "Close to her words"


def test_group_comment_lands_on_every_draft_that_chose_the_same_modality(clinic):
    page = open_page(clinic)
    page.draft_picker.value = clinic.drafts["ana"].draft_id
    assert page.annotate("int-cbtia", "Add a sleep diary", ["concern"], group=True) == 2
    ben = clinic.drafts["ben"].draft_id
    assert [a.element_id for a in clinic.store.list_annotations(ben, actor="dr.okafor")] == ["int-cbtib"]


def test_an_element_id_sent_by_a_browser_that_is_not_in_the_draft_is_refused(clinic):
    page = open_page(clinic)
    page.draft_picker.value = clinic.drafts["ana"].draft_id
    assert page.annotate("int-cbtib", "Wrong draft", []) == 0
    assert "not in this draft" in page.message.value


def test_a_trainee_opening_the_page_is_refused(clinic):
    page = SupervisorReview(clinic.store, "ana", {clinic.case.id: clinic.case})
    assert "not a supervisor" in page.message.value
    assert page.load_button.disabled and page.drafts == []


def test_frame_html_escapes_cells_and_uses_human_headers():
    import pandas as pd

    html = frame_html(
        pd.DataFrame({"a": ["<img src=x onerror=alert(1)>"]}), ["a"], cls="t", headers=["What it says"]
    )
    assert "<img" not in html and "&lt;img" in html and "What it says" in html


def test_a_trainees_workshop_draft_of_the_same_case_does_not_take_their_column_in_cohort_review(
    clinic,
):
    """Each trainee is one column and one vote in cohort review: a workshop draft on the same case stays in
    the workshop."""
    store = clinic.store
    workshop = store.create_workshop(clinic.case.id, title="Tuesday", actor="dr.okafor")
    extra = store.join_workshop(workshop.join_code, actor="ana")
    store.save_revision(
        extra.id, {"case_id": clinic.case.id, "title": "workshop plan"}, based_on=0, actor="ana"
    )
    page = open_page(clinic)
    assert sorted(d.draft_id for d in page.drafts) == sorted(d.draft_id for d in clinic.drafts.values())
    rows = page.compare([d.draft_id for d in clinic.drafts.values()])
    assert rows is not None and len(rows[0].cells) == 2


def test_a_scoring_with_one_score_out_of_range_saves_none_of_them(clinic):
    page = open_page(clinic)
    draft = clinic.drafts["ana"].draft_id
    page.draft_picker.value = draft
    assert page.score({"crit-voice": 2, "crit-smart": 9}) == 0
    assert clinic.store.list_scores(draft, actor="dr.okafor") == []
