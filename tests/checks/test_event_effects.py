"""What a timeline event changes, read from the case's structured event effects: a plan revised for the event
that still counts on a medication it stopped, a service it closes or a barrier it removed is out of date; and
care that relies on someone to get there at a time the case says they are not free is not feasible."""

from __future__ import annotations

import pytest

from itp_toolkit.checks import critique
from itp_toolkit.model import (
    Barrier,
    BarrierPlan,
    Escort,
    EventEnd,
    Intervention,
    Objective,
    TimelineEvent,
)
from tests.checks.builders import make_case, strong_plan

RELIES = "revision.relies_on_what_ended"
ESCORT = "feasibility.escort_unavailable"


def _of(findings, rule):
    return [f for f in findings if f.rule == rule]


def _event(**overrides) -> TimelineEvent:
    data = dict(
        id="e-stop",
        week=6,
        title="She stops her antidepressant after a news story",
        description="She stopped the sertraline her doctor started at intake after reading a news story.",
    )
    data.update(overrides)
    return TimelineEvent(**data)


def _medication(description: str) -> Intervention:
    return Intervention(
        id="int-med",
        description=description,
        modality="antidepressant medication",
        format="medication",
        delivery="telehealth",
        frequency="monthly",
        time_of_day="evening",
        responsible_role="primary-care doctor",
    )


def _revised_plan(item: Intervention, week: int = 6, events=("e-stop",)):
    plan = strong_plan(written_at_week=week, revised_for_events=list(events))
    plan.element("obj-phq").interventions.append(item)
    plan.element("obj-phq").baseline = 17
    return plan


@pytest.fixture
def stopped_case():
    return make_case(
        timeline=[_event(ends=[EventEnd(what="sertraline", kind="medication", also_called=["Zoloft"])])]
    )


# ------------------------------------------------------------------------------------- what an event ends


def test_an_intervention_continuing_a_medication_the_event_stopped_is_flagged(stopped_case):
    plan = _revised_plan(_medication("Continues sertraline 50 mg, reviewed by her doctor"))
    found = _of(critique(plan, stopped_case), RELIES)
    assert [f.element_id for f in found] == ["int-med"]
    assert found[0].severity == "warning"
    assert "'Continues sertraline 50 mg, reviewed by her doctor'" in found[0].message
    assert "She stops her antidepressant after a news story" in found[0].message
    assert "sertraline was stopped" in found[0].message
    assert "restart offered" in found[0].suggestion
    assert found[0].evidence == ("Week 6: She stops her antidepressant after a news story",)


def test_a_brand_name_counts_as_the_medication(stopped_case):
    plan = _revised_plan(_medication("Zoloft continued with monthly checks"))
    assert [f.element_id for f in _of(critique(plan, stopped_case), RELIES)] == ["int-med"]


def test_an_element_that_answers_the_stop_is_not_flagged(stopped_case):
    for text in (
        "A visit with her doctor about sertraline and breastfeeding, so she can decide; a restart is offered",
        "Sertraline stopped at week 6: her doctor reviews her choice in two weeks",
    ):
        plan = _revised_plan(_medication(text))
        assert _of(critique(plan, stopped_case), RELIES) == [], text


def test_a_medication_brought_back_by_a_later_event_may_be_continued(stopped_case):
    case = make_case(
        timeline=[
            *stopped_case.timeline,
            TimelineEvent(
                id="e-back",
                week=10,
                title="Back on her antidepressant",
                description="She restarted sertraline at week 8 after talking it through with her doctor.",
                restarts=["sertraline"],
            ),
        ]
    )
    plan = _revised_plan(_medication("Continues sertraline 50 mg"), week=10, events=("e-stop", "e-back"))
    assert _of(critique(plan, case), RELIES) == []
    assert [f.element_id for f in _of(critique(plan, case, week=10), RELIES)] == []
    # At week 6 the stop is what the plan must answer.
    plan6 = _revised_plan(_medication("Continues sertraline 50 mg"))
    assert _of(critique(plan6, case, week=10), RELIES) != []


def test_a_plan_written_before_the_event_gets_the_not_revised_problem_not_this_one(stopped_case):
    plan = strong_plan()
    plan.element("obj-phq").interventions.append(_medication("Continues sertraline 50 mg"))
    findings = critique(plan, stopped_case, week=6)
    assert _of(findings, RELIES) == []
    assert "revision.event_not_addressed" in {f.rule for f in findings}


def test_a_service_that_closes_is_flagged_only_where_care_runs_past_its_last_week():
    case = make_case(
        timeline=[
            _event(
                id="e-close",
                week=6,
                title="The parish centre closes for the summer in two weeks",
                description="The parish centre that hosts her sessions closes for the summer at week 8.",
                ends=[
                    EventEnd(
                        what="the parish centre", kind="service", also_called=["parish hall"], from_week=8
                    )
                ],
            )
        ]
    )
    walk = Intervention(
        id="int-group",
        description="Walking group at the parish centre",
        format="group",
        delivery="community",
        frequency="weekly",
        duration="weeks 6-20",
        time_of_day="evening",
        responsible_role="parish volunteer",
    )
    plan = _revised_plan(walk, events=("e-close",))
    found = _of(critique(plan, case), RELIES)
    assert [f.element_id for f in found] == ["int-group"]
    assert "closes at week 8 and this runs to week 20" in found[0].message
    assert "handover before week 8" in found[0].suggestion
    walk.duration = "weeks 6-8"
    assert _of(critique(_revised_plan(walk, events=("e-close",)), case), RELIES) == []
    walk.duration = "weeks 6-20"
    walk.description = "Walking group at the parish centre until it closes, then at the library"
    assert _of(critique(_revised_plan(walk, events=("e-close",)), case), RELIES) == []


# ---------------------------------------------------------------------------- barriers an event resolves


@pytest.fixture
def bus_solved_case():
    return make_case(
        timeline=[
            _event(
                id="e-car",
                title="Her sister gives her a car",
                description="Her sister gave her the family's old car; she now drives to the clinic.",
                resolves=["b-bus"],
            )
        ]
    )


def _bus_pass_step() -> Objective:
    return Objective(
        id="obj-bus-pass",
        kind="completion",
        description="Reduced-fare bus pass application sent",
        who="Trainee therapist with her",
        target_week=8,
        interventions=[
            Intervention(
                id="int-bus-pass",
                description="Help with the reduced-fare bus pass form in session",
                delivery="telehealth",
                frequency="once",
                time_of_day="evening",
                responsible_role="trainee therapist",
                linked_facts=["b-bus"],
            )
        ],
    )


def test_a_dated_step_toward_a_barrier_the_event_removed_is_flagged(bus_solved_case):
    plan = strong_plan(written_at_week=6, revised_for_events=["e-car"])
    plan.element("obj-phq").baseline = 17
    plan.element("gol-sing").objectives.append(_bus_pass_step())
    found = _of(critique(plan, bus_solved_case), RELIES)
    assert [f.element_id for f in found] == ["obj-bus-pass"]
    assert "'Reduced-fare bus pass application sent'" in found[0].message
    assert "'No car; the clinic is 40 minutes by bus'" in found[0].message
    assert "Her sister gives her a car" in found[0].message
    # The same step in a plan written before the car: nothing to say.
    before = strong_plan()
    before.element("gol-sing").objectives.append(_bus_pass_step())
    assert _of(critique(before, bus_solved_case), RELIES) == []


def test_a_removed_barrier_needs_no_mitigation_and_blocks_nothing(bus_solved_case):
    weekly_visit = Intervention(
        id="int-clinic",
        description="Weekly behavioural activation at the clinic",
        delivery="in_person",
        frequency="weekly",
        time_of_day="evening",
        responsible_role="trainee therapist",
    )
    plan = strong_plan(
        written_at_week=6,
        revised_for_events=["e-car"],
        barriers=[
            BarrierPlan(id="bar-shift", barrier_id="b-shifts", mitigation="Evening sessions before her shift")
        ],
    )
    plan.element("obj-phq").baseline = 17
    plan.element("obj-phq").interventions.append(weekly_visit)
    plan.element("int-ba").linked_facts = ["b-shifts"]
    findings = critique(plan, bus_solved_case)
    assert "b-bus" not in {f.subject for f in _of(findings, "individual.barrier_unaddressed")}
    assert _of(findings, "feasibility.transport_in_person") == []
    # Before the event the bus is still the barrier.
    before = critique(
        plan.model_copy(update={"written_at_week": 0, "revised_for_events": []}), bus_solved_case
    )
    assert "b-bus" in {f.subject for f in _of(before, "individual.barrier_unaddressed")}
    assert [f.element_id for f in _of(before, "feasibility.transport_in_person")] == ["int-clinic"]


# ------------------------------------------------------------------------ who takes the person, and when


@pytest.fixture
def sister_drives_case():
    return make_case(
        barriers=[
            Barrier(
                id="b-bus",
                text="No car; the clinic is 40 minutes by bus; her sister, who could drive her, works days",
                kind="transport",
                escorts=[
                    Escort(who="her sister", also_called=["sister"], unavailable=["morning", "afternoon"])
                ],
            ),
            Barrier(
                id="b-shifts",
                text="Works nights and sleeps in the day",
                kind="work_hours",
                unavailable=["night"],
            ),
        ]
    )


def _clinic(description: str, **overrides) -> Intervention:
    data = dict(
        id="int-clinic",
        description=description,
        delivery="in_person",
        frequency="weekly",
        time_of_day="daytime",
        responsible_role="trainee therapist",
    )
    data.update(overrides)
    return Intervention(**data)


def _with(item: Intervention):
    plan = strong_plan()
    plan.element("obj-phq").interventions.append(item)
    return plan


def test_care_reached_only_with_someone_at_a_time_they_are_not_free_is_flagged(sister_drives_case):
    found = _of(
        critique(
            _with(_clinic("Group at the clinic, Tuesdays at 2 p.m.; her sister drives her")),
            sister_drives_case,
        ),
        ESCORT,
    )
    assert [f.element_id for f in found] == ["int-clinic"]
    assert "in the afternoon and relies on her sister to get there" in found[0].message
    assert "Choose a time her sister can take her" in found[0].suggestion


def test_the_plans_own_arrangement_for_the_barrier_counts_when_the_intervention_links_it(sister_drives_case):
    plan = _with(_clinic("Psychiatric review at the clinic", linked_facts=["b-bus"]))
    plan.barriers[0].mitigation = "Her sister drives her to the clinic"
    assert [f.element_id for f in _of(critique(plan, sister_drives_case), ESCORT)] == ["int-clinic"]


@pytest.mark.parametrize(
    "description, time_of_day",
    [
        ("Group at the clinic at 6 p.m.; her sister drives her", "evening"),  # the sister is free then
        ("Group at the clinic, Tuesdays at 2 p.m.; her sister joins by video", "daytime"),  # no journey
        ("Group at the clinic, Tuesdays at 2 p.m.; she takes the bus with a fare card", "daytime"),
    ],
)
def test_no_clash_when_the_escort_is_free_or_not_needed(sister_drives_case, description, time_of_day):
    plan = _with(_clinic(description, time_of_day=time_of_day))
    assert _of(critique(plan, sister_drives_case), ESCORT) == []
