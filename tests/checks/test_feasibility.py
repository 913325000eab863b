import pytest

from itp_toolkit.checks import critique
from itp_toolkit.checks.feasibility import at_least_weekly
from itp_toolkit.model import Barrier, BarrierPlan
from tests.checks.builders import make_case, strong_plan


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


@pytest.mark.parametrize(
    "text, weekly",
    [
        ("weekly", True),
        ("twice a week", True),
        ("3x/week", True),
        ("every week", True),
        ("daily", True),
        ("every 2 weeks", False),
        ("every other week", False),
        ("monthly", False),
        ("", False),
        ("biweekly", False),
    ],
)
def test_frequency_reading(text, weekly):
    assert at_least_weekly(text) is weekly


def _in_clinic(plan, element_id="int-ba", **changes):
    item = plan.element(element_id)
    item.delivery, item.linked_facts = "in_person", []
    for k, v in changes.items():
        setattr(item, k, v)
    return plan


def test_weekly_in_person_sessions_with_a_transport_barrier_are_flagged_with_alternatives(case):
    plan = _in_clinic(strong_plan(barriers=[]))
    [finding] = _rule(critique(plan, case), "feasibility.transport_in_person")
    assert finding.element_id == "int-ba" and "No car" in finding.message
    assert "telehealth" in finding.suggestion and finding.evidence[0].startswith("Barrier: No car")


def test_mitigated_transport_barrier_or_fortnightly_sessions_are_not_flagged(case):
    plan = _in_clinic(strong_plan())  # keeps the bar-bus barrier plan
    assert _rule(critique(plan, case), "feasibility.transport_in_person") == []
    plan = _in_clinic(strong_plan(barriers=[]), frequency="every 2 weeks")
    assert _rule(critique(plan, case), "feasibility.transport_in_person") == []


def test_daytime_sessions_for_a_night_worker_are_flagged(case):
    plan = _in_clinic(strong_plan(barriers=[]), time_of_day="daytime")
    [finding] = _rule(critique(plan, case), "feasibility.schedule_clash")
    assert "evening" in finding.suggestion


def test_waitlist_without_a_bridge_is_flagged_and_a_group_bridges_it():
    case = make_case(barriers=[Barrier(id="b-wait", text="Six-week waitlist for therapy", kind="waitlist")])
    plan = strong_plan(barriers=[])
    for eid in ("int-ba", "int-walk", "int-sleep"):
        _in_clinic(plan, eid)
    [finding] = _rule(critique(plan, case), "feasibility.waitlist_no_bridge")
    assert "Six-week waitlist" in finding.message
    plan.element("int-walk").format = "peer_support"
    assert _rule(critique(plan, case), "feasibility.waitlist_no_bridge") == []


def test_cost_barrier_with_only_paid_individual_care_is_flagged():
    case = make_case(barriers=[Barrier(id="b-cost", text="Uninsured; $40 copay is too much", kind="cost")])
    [finding] = _rule(critique(strong_plan(barriers=[]), case), "feasibility.cost_unaddressed")
    assert "sliding-scale" in finding.suggestion


def test_language_barrier_needs_an_interpreter_or_concordant_care():
    case = make_case(barriers=[Barrier(id="b-lang", text="Prefers Tagalog for feelings", kind="language")])
    [finding] = _rule(critique(strong_plan(barriers=[]), case), "feasibility.language_no_interpreter")
    assert "Tagalog" in finding.suggestion
    plan = strong_plan(
        barriers=[BarrierPlan(barrier_id="b-lang", mitigation="Professional interpreter each session")]
    )
    assert _rule(critique(plan, case), "feasibility.language_no_interpreter") == []


def test_telehealth_without_digital_access_is_flagged():
    case = make_case(
        barriers=[Barrier(id="b-phone", text="Shared phone, no data plan", kind="digital_access")]
    )
    found = _rule(critique(strong_plan(barriers=[]), case), "feasibility.telehealth_no_digital_access")
    assert {f.element_id for f in found} == {"int-ba", "int-walk", "int-sleep"}


def test_weekly_clinic_visits_without_childcare_are_flagged():
    case = make_case(barriers=[Barrier(id="b-kids", text="Twin toddlers, no childcare", kind="childcare")])
    plan = _in_clinic(strong_plan(barriers=[]))
    assert [f.element_id for f in _rule(critique(plan, case), "feasibility.childcare_in_person")] == [
        "int-ba"
    ]
