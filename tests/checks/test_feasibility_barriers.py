"""Feasibility reasons about what a barrier blocks: what costs, where the person cannot get to, when they
cannot attend, and how long a waitlist runs."""

from itp_toolkit.checks import critique
from itp_toolkit.model import Barrier, Intervention
from tests.checks.builders import make_case, strong_plan


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def _only(case_barriers, **plan):
    """The case with only these barriers, and the strong plan (its sessions are evening telehealth) with no
    barrier plans."""
    return make_case(barriers=case_barriers), strong_plan(barriers=[], **plan)


def _set(plan, element_id, **changes):
    item = plan.element(element_id)
    for name, value in changes.items():
        setattr(item, name, value)
    return plan


EVENINGS = Barrier(
    id="b-evenings",
    text="Works evening shifts at the restaurant, Tuesday to Saturday",
    kind="work_hours",
    unavailable=["evening"],
)


# --- schedule ---------------------------------------------------------------------------------------------


def test_an_evening_group_clashes_with_evening_shifts():
    case, plan = _only([EVENINGS])
    for item_id in ("int-walk", "int-sleep"):
        _set(plan, item_id, time_of_day="daytime")
    _set(plan, "int-ba", format="group", delivery="in_person", time_of_day="evening", linked_facts=[])
    [finding] = _rule(critique(plan, case), "feasibility.schedule_clash")
    assert finding.element_id == "int-ba" and "evening shifts" in finding.message


def test_a_daytime_session_does_not_clash_with_evening_shifts():
    case, plan = _only([EVENINGS])
    for item_id in ("int-ba", "int-walk", "int-sleep"):
        _set(plan, item_id, time_of_day="daytime", linked_facts=[])
    assert _rule(critique(plan, case), "feasibility.schedule_clash") == []


def test_a_time_written_in_the_frequency_is_read_when_no_time_of_day_is_set():
    case, plan = _only([EVENINGS])
    for item_id in ("int-walk", "int-sleep"):
        _set(plan, item_id, time_of_day="daytime")
    _set(plan, "int-ba", time_of_day=None, frequency="Thursdays at 7 p.m.", linked_facts=[])
    assert [f.element_id for f in _rule(critique(plan, case), "feasibility.schedule_clash")] == ["int-ba"]


def test_an_afternoon_appointment_suits_someone_who_sleeps_in_the_morning_after_night_shifts():
    nights = Barrier(
        id="b-nights",
        text="Works nights and sleeps until early afternoon",
        kind="work_hours",
        unavailable=["night", "morning"],
    )
    case, plan = _only([nights])
    _set(plan, "int-ba", time_of_day="daytime", frequency="weekly at 3 p.m.", linked_facts=[])
    assert _rule(critique(plan, case), "feasibility.schedule_clash") == []
    _set(plan, "int-ba", frequency="weekly at 9 a.m.")
    assert [f.element_id for f in _rule(critique(plan, case), "feasibility.schedule_clash")] == ["int-ba"]


def test_more_sessions_a_week_than_the_person_can_attend_is_flagged():
    free = Barrier(
        id="b-two-jobs",
        text="Works days and evenings; free only on Saturdays",
        kind="work_hours",
        unavailable=["morning", "afternoon", "evening"],
        attend_at_most_per_week=1,
    )
    case, plan = _only([free])
    for item_id in ("int-ba", "int-walk"):
        _set(plan, item_id, time_of_day="weekend", frequency="weekly", linked_facts=[])
    [finding] = _rule(critique(plan, case), "feasibility.frequency_exceeds_availability")
    assert "Saturdays" in finding.message


# --- waitlist ---------------------------------------------------------------------------------------------

WAIT = Barrier(
    id="b-wait",
    text="Six-week waitlist for individual therapy at the clinic",
    kind="waitlist",
    applies_to="individual therapy",
    wait_weeks=6,
)


def _therapy_now(plan):
    for item_id in ("int-ba", "int-walk", "int-sleep"):
        _set(plan, item_id, format="individual", delivery="in_person", linked_facts=[])
    return plan


def test_therapy_starting_at_once_against_a_waitlist_with_no_bridge_is_flagged():
    case, plan = _only([WAIT])
    [finding] = _rule(critique(_therapy_now(plan), case), "feasibility.waitlist_no_bridge")
    assert "Six-week waitlist" in finding.message and "week 6" in finding.message


def test_a_bridge_that_lasts_until_the_therapy_starts_is_enough():
    case, plan = _only([WAIT])
    plan = _therapy_now(plan)
    plan.element("obj-walk").interventions.append(
        Intervention(
            id="int-bridge",
            description="Weekly skills group, which has no wait, until his therapy slot opens",
            format="group",
            frequency="weekly",
            duration="weeks 1-6",
            responsible_role="group facilitator",
        )
    )
    assert _rule(critique(plan, case), "feasibility.waitlist_no_bridge") == []


def test_a_bridge_that_ends_long_before_the_therapy_starts_is_not_enough():
    case, plan = _only([WAIT])
    plan = _therapy_now(plan)
    plan.element("obj-walk").interventions.append(
        Intervention(
            id="int-bridge",
            description="Two check-in calls from the peer specialist",
            format="peer_support",
            delivery="phone",
            frequency="weekly",
            duration="weeks 1-2",
            responsible_role="peer specialist",
        )
    )
    [finding] = _rule(critique(plan, case), "feasibility.waitlist_no_bridge")
    assert "week 2" in finding.message


def test_a_plan_written_after_the_wait_is_over_needs_no_bridge():
    case, plan = _only([WAIT], written_at_week=7)
    assert _rule(critique(_therapy_now(plan), case, week=7), "feasibility.waitlist_no_bridge") == []


# --- cost -------------------------------------------------------------------------------------------------

TESTING = Barrier(
    id="b-testing",
    text="Private psychological testing costs more than a month's wages",
    kind="cost",
    applies_to="private psychological testing",
)


def test_no_cost_warning_on_a_free_service_for_another_service_s_cost():
    case, plan = _only([TESTING])
    _set(plan, "int-ba", format="individual", description="CBT at the counselling centre, free to students")
    assert _rule(critique(plan, case), "feasibility.cost_unaddressed") == []


def test_the_service_that_costs_is_flagged():
    case, plan = _only([TESTING])
    _set(plan, "int-sleep", format="individual", description="Private psychological testing for ADHD")
    [finding] = _rule(critique(plan, case), "feasibility.cost_unaddressed")
    assert finding.element_id == "int-sleep" and "month's wages" in finding.message


def test_a_service_the_plan_says_is_free_is_never_a_cost_problem():
    copay = Barrier(id="b-copay", text="A 40-dollar copay per visit", kind="cost")
    case, plan = _only([copay])
    for item_id in ("int-ba", "int-walk", "int-sleep"):
        _set(
            plan,
            item_id,
            format="individual",
            description="Weekly sessions on the clinic's sliding scale, no copay",
        )
    assert _rule(critique(plan, case), "feasibility.cost_unaddressed") == []


# --- transport --------------------------------------------------------------------------------------------

BUS = Barrier(
    id="b-bus",
    text="Community psychiatry is 40 minutes away by bus and her parents work days",
    kind="transport",
    applies_to="community psychiatry clinic",
)


def test_no_transport_warning_for_sessions_where_the_person_already_is():
    case, plan = _only([BUS])
    _set(
        plan,
        "int-ba",
        delivery="in_person",
        description="Weekly CBT at the school health centre",
        linked_facts=[],
    )
    assert _rule(critique(plan, case), "feasibility.transport_in_person") == []


def test_weekly_visits_to_the_place_that_is_hard_to_reach_are_flagged():
    case, plan = _only([BUS])
    _set(
        plan,
        "int-ba",
        delivery="in_person",
        description="Weekly visits at the community psychiatry clinic",
        linked_facts=[],
    )
    assert [f.element_id for f in _rule(critique(plan, case), "feasibility.transport_in_person")] == [
        "int-ba"
    ]


def test_no_transport_warning_when_the_plan_says_how_the_person_gets_there():
    car = Barrier(id="b-car", text="Does not drive since his knee surgery", kind="transport")
    case, plan = _only([car])
    _set(
        plan,
        "int-ba",
        delivery="in_person",
        description="Weekly group at his church; his neighbour drives him",
        linked_facts=[],
    )
    assert _rule(critique(plan, case), "feasibility.transport_in_person") == []


# --- what a barrier plan really removes (issue 14, second round of patterns) --------------------------------


def test_a_hope_to_ask_for_time_off_does_not_remove_a_schedule_barrier():
    from itp_toolkit.model import BarrierPlan

    case, plan = _only([EVENINGS])
    for item_id in ("int-walk", "int-sleep"):
        _set(plan, item_id, time_of_day="daytime")
    _set(plan, "int-ba", format="group", delivery="in_person", time_of_day="evening")
    plan.barriers = [
        BarrierPlan(
            id="bar-ev", barrier_id="b-evenings", mitigation="She will ask her manager for fewer shifts"
        )
    ]
    assert [f.element_id for f in _rule(critique(plan, case), "feasibility.schedule_clash")] == ["int-ba"]
    plan.barriers[0].mitigation = "The group only on her fixed Tuesday night off"
    assert _rule(critique(plan, case), "feasibility.schedule_clash") == []


def test_a_stated_time_clashes_even_when_the_intervention_links_the_barrier():
    case, plan = _only([EVENINGS])
    for item_id in ("int-walk", "int-sleep"):
        _set(plan, item_id, time_of_day="daytime")
    _set(
        plan, "int-ba", time_of_day=None, frequency="Weekly, Thursdays at 7 p.m.", linked_facts=["b-evenings"]
    )
    assert [f.element_id for f in _rule(critique(plan, case), "feasibility.schedule_clash")] == ["int-ba"]


def test_a_promise_that_all_care_is_remote_does_not_cover_a_clinic_visit():
    from itp_toolkit.model import BarrierPlan

    car = Barrier(id="b-car", text="No car; the clinic is 90 minutes away", kind="transport")
    case, plan = _only([car])
    plan.barriers = [
        BarrierPlan(id="bar-car", barrier_id="b-car", mitigation="All care is by telehealth from home")
    ]
    _set(plan, "int-sleep", delivery="in_person", frequency="Monthly visits at the regional clinic")
    assert [f.element_id for f in _rule(critique(plan, case), "feasibility.transport_in_person")] == [
        "int-sleep"
    ]


def test_calls_and_texts_do_not_reach_a_phone_without_minutes():
    minutes = Barrier(
        id="b-minutes", text="His prepaid phone often runs out of minutes", kind="digital_access"
    )
    case, plan = _only([minutes])
    _set(plan, "int-walk", delivery="phone", description="Text reminders the evening before each session")
    found = _rule(critique(plan, case), "feasibility.telehealth_no_digital_access")
    assert "int-walk" in [f.element_id for f in found]


def test_a_group_for_a_person_who_cannot_follow_groups_is_flagged():
    hearing = Barrier(
        id="b-hearing",
        text="Cannot follow phone calls or groups without working hearing aids",
        kind="other",
        applies_to="phone calls and groups",
    )
    case, plan = _only([hearing])
    _set(plan, "int-ba", format="group", delivery="community")
    _set(plan, "int-walk", delivery="phone")
    found = {f.element_id for f in _rule(critique(plan, case), "feasibility.barrier_blocks_care")}
    assert found == {"int-ba", "int-walk"}


def test_care_planned_at_a_service_past_the_week_it_closes_is_flagged():
    closing = Barrier(
        id="b-closing",
        text="The school health centre closes for the summer in about ten weeks",
        kind="other",
        applies_to="the school health centre",
        ends_week=12,
    )
    case, plan = _only([closing])
    _set(plan, "int-ba", description="Weekly sessions at the school health centre", duration="weeks 2-20")
    [finding] = _rule(critique(plan, case), "feasibility.service_ends")
    assert finding.element_id == "int-ba" and "week 20" in finding.message
    _set(plan, "int-ba", duration="weeks 2-10")
    assert _rule(critique(plan, case), "feasibility.service_ends") == []


def test_a_child_or_relative_is_not_an_interpreter():
    from itp_toolkit.model import BarrierPlan

    lang = Barrier(id="b-lang", text="Prefers Spanish for anything emotional", kind="language")
    case, plan = _only([lang])
    plan.barriers = [
        BarrierPlan(id="bar-l", barrier_id="b-lang", mitigation="Her son will interpret when needed")
    ]
    [finding] = _rule(critique(plan, case), "feasibility.language_no_interpreter")
    assert "not interpreters" in finding.message
    plan.barriers[0].mitigation = "A professional Spanish interpreter by video at every session"
    assert _rule(critique(plan, case), "feasibility.language_no_interpreter") == []


def test_a_diary_is_not_a_bridge_to_therapy_on_a_waitlist():
    case, plan = _only([WAIT])
    plan = _therapy_now(plan)
    plan.element("obj-walk").interventions.append(
        Intervention(
            id="int-diary",
            description="Keeps a sleep and mood diary",
            format="self_help",
            delivery="self_directed",
            frequency="daily",
            responsible_role="client",
        )
    )
    assert _rule(critique(plan, case), "feasibility.waitlist_no_bridge") != []
