"""Who may do what is decided in the store, whatever the UI shows."""

from __future__ import annotations

import pytest

from itp_toolkit.errors import InvalidInput, NotFound, PermissionDenied

from .conftest import CASE_ID, Clinic, make_plan


@pytest.fixture
def anas_draft(clinic: Clinic) -> int:
    draft = clinic.store.start_draft(CASE_ID, actor=clinic.trainee).id
    clinic.store.save_revision(draft, make_plan(), based_on=0, actor=clinic.trainee)
    return draft


def test_trainee_cannot_read_or_write_a_classmates_draft(clinic: Clinic, anas_draft: int) -> None:
    store, ben = clinic.store, clinic.classmate
    for attempt in (
        lambda: store.get_revision(anas_draft, actor=ben),
        lambda: store.get_draft(anas_draft, actor=ben),
        lambda: store.list_revisions(anas_draft, actor=ben),
        lambda: store.list_annotations(anas_draft, actor=ben),
        lambda: store.save_revision(anas_draft, make_plan("hijack"), based_on=1, actor=ben),
        lambda: store.submit_draft(anas_draft, actor=ben),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert [d.owner for d in store.list_drafts(actor=ben)] == []
    assert store.list_revisions(anas_draft, actor=clinic.trainee)[-1].number == 1


def test_trainee_cannot_annotate_or_score_even_their_own_draft(clinic: Clinic, anas_draft: int) -> None:
    store = clinic.store
    for who in (clinic.trainee, clinic.classmate):
        with pytest.raises(PermissionDenied):
            store.add_annotation(anas_draft, "Looks great!", element_id="prb-worry", actor=who)
        with pytest.raises(PermissionDenied):
            store.add_score(anas_draft, "itp-rubric", "crt-smart", 4, actor=who)
        with pytest.raises(PermissionDenied):
            store.release_feedback(anas_draft, actor=who)


def test_supervisor_of_the_cohort_reads_and_annotates(clinic: Clinic, anas_draft: int) -> None:
    store, sup = clinic.store, clinic.supervisor
    assert store.get_revision(anas_draft, actor=sup).problems[0].id == "prb-worry"
    note = store.add_annotation(anas_draft, "Whose words are these?", element_id="gol-calm", actor=sup)
    assert note.author == sup and note.element_id == "gol-calm" and note.revision == 1
    score = store.add_score(anas_draft, "itp-rubric", "crt-smart", 3, actor=sup)
    assert score.rater == sup and score.score == 3
    assert {d.owner for d in store.list_drafts(actor=sup)} == {clinic.trainee}


def test_supervisor_cannot_change_a_trainees_plan(clinic: Clinic, anas_draft: int) -> None:
    with pytest.raises(PermissionDenied):
        clinic.store.save_revision(
            anas_draft, make_plan("supervisor edit"), based_on=1, actor=clinic.supervisor
        )


def test_supervisor_of_another_cohort_cannot_read_or_annotate(clinic: Clinic, anas_draft: int) -> None:
    store, lind = clinic.store, clinic.other_supervisor
    with pytest.raises(PermissionDenied):
        store.get_revision(anas_draft, actor=lind)
    with pytest.raises(PermissionDenied):
        store.add_annotation(anas_draft, "Hmm", actor=lind)
    assert store.list_drafts(actor=lind) == []


def test_admin_supervisor_reads_every_draft(clinic: Clinic, anas_draft: int) -> None:
    assert [d.id for d in clinic.store.list_drafts(actor=clinic.admin)] == [anas_draft]


def test_unknown_user_is_refused(clinic: Clinic, anas_draft: int) -> None:
    with pytest.raises(PermissionDenied):
        clinic.store.get_revision(anas_draft, actor="mallory")


def test_only_admins_add_people_and_cohorts(clinic: Clinic) -> None:
    store = clinic.store
    with pytest.raises(PermissionDenied):
        store.add_person("eve", "Eve", "supervisor", actor=clinic.supervisor)
    with pytest.raises(PermissionDenied):
        store.add_cohort("Cohort C", actor=clinic.trainee)
    with pytest.raises(PermissionDenied):
        store.add_to_cohort(clinic.cohort_a, clinic.other_trainee, actor=clinic.supervisor)
    with pytest.raises(PermissionDenied):
        store.ensure_admin("eve", "Eve")  # an admin exists already


def test_bad_people_are_refused_with_located_problems(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput) as caught:
        clinic.store.add_person("ana", "Ana again", "trainee", actor=clinic.admin)
    assert caught.value.problems[0].field == "username"
    with pytest.raises(InvalidInput) as caught:
        clinic.store.add_person("x y", "Spaces", "trainee", actor=clinic.admin)
    assert caught.value.problems[0].field == "username"
    with pytest.raises(InvalidInput) as caught:
        clinic.store.add_person("zed", "Zed", "trainee", is_admin=True, actor=clinic.admin)
    assert caught.value.problems[0].field == "is_admin"


def test_trainee_can_only_draft_cases_assigned_to_them(clinic: Clinic) -> None:
    store = clinic.store
    with pytest.raises(PermissionDenied):
        store.start_draft("case-not-assigned", actor=clinic.trainee)
    store.assign_case("case-extra", trainee=clinic.trainee, actor=clinic.supervisor)
    assert store.start_draft("case-extra", actor=clinic.trainee).case_id == "case-extra"
    assert {a.case_id for a in store.list_assigned_cases(actor=clinic.trainee)} == {CASE_ID, "case-extra"}
    assert {a.case_id for a in store.list_assigned_cases(actor=clinic.classmate)} == {CASE_ID}
    with pytest.raises(PermissionDenied):  # Dr. Lind does not supervise Ana
        store.assign_case("case-extra-2", trainee=clinic.trainee, actor=clinic.other_supervisor)
    with pytest.raises(PermissionDenied):
        store.list_assigned_cases(trainee=clinic.trainee, actor=clinic.classmate)


def test_cohort_membership_is_visible_to_members_only(clinic: Clinic) -> None:
    store = clinic.store
    names = [p.username for p in store.list_cohort_members(clinic.cohort_a, actor=clinic.trainee)]
    assert names == ["dr.okafor", "ana", "ben"]  # supervisors first
    with pytest.raises(PermissionDenied):
        store.list_cohort_members(clinic.cohort_b, actor=clinic.trainee)
    with pytest.raises(NotFound):
        store.list_cohort_members(999, actor=clinic.admin)
    assert [c.name for c in store.list_cohorts(actor=clinic.other_trainee)] == ["Cohort B"]
