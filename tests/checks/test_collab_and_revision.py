from itp_toolkit.checks import critique
from tests.checks.builders import rules_of, strong_plan


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_no_goal_in_her_words_suggests_her_hope_quote(case):
    plan = strong_plan()
    plan.element("gol-sing").in_patient_words = False
    plan.element("gol-sing").patient_quote_id = None
    [finding] = _rule(critique(plan, case), "collab.no_patient_words_goal")
    assert "I want to sing again without crying" in finding.suggestion and "q-hope" not in finding.suggestion


def test_participation_agreement_discharge_and_review_are_required(case):
    plan = strong_plan(participation={}, discharge_criteria=[], review={})
    assert {
        "collab.participation_not_recorded",
        "collab.agreement_not_recorded",
        "collab.no_discharge_criteria",
        "collab.no_review",
    } <= rules_of(critique(plan, case))
    assert "collab.no_early_review_triggers" in rules_of(critique(plan, case), ("info",))


def test_review_not_after_the_plan_week_is_flagged(case):
    plan = strong_plan(review={"review_week": 0})
    assert "collab.review_not_ahead" in rules_of(critique(plan, case))


def test_event_after_the_plan_is_a_problem_once_the_exercise_reaches_it(case):
    plan = strong_plan()
    assert "revision.event_not_addressed" not in rules_of(critique(plan, case, week=5))
    [finding] = _rule(critique(plan, case, week=6), "revision.event_not_addressed")
    assert finding.severity == "problem"
    assert (
        "Loses her job" in finding.message and "PHQ-9 rose from 17 (week 0) to 21 (week 6)" in finding.message
    )


def test_plan_revised_for_the_event_is_not_flagged(case):
    plan = strong_plan(written_at_week=6, revised_for_events=["e-job"])
    plan.element("obj-phq").baseline = 21
    plan.element("obj-phq").target = 10
    plan.element("obj-phq").target_week = 18
    plan.element("obj-walk").target_week = 10
    plan.element("obj-sleep").target_week = 14
    plan.review.review_week = 14
    # Issue 14: a plan revised outside the drafting session must also speak of the event.
    plan.notes = (
        "Revised after the ward closed and she lost her job: PHQ-9 baseline 21, job search in activation."
    )
    assert not any(
        r.startswith("revision.")
        for r in rules_of(critique(plan, case, week=8), ("problem", "warning", "info"))
    )


def test_plan_written_after_the_event_without_recording_it_gets_a_note(case):
    plan = strong_plan(written_at_week=7)
    plan.notes = (
        "She lost her job when the ward closed; sessions stay in the evening."  # answers it, unrecorded
    )
    plan.element("obj-phq").baseline, plan.element("obj-phq").target_week = 21, 18  # the week-6 score
    found = _rule(critique(plan, case), "revision.event_not_acknowledged")
    assert [f.severity for f in found] == ["info"]


def test_plan_dated_after_the_exercise_week_is_flagged(case):
    plan = strong_plan(written_at_week=3)
    assert "revision.plan_ahead_of_case" in rules_of(critique(plan, case, week=1))
