"""Annotations, scores, submissions and the release of feedback."""

from __future__ import annotations

import pytest

from itp_toolkit.compare.cohort import CohortDraft, group_anchors
from itp_toolkit.errors import InvalidInput, NotFound, PermissionDenied
from itp_toolkit.model.base import LONG_TEXT_MAX
from itp_toolkit.store.records import Anchor
from tests.conftest import shipped_case

from .conftest import CASE_ID, Clinic, make_plan


@pytest.fixture
def draft(clinic: Clinic) -> int:
    draft = clinic.store.start_draft(CASE_ID, actor=clinic.trainee).id
    clinic.store.save_revision(draft, make_plan(), based_on=0, actor=clinic.trainee)
    return draft


def test_annotation_stays_on_its_element_when_the_plan_is_revised_and_reordered(
    clinic: Clinic, draft: int
) -> None:
    store, ana, sup = clinic.store, clinic.trainee, clinic.supervisor
    note = store.add_annotation(
        draft, "Make this measurable", element_id="obj-gad7", tags=["concern"], actor=sup
    )
    # Revision 2: a new problem goes first and the objective is reworded; its id does not change.
    plan = store.get_revision(draft, actor=ana)
    objective = plan.problems[0].goals[0].objectives[0]
    objective.description = "GAD-7 below 10 by week 8, measured every 2 weeks"
    plan.problems.insert(
        0, make_plan("Panic in lectures").problems[0].model_copy(update={"id": "prb-panic", "goals": []})
    )
    store.save_revision(draft, plan, based_on=1, actor=ana)
    on_two = store.list_annotations(draft, revision=2, actor=sup)
    assert [(a.id, a.element_id, a.revision) for a in on_two] == [(note.id, "obj-gad7", 1)]
    anchored = store.get_revision(draft, 2, actor=sup).element(on_two[0].element_id or "")
    assert anchored.description.startswith("GAD-7 below 10")  # type: ignore[union-attr]
    assert on_two[0].tags == ["concern"]


def test_annotation_on_an_element_the_revision_lacks_is_refused(clinic: Clinic, draft: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        clinic.store.add_annotation(draft, "?", element_id="obj-missing", actor=clinic.supervisor)
    assert caught.value.problems[0].field == "element_id"
    with pytest.raises(InvalidInput) as caught:
        clinic.store.add_annotation(draft, "", element_id="obj-gad7", actor=clinic.supervisor)
    assert caught.value.problems[0].field == "body"


def test_trainee_sees_feedback_only_once_released(clinic: Clinic, draft: int) -> None:
    store, ana, sup = clinic.store, clinic.trainee, clinic.supervisor
    store.add_annotation(
        draft, "Strong use of her words", element_id="gol-calm", tags=["strength"], actor=sup
    )
    store.add_score(draft, "itp-rubric", "crt-person-centred", 3, comment="Her goal, her words", actor=sup)
    assert store.list_annotations(draft, actor=ana) == []
    assert store.list_scores(draft, actor=ana) == []
    assert len(store.list_annotations(draft, actor=sup)) == 1  # the supervisor sees drafts of feedback
    assert store.release_feedback(draft, actor=sup) == 2
    assert [a.body for a in store.list_annotations(draft, actor=ana)] == ["Strong use of her words"]
    assert [(s.score, s.released) for s in store.list_scores(draft, actor=ana)] == [(3, True)]
    later = store.add_annotation(draft, "One more thought", actor=sup)
    assert later.id not in {a.id for a in store.list_annotations(draft, actor=ana)}


def test_replies_thread_under_their_comment_and_threads_can_be_resolved(clinic: Clinic, draft: int) -> None:
    store, sup = clinic.store, clinic.supervisor
    store.add_person("dr.cho", "Dr. Cho", "supervisor", actor=clinic.admin)
    store.add_to_cohort(clinic.cohort_a, "dr.cho", actor=clinic.admin)
    root = store.add_annotation(
        draft, "Is 9 realistic by week 8?", element_id="obj-gad7", tags=["question"], actor=sup
    )
    answer = store.reply(root.id or 0, "Yes, with weekly CBT", actor="dr.cho")
    assert (answer.parent_id, answer.element_id, answer.author) == (root.id, "obj-gad7", "dr.cho")
    assert store.resolve(root.id or 0, actor=sup).resolved
    assert not store.resolve(root.id or 0, resolved=False, actor=sup).resolved


def test_score_can_change_until_released_and_must_be_one_to_four(clinic: Clinic, draft: int) -> None:
    store, sup = clinic.store, clinic.supervisor
    store.add_score(draft, "itp-rubric", "crt-smart", 2, actor=sup)
    store.add_score(draft, "itp-rubric", "crt-smart", 3, comment="on reflection", actor=sup)
    assert [(s.score, s.comment) for s in store.list_scores(draft, actor=sup)] == [(3, "on reflection")]
    with pytest.raises(InvalidInput) as caught:
        store.add_score(draft, "itp-rubric", "crt-smart", 5, actor=sup)
    assert caught.value.problems[0].field == "score"
    store.release_feedback(draft, actor=sup)
    with pytest.raises(PermissionDenied):
        store.add_score(draft, "itp-rubric", "crt-smart", 4, actor=sup)


def test_submitted_draft_is_locked_until_returned_and_return_releases_feedback(
    clinic: Clinic, draft: int
) -> None:
    store, ana, sup = clinic.store, clinic.trainee, clinic.supervisor
    submission = store.submit_draft(draft, actor=ana)
    assert (submission.revision, submission.status) == (1, "submitted")
    assert store.get_draft(draft, actor=ana).status == "submitted"
    with pytest.raises(PermissionDenied):
        store.save_revision(draft, make_plan("sneaky edit"), based_on=1, actor=ana)
    with pytest.raises(InvalidInput):
        store.submit_draft(draft, actor=ana)
    store.add_annotation(draft, "Add a safety plan", actor=sup)
    returned = store.return_draft(draft, actor=sup)
    assert (returned.status, returned.decided_by) == ("returned", sup)
    assert store.get_draft(draft, actor=ana).status == "returned"
    assert [a.body for a in store.list_annotations(draft, actor=ana)] == ["Add a safety plan"]
    store.save_revision(draft, make_plan("with a safety plan"), based_on=1, actor=ana)
    store.submit_draft(draft, actor=ana)
    assert store.accept_draft(draft, actor=sup).status == "accepted"
    with pytest.raises(PermissionDenied):
        store.save_revision(draft, make_plan("after sign-off"), based_on=2, actor=ana)
    assert [s.status for s in store.list_submissions(draft, actor=ana)] == ["returned", "accepted"]


def test_nothing_to_submit_or_annotate_before_the_first_save(clinic: Clinic) -> None:
    empty = clinic.store.start_draft(CASE_ID, actor=clinic.classmate).id
    with pytest.raises(InvalidInput):
        clinic.store.submit_draft(empty, actor=clinic.classmate)
    with pytest.raises(InvalidInput):
        clinic.store.add_annotation(empty, "Nothing here yet", actor=clinic.supervisor)


def test_supervisors_filter_drafts_by_case_and_cohort(clinic: Clinic, draft: int) -> None:
    store = clinic.store
    store.start_draft(CASE_ID, actor=clinic.classmate)
    store.start_draft(CASE_ID, actor=clinic.other_trainee)
    by_case = store.list_drafts(case_id=CASE_ID, actor=clinic.admin)
    assert sorted(d.owner for d in by_case) == ["ana", "ben", "cara"]
    assert [d.owner for d in store.list_drafts(cohort_id=clinic.cohort_b, actor=clinic.admin)] == ["cara"]
    statuses = {d.owner: d.status for d in store.list_drafts(actor=clinic.supervisor)}
    assert statuses == {"ana": "in_progress", "ben": "empty"}


# ---------------------------------------------------------------------- one action, one transaction


def _own_draft(clinic: Clinic) -> int:
    """The supervisor's own draft of the case (supervisors may try the exercise themselves)."""
    own = clinic.store.start_draft(CASE_ID, actor=clinic.supervisor).id
    clinic.store.save_revision(
        own, make_plan("the supervisor's own try"), based_on=0, actor=clinic.supervisor
    )
    return own


def test_a_group_comment_refused_on_a_later_draft_writes_nothing_on_the_earlier_ones(
    clinic: Clinic, draft: int
) -> None:
    """The trainee's draft first, the supervisor's own draft second: feedback on one's own draft is refused,
    and the comment the first draft would have got is not written either."""
    store, sup = clinic.store, clinic.supervisor
    own = _own_draft(clinic)
    cohort = [
        CohortDraft(draft, clinic.trainee, make_plan(), revision=1),
        CohortDraft(own, sup, make_plan(), revision=1),
    ]
    anchors = group_anchors(cohort, shipped_case(CASE_ID), "concern", "pc-worry")
    assert [(a.draft_id, a.element_id) for a in anchors] == [(draft, "prb-worry"), (own, "prb-worry")]
    with pytest.raises(PermissionDenied, match="your own draft"):
        store.annotate_drafts(anchors, "Name what sets the worry off", actor=sup)
    assert store.list_annotations(draft, actor=sup) == []
    assert store.list_annotations(own, actor=clinic.admin) == []


def test_a_group_comment_on_an_element_one_revision_lacks_writes_nothing(clinic: Clinic, draft: int) -> None:
    store, sup = clinic.store, clinic.supervisor
    bens = store.start_draft(CASE_ID, actor=clinic.classmate).id
    store.save_revision(bens, make_plan("ben's"), based_on=0, actor=clinic.classmate)
    anchors = [Anchor(draft_id=draft, element_id="obj-gad7"), Anchor(draft_id=bens, element_id="obj-missing")]
    with pytest.raises(InvalidInput) as caught:
        store.annotate_drafts(anchors, "Baseline?", actor=sup)
    assert (caught.value.problems[0].field, caught.value.problems[0].file) == ("element_id", f"draft {bens}")
    assert store.list_annotations(draft, actor=sup) == []
    made = store.annotate_drafts(
        anchors[:1] + [Anchor(draft_id=bens)], "Baseline?", tags=["question"], actor=sup
    )
    assert [(a.draft_id, a.element_id, a.revision, a.tags) for a in made] == [
        (draft, "obj-gad7", 1, ["question"]),
        (bens, None, 1, ["question"]),
    ]


def test_a_whole_rubric_scoring_is_saved_together_with_its_comments(clinic: Clinic, draft: int) -> None:
    store, sup = clinic.store, clinic.supervisor
    saved = store.score_draft(
        draft, "itp-rubric", {"crt-smart": 2, "crt-person-centred": (4, "Her goal, her words")}, actor=sup
    )
    assert [(s.criterion_id, s.score, s.comment, s.revision) for s in saved] == [
        ("crt-smart", 2, "", 1),
        ("crt-person-centred", 4, "Her goal, her words", 1),
    ]
    store.score_draft(draft, "itp-rubric", {"crt-smart": 3}, actor=sup)  # changed while unreleased
    assert {(s.criterion_id, s.score) for s in store.list_scores(draft, actor=sup)} == {
        ("crt-smart", 3),
        ("crt-person-centred", 4),
    }
    assert store.score_draft(draft, "itp-rubric", {}, actor=sup) == []


def test_a_scoring_with_one_bad_score_saves_none_of_them(clinic: Clinic, draft: int) -> None:
    store, sup = clinic.store, clinic.supervisor
    store.score_draft(draft, "itp-rubric", {"crt-smart": 2}, actor=sup)
    for bad in ({"crt-person-centred": 3, "crt-smart": 5}, {"crt-person-centred": 3, "not an id!": 2}):
        with pytest.raises(InvalidInput):
            store.score_draft(draft, "itp-rubric", bad, actor=sup)  # type: ignore[arg-type]
    assert [(s.criterion_id, s.score) for s in store.list_scores(draft, actor=sup)] == [("crt-smart", 2)]


def test_a_scoring_that_would_change_a_released_score_saves_none_of_them(clinic: Clinic, draft: int) -> None:
    store, sup = clinic.store, clinic.supervisor
    store.score_draft(draft, "itp-rubric", {"crt-smart": 2}, actor=sup)
    store.release_feedback(draft, actor=sup)
    with pytest.raises(PermissionDenied, match="released"):
        store.score_draft(draft, "itp-rubric", {"crt-person-centred": 3, "crt-smart": 4}, actor=sup)
    assert [(s.criterion_id, s.score) for s in store.list_scores(draft, actor=sup)] == [("crt-smart", 2)]


def test_return_with_a_summary_releases_the_summary_with_the_decision(clinic: Clinic, draft: int) -> None:
    store, ana, sup = clinic.store, clinic.trainee, clinic.supervisor
    store.submit_draft(draft, actor=ana)
    store.add_score(draft, "itp-rubric", "crt-smart", 2, actor=sup)
    returned = store.return_draft(draft, summary="Good start; make the goals measurable.", actor=sup)
    assert returned.status == "returned"
    seen = store.list_annotations(draft, actor=ana)
    assert [(a.body, a.element_id, a.revision, a.author, a.released) for a in seen] == [
        ("Good start; make the goals measurable.", None, 1, sup, True)
    ]
    assert [s.score for s in store.list_scores(draft, actor=ana)] == [2]


def test_a_summary_that_cannot_be_written_leaves_the_draft_waiting_and_the_feedback_unreleased(
    clinic: Clinic, draft: int
) -> None:
    store, ana, sup = clinic.store, clinic.trainee, clinic.supervisor
    store.submit_draft(draft, actor=ana)
    store.add_annotation(draft, "Add a safety plan", actor=sup)
    for decide in (store.return_draft, store.sign_off):
        with pytest.raises(InvalidInput) as caught:
            decide(draft, summary="x" * (LONG_TEXT_MAX + 1), actor=sup)
        assert caught.value.problems[0].field == "body"
    assert store.get_draft(draft, actor=ana).status == "submitted"
    assert store.list_annotations(draft, actor=ana) == []
    assert [a.body for a in store.list_annotations(draft, actor=sup)] == ["Add a safety plan"]


def test_sign_off_with_a_summary_and_under_its_first_name(clinic: Clinic, draft: int) -> None:
    store, ana, sup = clinic.store, clinic.trainee, clinic.supervisor
    store.submit_draft(draft, actor=ana)
    signed = store.sign_off(draft, summary="Ready for practice.", actor=sup)
    assert (signed.status, signed.decided_by) == ("accepted", sup)
    assert [a.body for a in store.list_annotations(draft, actor=ana)] == ["Ready for practice."]
    assert store.accept_draft.__name__ == "sign_off"
    with pytest.raises(InvalidInput, match="not waiting"):
        store.accept_draft(draft, summary="  ", actor=sup)


def test_the_trainee_answers_a_released_comment_and_the_answer_is_released_at_once(
    clinic: Clinic, draft: int
) -> None:
    store, ana, sup = clinic.store, clinic.trainee, clinic.supervisor
    released = store.add_annotation(draft, "Why week 8?", element_id="obj-gad7", actor=sup)
    store.release_feedback(draft, actor=sup)
    hidden = store.add_annotation(draft, "Not for her eyes yet", element_id="obj-gad7", actor=sup)
    answer = store.reply(released.id or 0, "Exams end in week 8.", actor=ana)
    assert (answer.parent_id, answer.element_id, answer.author, answer.released) == (
        released.id,
        "obj-gad7",
        ana,
        True,
    )
    assert [a.body for a in store.list_annotations(draft, actor=ana)] == [
        "Why week 8?",
        "Exams end in week 8.",
    ]
    assert "Exams end in week 8." in [a.body for a in store.list_annotations(draft, actor=sup)]
    with pytest.raises(NotFound):  # an unreleased comment does not exist for the trainee
        store.reply(hidden.id or 0, "peek", actor=ana)
    with pytest.raises((NotFound, PermissionDenied)):  # nor may a classmate answer in her thread
        store.reply(released.id or 0, "me too", actor=clinic.classmate)
