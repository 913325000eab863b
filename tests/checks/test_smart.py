from itp_toolkit.checks import critique
from itp_toolkit.model import Objective
from tests.checks.builders import rules_of, strong_plan


def _findings(case, plan, rule):
    return [f for f in critique(plan, case) if f.rule == rule]


def test_objective_without_target_week_or_date_is_a_problem_naming_it(case):
    plan = strong_plan()
    plan.element("obj-walk").target_week = None
    [finding] = _findings(case, plan, "smart.no_target_date")
    assert finding.severity == "problem" and finding.element_id == "obj-walk"
    assert (
        "'Walks with her sister 3 mornings a week after shifts' has no target week or date" in finding.message
    )
    assert "week 8" in finding.suggestion  # before the plan's review


def test_vague_objective_without_numbers_is_not_specific(case):
    plan = strong_plan()
    plan.element("obj-walk").description = "Feel better and reduce symptoms"
    assert [f.element_id for f in _findings(case, plan, "smart.not_specific")] == ["obj-walk"]


def test_specific_behaviour_with_a_count_is_not_flagged_as_vague(case):
    plan = strong_plan()
    plan.element("obj-walk").description = "Sleeps better: 6 hours after 4 of 5 night shifts"
    assert _findings(case, plan, "smart.not_specific") == []


def test_objective_without_a_measure_is_a_problem(case):
    plan = strong_plan()
    plan.element("obj-walk").measure = ""
    assert [f.severity for f in _findings(case, plan, "smart.no_measure")] == ["problem"]


def test_counted_objective_needs_a_baseline_and_a_target(case):
    plan = strong_plan()
    plan.element("obj-walk").baseline = None
    plan.element("obj-walk").target = None
    assert {"smart.no_baseline", "smart.no_target"} <= rules_of(critique(plan, case))


def test_target_week_on_or_before_the_plan_week_is_flagged(case):
    plan = strong_plan(written_at_week=6, revised_for_events=["e-job"])
    plan.element("obj-walk").target_week = 6
    assert [f.element_id for f in _findings(case, plan, "smart.target_week_passed")] == ["obj-walk"]


def test_target_outside_the_instrument_range_is_a_problem(case):
    plan = strong_plan()
    plan.element("obj-phq").target = 30
    [finding] = _findings(case, plan, "smart.target_out_of_range")
    assert "0-27" in finding.message and finding.severity == "problem"


def test_item_level_measure_is_checked_against_the_item_range(case):
    plan = strong_plan()
    obj = plan.element("obj-walk")
    obj.measure, obj.baseline, obj.target = "PHQ-9 item 9", 4, 0
    assert [f.element_id for f in _findings(case, plan, "smart.target_out_of_range")] == ["obj-walk"]


def test_phq9_from_27_to_0_in_four_weeks_is_not_achievable(case):
    plan = strong_plan()
    obj = plan.element("obj-phq")
    obj.baseline, obj.target, obj.target_week = 27, 0, 4
    [finding] = _findings(case, plan, "smart.implausible_target")
    assert "27 -> 0" in finding.message and "13 or lower" in finding.suggestion


def test_a_halving_in_three_weeks_is_not_achievable_but_in_twelve_it_is(case):
    plan = strong_plan()
    plan.element("obj-phq").target_week = 3
    assert len(_findings(case, plan, "smart.implausible_target")) == 1
    plan.element("obj-phq").target_week = 12
    assert _findings(case, plan, "smart.implausible_target") == []


def test_objective_unrelated_to_its_goal_is_an_info_note(case):
    plan = strong_plan()
    plan.problems[1].goals[0].objectives.append(
        Objective(
            id="obj-tax",
            description="Files the tax return",
            measure="forms filed",
            baseline=0,
            target=1,
            target_week=4,
            interventions=plan.element("obj-sleep").interventions[:0],
        )
    )
    found = [f for f in critique(plan, case) if f.rule == "smart.not_relevant"]
    assert [(f.element_id, f.severity) for f in found] == [("obj-tax", "info")]
