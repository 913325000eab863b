"""Completion objectives ('done by week N, by whom') have their own SMART rules and no measure rules."""

from itp_toolkit.checks import critique, individualization_score
from itp_toolkit.model import Objective
from tests.checks.builders import rules_of, strong_plan


def _with(plan, objective):
    plan.element("gol-sing").objectives.append(objective)
    return plan


def _assessment(**changes):
    data = dict(
        id="obj-assess",
        kind="completion",
        description="Sleep-medicine assessment booked and attended",
        who="She books it; the trainee sends the referral",
        target_week=4,
        interventions=[
            {
                "id": "int-referral",
                "description": "Referral letter to the sleep clinic, sent the same week",
                "frequency": "once",
                "responsible_role": "trainee therapist",
            }
        ],
    )
    data.update(changes)
    return Objective(**data)


def test_a_dated_completion_objective_is_not_asked_for_a_measure_baseline_or_target(case):
    findings = critique(_with(strong_plan(), _assessment()), case)
    flagged = {f.rule for f in findings if f.element_id == "obj-assess"}
    assert flagged == set(), [f.message for f in findings if f.element_id == "obj-assess"]


def test_a_completion_objective_without_a_date_is_still_a_problem(case):
    findings = critique(_with(strong_plan(), _assessment(target_week=None)), case)
    assert [f.rule for f in findings if f.element_id == "obj-assess"] == ["smart.no_target_date"]


def test_a_completion_objective_that_says_nobody_does_it_is_flagged(case):
    findings = critique(_with(strong_plan(), _assessment(who="")), case)
    [finding] = [f for f in findings if f.element_id == "obj-assess"]
    assert finding.rule == "smart.no_responsible" and finding.severity == "warning"
    assert "who" in finding.suggestion.lower()


def test_a_completion_objective_that_names_no_step_is_not_specific(case):
    findings = critique(_with(strong_plan(), _assessment(description="Work on safety")), case)
    assert "smart.not_specific" in {f.rule for f in findings if f.element_id == "obj-assess"}


def test_a_one_off_step_written_as_a_measured_objective_is_not_flagged_for_missing_numbers(case):
    one_off = _assessment(kind="measured", who="")
    one_off.description = "Sleep-medicine assessment booked and attended by week 4"
    findings = critique(_with(strong_plan(), one_off), case)
    about = {f.rule: f for f in findings if f.element_id == "obj-assess"}
    assert not {"smart.no_measure", "smart.no_target", "smart.no_baseline"} & set(about)
    assert about["smart.one_off_step_as_measured"].severity == "info"


def test_completion_objectives_count_as_specific_in_the_individualization_score(case):
    plan = strong_plan()
    before = individualization_score(plan, case).breakdown
    after = individualization_score(_with(plan.model_copy(deep=True), _assessment()), case).breakdown
    numbers = {c.name: c for c in before}["specific numbers"]
    assert {c.name: c for c in after}["specific numbers"].points == numbers.points == 20


def test_a_strong_plan_with_a_completion_objective_raises_nothing(case):
    assert rules_of(critique(_with(strong_plan(), _assessment()), case)) == set()
