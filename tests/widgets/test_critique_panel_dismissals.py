"""The critique panel's Python twin of 'not applicable here': a supervisor dismisses, the trainee sees why."""

import datetime as dt

from itp_toolkit.model import Dismissal
from itp_toolkit.views.critique import split_dismissed
from itp_toolkit.widgets import CritiquePanel


def _dismissal(finding, reason="Not applicable: she has a car on Saturdays."):
    return Dismissal(
        id=1,
        draft_id=1,
        revision=1,
        rule=finding.rule,
        element_id=finding.element_id,
        subject=finding.subject,
        reason=reason,
        author="dr.okafor",
        created_at=dt.datetime(2025, 3, 3, tzinfo=dt.UTC),
    )


def _plan_with_a_finding(college_case):
    plan = college_case.reference_plan.model_copy(deep=True)
    plan.element("obj-lecture").target_week = None
    return plan


def test_a_dismissed_finding_is_shown_apart_with_the_supervisor_s_reason(college_case):
    panel = CritiquePanel(_plan_with_a_finding(college_case), college_case)
    finding = next(f for f in panel.findings if f.element_id == "obj-lecture")
    panel.dismissals = [_dismissal(finding)]
    assert finding not in panel.shown_findings
    [(shown, why)] = panel.dismissed
    assert shown == finding and "car on Saturdays" in why.reason
    report = panel.report.value
    assert "Marked not applicable here by your supervisor" in report and "car on Saturdays" in report
    totals = report.split('class="itp-critique-totals"')[1].split("</p>")[0]
    assert "problem" not in totals


def test_a_supervisor_panel_dismisses_through_its_hook(college_case):
    made = []

    def store_it(finding, reason):
        made.append(_dismissal(finding, reason))
        return made[-1]

    panel = CritiquePanel(_plan_with_a_finding(college_case), college_case, on_dismiss=store_it)
    finding = next(f for f in panel.findings if f.element_id == "obj-lecture")
    panel.dismiss(finding, "She has agreed the date out loud; it is in the notes.")
    assert [d.reason for d in made] == ["She has agreed the date out loud; it is in the notes."]
    assert [f for f, _ in panel.dismissed] == [finding]


def test_a_trainee_panel_cannot_dismiss(college_case):
    import pytest

    from itp_toolkit.errors import PermissionDenied

    panel = CritiquePanel(_plan_with_a_finding(college_case), college_case)
    finding = panel.findings[0]
    with pytest.raises(PermissionDenied):
        panel.dismiss(finding, "I think this is fine")


def test_split_dismissed_keeps_findings_with_no_matching_dismissal(college_case):
    panel = CritiquePanel(_plan_with_a_finding(college_case), college_case)
    finding = panel.findings[0]
    other = _dismissal(finding).model_copy(update={"rule": "collab.no_review"})
    active, dismissed = split_dismissed(panel.findings, [other])
    assert active == panel.findings and dismissed == []


def test_the_supervisor_review_stores_a_dismissal_and_the_trainee_page_shows_it(tmp_path, college_case):
    from itp_toolkit.apps import TraineeWorkspace
    from itp_toolkit.store import PlanStore
    from itp_toolkit.widgets.supervisor import SupervisorReview
    from tests.apps.clinic import build_clinic

    store = build_clinic(PlanStore.open(f"sqlite:///{tmp_path / 'itp.sqlite'}"))
    draft = store.start_draft(college_case.id, actor="ana")
    store.save_revision(draft.id, _plan_with_a_finding(college_case), based_on=0, actor="ana")
    review = SupervisorReview(store, "dr.okafor", {college_case.id: college_case})
    review.load(review.cohort_picker.options[0][1], college_case.id)
    review.select_draft(draft.id)
    finding = next(f for f in review.findings if f.element_id == "obj-lecture")
    assert review.dismiss(finding, "Date agreed out loud; it is in the session notes.") is not None
    review.release()
    app = TraineeWorkspace(store, "ana", {college_case.id: college_case})
    app.open_case(college_case.id)
    [(shown, why)] = app.critique.dismissed
    assert shown.rule == finding.rule and "session notes" in why.reason
    store.close()
