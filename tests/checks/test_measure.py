import pytest

from itp_toolkit.checks import critique
from itp_toolkit.checks.measure import published_target
from itp_toolkit.model.measures import get_instrument
from tests.checks.builders import make_case, strong_plan


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


@pytest.mark.parametrize(
    "code, baseline, threshold",
    [
        ("PHQ-9", 17, 8.5),  # response: a 50% drop
        ("PHQ-9", 8, 4),  # remission below 5 is the easier bar from a mild baseline
        ("GAD-7", 15, 10.95),  # a 27% drop
        ("GAD-7", 11, 9),  # below the cut-off 10
        ("PCL-5", 50, 40),  # 10 points
        ("AUDIT", 18, 15),  # zone III -> top of zone II
        ("AUDIT", 25, 19),
    ],
)
def test_published_targets_follow_the_publishers_rules(code, baseline, threshold):
    value, _ = published_target(get_instrument(code), baseline)
    assert value == pytest.approx(threshold)


@pytest.mark.parametrize("code, baseline", [("PHQ-9", 3), ("GAD-7", 7), ("AUDIT", 5), ("PCL-5", 6)])
def test_no_published_target_when_already_in_the_aimed_for_range(code, baseline):
    assert published_target(get_instrument(code), baseline)[0] is None


def test_missing_baseline_suggests_her_latest_score_and_the_response_target(case):
    plan = strong_plan()
    plan.element("obj-phq").baseline = None
    [finding] = _rule(critique(plan, case), "measure.no_baseline")
    assert "Her latest PHQ-9 is 17 (week 0)" in finding.suggestion and "8 or lower" in finding.suggestion
    assert finding.evidence == ("PHQ-9 17 (week 0)",)


def test_baseline_must_be_the_latest_score_at_the_plan_week(case):
    plan = strong_plan(written_at_week=6, revised_for_events=["e-job"])
    [finding] = _rule(critique(plan, case), "measure.baseline_not_latest")
    assert "21 (week 6)" in finding.message and "10 or lower" in finding.suggestion


def test_target_at_or_above_baseline_is_a_problem(case):
    plan = strong_plan()
    plan.element("obj-phq").target = 17
    [finding] = _rule(critique(plan, case), "measure.target_not_lower")
    assert finding.severity == "problem"


@pytest.mark.parametrize(
    "code, baseline, target, flagged",
    [
        ("PHQ-9", 17, 12, True),
        ("PHQ-9", 17, 8, False),
        ("PHQ-9", 17, 8.5, False),
        ("GAD-7", 15, 12, True),
        ("GAD-7", 15, 10, False),
        ("PCL-5", 50, 42, True),
        ("PCL-5", 50, 40, False),
        ("AUDIT", 18, 16, True),
        ("AUDIT", 18, 15, False),
    ],
)
def test_target_short_of_the_published_change_rule_is_a_warning(code, baseline, target, flagged):
    case = make_case(measures=[{"instrument": code, "week": 0, "score": baseline}], timeline=[])
    plan = strong_plan()
    obj = plan.element("obj-phq")
    obj.measure, obj.baseline, obj.target, obj.target_week = code, baseline, target, 16
    assert bool(_rule(critique(plan, case), "measure.target_short_of_published")) is flagged


def test_standard_measure_without_remeasurement_is_flagged(case):
    plan = strong_plan()
    plan.element("obj-phq").remeasure_every_weeks = None
    assert [f.element_id for f in _rule(critique(plan, case), "measure.no_remeasure")] == ["obj-phq"]


def test_remeasurement_that_comes_after_the_target_week_is_flagged(case):
    plan = strong_plan()
    plan.element("obj-phq").remeasure_every_weeks = 16
    [finding] = _rule(critique(plan, case), "measure.remeasure_after_target")
    assert "every 16 weeks" in finding.message


def test_measure_the_case_never_gave_is_an_info_note(case):
    plan = strong_plan()
    obj = plan.element("obj-phq")
    obj.measure, obj.baseline, obj.target = "GAD-7", 12, 8
    [finding] = _rule(critique(plan, case), "measure.no_case_score")
    assert finding.severity == "info"
