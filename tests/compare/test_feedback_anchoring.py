"""Annotations across revisions, threads, and one comment for every draft that made the same choice."""

from __future__ import annotations

import pytest

from itp_toolkit.compare.cohort import annotation_anchors, group_anchors, group_targets, threads
from itp_toolkit.errors import InvalidInput, PermissionDenied


def test_a_comment_stays_on_its_element_after_the_trainee_rewords_and_moves_it(review_clinic):
    store, draft = review_clinic.store, review_clinic.drafts["ana"]
    note = store.add_annotation(
        draft.draft_id,
        "Good use of her lecture attacks",
        element_id="int-cbta",
        tags=["strength"],
        actor="dr.okafor",
    )
    plan = draft.plan.model_copy(deep=True)
    plan.problems.reverse()
    plan.problems[1].goals[0].objectives[0].interventions[
        0
    ].description = "Exposure to a racing heart, reworded"
    store.save_revision(draft.draft_id, plan, based_on=1, actor="ana")
    latest = store.get_revision(draft.draft_id, actor="dr.okafor")
    anchors = annotation_anchors(store.list_annotations(draft.draft_id, actor="dr.okafor"), latest, 2)
    row = anchors.set_index("id").loc[note.id]
    assert row["status"] == "on the element" and row["written_on"] == 1
    assert "reworded" in row["element"]


def test_a_comment_on_a_removed_element_says_which_revision_removed_it(review_clinic):
    store, draft = review_clinic.store, review_clinic.drafts["ana"]
    note = store.add_annotation(draft.draft_id, "Why group CBT-I?", element_id="int-cbtia", actor="dr.okafor")
    plan2 = draft.plan.model_copy(deep=True)
    plan2.problems[0].goals[0].objectives[0].description = "A small edit"
    store.save_revision(draft.draft_id, plan2, based_on=1, actor="ana")
    plan3 = plan2.model_copy(deep=True)
    plan3.problems[1].goals[0].objectives[0].interventions = []
    store.save_revision(draft.draft_id, plan3, based_on=2, actor="ana")
    revisions = {n: store.get_revision(draft.draft_id, n, actor="dr.okafor") for n in (1, 2, 3)}
    anchors = annotation_anchors([note], revisions[3], 3, revisions=revisions).set_index("id")
    assert anchors.loc[note.id, "status"] == "element removed in revision 3"


def test_replies_form_one_thread_under_the_first_comment(review_clinic):
    store, draft = review_clinic.store, review_clinic.drafts["ana"]
    first = store.add_annotation(
        draft.draft_id, "Is weekly enough?", element_id="int-cbta", tags=["question"], actor="dr.okafor"
    )
    reply = store.reply(first.id, "Agree, consider twice weekly at first", actor="dr.lee")
    reply2 = store.reply(reply.id, "Noted", actor="dr.okafor")
    other = store.add_annotation(draft.draft_id, "Whole plan reads well", actor="dr.okafor")
    got = threads(store.list_annotations(draft.draft_id, actor="dr.okafor"))
    assert [(top.id, [r.id for r in replies]) for top, replies in got] == [
        (first.id, [reply.id, reply2.id]),
        (other.id, []),
    ]


def test_group_annotation_adds_one_comment_to_each_draft_that_chose_the_same_treatment(review_clinic):
    store, case = review_clinic.store, review_clinic.case
    anchors = group_anchors(review_clinic.cohort(), case, "modality", group_key(review_clinic, "int-cbtia"))
    made = store.annotate_drafts(
        anchors, "CBT-I needs a sleep diary baseline", tags=["concern"], actor="dr.okafor"
    )
    assert sorted((a.draft_id, a.element_id) for a in made) == sorted(
        [
            (review_clinic.drafts["ana"].draft_id, "int-cbtia"),
            (review_clinic.drafts["ben"].draft_id, "int-cbtib"),
        ]
    )
    assert all(a.tags == ["concern"] and a.author == "dr.okafor" for a in made)


def test_a_group_comment_lands_on_the_revision_under_review_after_the_trainee_saved_again(review_clinic):
    store, ana = review_clinic.store, review_clinic.drafts["ana"]
    later = ana.plan.model_copy(update={"problems": ana.plan.problems[:1]})  # the sleep problem is gone
    store.save_revision(ana.draft_id, later, based_on=1, actor="ana")
    anchors = group_anchors(review_clinic.cohort(), review_clinic.case, "concern", "pc-sleep")
    assert [(a.draft_id, a.revision) for a in anchors if a.draft_id == ana.draft_id] == [(ana.draft_id, 1)]
    made = store.annotate_drafts(anchors, "Sleep first?", actor="dr.okafor")
    assert {(a.draft_id, a.revision) for a in made} == {
        (ana.draft_id, 1),
        (review_clinic.drafts["ben"].draft_id, 1),
    }


def group_key(clinic, element_id: str) -> str:
    from itp_toolkit.compare.cohort import plan_choices

    plan = clinic.drafts["ana"].plan
    return next(
        c.key
        for c in plan_choices(plan, clinic.case)
        if c.element_id == element_id and c.category == "modality"
    )


def test_group_annotation_on_a_matched_problem_reaches_only_drafts_with_that_concern(review_clinic):
    targets = group_targets(review_clinic.cohort(), review_clinic.case, "concern", "pc-panic")
    assert [(d.trainee, e) for d, e in targets] == [("ana", "prb-panica")]


def test_group_annotation_by_a_trainee_is_refused_and_writes_nothing(review_clinic):
    store = review_clinic.store
    anchors = group_anchors(review_clinic.cohort(), review_clinic.case, "concern", "pc-sleep")
    with pytest.raises(PermissionDenied):
        store.annotate_drafts(anchors, "hi", actor="ana")
    assert store.list_annotations(review_clinic.drafts["ben"].draft_id, actor="dr.okafor") == []


def test_group_annotation_refuses_an_unknown_category_and_an_empty_comment(review_clinic):
    with pytest.raises(InvalidInput):
        group_targets(review_clinic.cohort(), review_clinic.case, "colour", "red")
    anchors = group_anchors(review_clinic.cohort(), review_clinic.case, "concern", "pc-sleep")
    with pytest.raises(InvalidInput):
        review_clinic.store.annotate_drafts(anchors, "  ", actor="dr.okafor")
