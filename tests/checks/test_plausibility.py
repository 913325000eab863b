"""Targets checked against published evidence: rates of change, floors, tapering, ramps and risk behaviour."""

import pytest

from itp_toolkit.checks import RULES, critique
from itp_toolkit.model import Intervention
from tests.checks.builders import strong_plan


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def _objective(plan, **changes):
    obj = plan.element("obj-walk")
    for name, value in changes.items():
        setattr(obj, name, value)
    return plan


def _about(findings, element_id="obj-walk"):
    return {f.rule for f in findings if f.element_id == element_id}


# --- score floors and rates of change --------------------------------------------------------------------


def test_a_phq9_target_of_zero_is_implausible_even_with_time_and_says_remission_is_below_5(case):
    plan = strong_plan()
    plan.element("obj-phq").target, plan.element("obj-phq").target_week = 0, 20
    [finding] = _rule(critique(plan, case), "smart.implausible_target")
    assert finding.element_id == "obj-phq" and "below 5" in finding.message + finding.suggestion


def test_a_gad7_target_at_its_floor_is_implausible():
    from itp_toolkit.model import MeasurePoint
    from tests.checks.builders import make_case

    case = make_case(
        measures=[
            MeasurePoint(instrument="PHQ-9", week=0, score=17),
            MeasurePoint(instrument="GAD-7", week=0, score=15),
        ]
    )
    plan = strong_plan()
    obj = plan.element("obj-phq")
    obj.measure, obj.baseline, obj.target, obj.target_week = "GAD-7", 15, 0, 16
    assert [f.element_id for f in _rule(critique(plan, case), "smart.implausible_target")] == ["obj-phq"]


def test_a_remission_target_just_below_the_line_is_plausible(case):
    plan = strong_plan()
    plan.element("obj-phq").target, plan.element("obj-phq").target_week = 4, 16
    assert _rule(critique(plan, case), "smart.implausible_target") == []


def test_a_count_target_at_its_ceiling_from_a_low_baseline_is_implausible(case):
    plan = _objective(
        strong_plan(),
        description="Sleeps seven hours every night",
        measure="Nights a week with 7 hours of sleep",
        baseline=1,
        target=7,
        target_week=10,
    )
    [finding] = _rule(critique(plan, case), "smart.implausible_target")
    assert finding.element_id == "obj-walk" and "every" in finding.message


def test_a_risk_item_targeted_at_zero_is_the_aim_not_a_floor(case):
    plan = _objective(strong_plan(), measure="PHQ-9 item 9", baseline=1, target=0, target_week=6)
    assert "smart.implausible_target" not in _about(critique(plan, case))


def test_the_rate_of_change_rule_cites_the_time_treatment_usually_takes():
    rule = RULES["smart.implausible_target"]
    assert "Trivedi" in rule.source and "8 weeks" in rule.rationale


# --- behaviour and attendance that ramp from the baseline ------------------------------------------------


def test_a_behaviour_from_zero_expected_in_full_within_a_week_is_flagged(case):
    plan = _objective(
        strong_plan(), description="Walks with her sister 5 mornings a week", target=5, target_week=1
    )
    [finding] = _rule(critique(plan, case), "smart.no_step_up")
    assert finding.element_id == "obj-walk" and finding.severity == "warning"
    assert "step" in finding.suggestion.lower()


def test_the_same_behaviour_built_up_over_weeks_is_fine(case):
    plan = _objective(
        strong_plan(), description="Walks with her sister 5 mornings a week", target=5, target_week=8
    )
    assert "smart.no_step_up" not in _about(critique(plan, case))


def test_attendance_from_rarely_to_always_at_once_is_flagged(case):
    plan = _objective(
        strong_plan(),
        description="Attends all of her lectures",
        measure="Percent of lectures attended",
        baseline=10,
        target=100,
        target_week=2,
    )
    assert "smart.no_step_up" in _about(critique(plan, case))


# --- long-term benzodiazepines are tapered, never stopped at once ----------------------------------------


def test_stopping_a_benzodiazepine_within_two_weeks_is_a_safety_problem(case):
    plan = _objective(
        strong_plan(),
        description="Stops the lorazepam she takes every night",
        measure="Lorazepam mg per night",
        baseline=2,
        target=0,
        target_week=2,
    )
    [finding] = _rule(critique(plan, case), "smart.abrupt_discontinuation")
    assert finding.severity == "problem" and finding.element_id == "obj-walk"
    assert "5-10%" in finding.suggestion and "2-4 weeks" in finding.suggestion


def test_a_taper_faster_than_a_quarter_every_two_weeks_is_flagged(case):
    plan = _objective(
        strong_plan(),
        description="Reduces nightly clonazepam",
        measure="Clonazepam mg per day",
        baseline=2,
        target=0.5,
        target_week=2,
    )
    assert "smart.abrupt_discontinuation" in _about(critique(plan, case))


def test_a_gradual_taper_agreed_with_the_prescriber_passes(case):
    plan = _objective(
        strong_plan(),
        description="Tapers nightly clonazepam with her prescriber",
        measure="Clonazepam mg per day",
        baseline=2,
        target=1.5,
        target_week=8,
    )
    assert "smart.abrupt_discontinuation" not in _about(critique(plan, case))


def test_an_intervention_that_stops_a_benzodiazepine_at_once_is_flagged(case):
    plan = strong_plan()
    plan.element("obj-sleep").interventions.append(
        Intervention(
            id="int-stop",
            description="Stop her Xanax now and replace it with sleep hygiene",
            frequency="once",
            responsible_role="nurse practitioner",
        )
    )
    assert [f.element_id for f in _rule(critique(plan, case), "smart.abrupt_discontinuation")] == ["int-stop"]


def test_an_intervention_that_tapers_a_benzodiazepine_passes(case):
    plan = strong_plan()
    plan.element("obj-sleep").interventions.append(
        Intervention(
            id="int-taper",
            description="Her prescriber tapers the Xanax by about 10% every 2-4 weeks, paused if withdrawal "
            "appears",
            frequency="every 2 weeks",
            responsible_role="nurse practitioner",
        )
    )
    assert _rule(critique(plan, case), "smart.abrupt_discontinuation") == []


def test_the_taper_rule_cites_the_2025_joint_guideline():
    source = RULES["smart.abrupt_discontinuation"].source
    assert "2025" in source and "Benzodiazepine Tapering" in source and "ASAM" in source


# --- risk behaviour expected to stop at once -------------------------------------------------------------


@pytest.mark.parametrize(
    "description, measure, baseline",
    [
        ("No self-harm", "Self-harm episodes per week", 3),
        ("Stops drinking", "Drinks per day", 12),
        ("Stops using cannabis", "Days a week using cannabis", 7),
    ],
)
def test_a_risk_behaviour_expected_to_stop_at_once_is_flagged(case, description, measure, baseline):
    plan = _objective(
        strong_plan(), description=description, measure=measure, baseline=baseline, target=0, target_week=1
    )
    [finding] = _rule(critique(plan, case), "smart.risk_behaviour_stops_at_once")
    assert finding.element_id == "obj-walk"


def test_a_risk_behaviour_with_a_step_down_passes(case):
    plan = _objective(
        strong_plan(),
        description="Fewer drinks on work nights",
        measure="Drinks per day",
        baseline=12,
        target=6,
        target_week=4,
    )
    assert "smart.risk_behaviour_stops_at_once" not in _about(critique(plan, case))


def test_stopping_heavy_drinking_at_once_mentions_withdrawal(case):
    plan = _objective(
        strong_plan(),
        description="Stops drinking",
        measure="Drinks per day",
        baseline=12,
        target=0,
        target_week=1,
    )
    [finding] = _rule(critique(plan, case), "smart.risk_behaviour_stops_at_once")
    assert "withdrawal" in (finding.message + finding.suggestion).lower()


def test_every_rule_cites_a_source():
    assert all(rule.source.strip() for rule in RULES.values())
