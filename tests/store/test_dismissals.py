"""A supervisor overrules a finding ('not applicable here', with a reason); the trainee sees it dismissed."""

from __future__ import annotations

import pytest

from itp_toolkit.checks import critique
from itp_toolkit.errors import InvalidInput, PermissionDenied
from tests.conftest import shipped_case

from .conftest import CASE_ID, Clinic, make_plan


@pytest.fixture
def draft(clinic: Clinic) -> int:
    draft = clinic.store.start_draft(CASE_ID, actor=clinic.trainee).id
    clinic.store.save_revision(draft, make_plan(), based_on=0, actor=clinic.trainee)
    return draft


def _a_finding():
    case = shipped_case(CASE_ID)
    findings = critique(make_plan(), case)
    return next(f for f in findings if f.element_id == "obj-gad7")


def test_a_supervisor_dismisses_a_finding_with_a_reason_stored_with_the_feedback(clinic: Clinic, draft: int):
    finding = _a_finding()
    store = clinic.store
    made = store.dismiss_finding(
        draft, finding, "Her GAD-7 was re-taken in session; the baseline is right.", actor=clinic.supervisor
    )
    assert (made.rule, made.element_id, made.revision, made.author) == (
        finding.rule,
        "obj-gad7",
        1,
        clinic.supervisor,
    )
    [listed] = store.list_dismissals(draft, actor=clinic.supervisor)
    assert listed.matches(finding) and listed.reason.startswith("Her GAD-7")


def test_the_trainee_sees_the_dismissal_once_feedback_is_released(clinic: Clinic, draft: int):
    store, finding = clinic.store, _a_finding()
    store.dismiss_finding(
        draft, finding, "Not applicable: the baseline was re-taken.", actor=clinic.supervisor
    )
    assert store.list_dismissals(draft, actor=clinic.trainee) == []
    store.release_feedback(draft, actor=clinic.supervisor)
    [seen] = store.list_dismissals(draft, actor=clinic.trainee)
    assert seen.matches(finding) and "re-taken" in seen.reason


def test_a_dismissal_needs_a_reason(clinic: Clinic, draft: int):
    with pytest.raises(InvalidInput, match="reason"):
        clinic.store.dismiss_finding(draft, _a_finding(), "   ", actor=clinic.supervisor)


def test_only_a_supervisor_of_the_trainee_may_dismiss(clinic: Clinic, draft: int):
    finding = _a_finding()
    with pytest.raises(PermissionDenied):
        clinic.store.dismiss_finding(draft, finding, "Fine as it is.", actor=clinic.trainee)
    with pytest.raises(PermissionDenied):
        clinic.store.dismiss_finding(draft, finding, "Fine as it is.", actor=clinic.other_supervisor)


def test_a_dismissal_can_be_withdrawn_and_the_finding_counts_again(clinic: Clinic, draft: int):
    store = clinic.store
    made = store.dismiss_finding(draft, _a_finding(), "Not applicable here.", actor=clinic.supervisor)
    store.withdraw_dismissal(made.id, actor=clinic.supervisor)
    assert store.list_dismissals(draft, actor=clinic.supervisor) == []


def test_a_classmate_never_sees_the_dismissals(clinic: Clinic, draft: int):
    store = clinic.store
    store.dismiss_finding(draft, _a_finding(), "Not applicable here.", actor=clinic.supervisor)
    store.release_feedback(draft, actor=clinic.supervisor)
    with pytest.raises(PermissionDenied):
        store.list_dismissals(draft, actor=clinic.classmate)
