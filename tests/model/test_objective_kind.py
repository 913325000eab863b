"""Objective kinds: a measured objective counts something; a completion objective is a dated one-off step."""

import json

import pytest
from pydantic import ValidationError

from itp_toolkit.model import EventRevision, Objective, TreatmentPlan
from itp_toolkit.model.plan import plan_changes


def test_an_objective_is_measured_unless_it_says_otherwise():
    assert Objective(description="Walks 3 mornings a week").kind == "measured"


def test_a_completion_objective_names_what_is_done_who_does_it_and_by_when():
    obj = Objective(
        kind="completion",
        description="Safety plan written and shared with her sister",
        who="She and her therapist",
        target_week=2,
    )
    assert (obj.kind, obj.who, obj.target_week) == ("completion", "She and her therapist", 2)


@pytest.mark.parametrize(
    "field, value",
    [("baseline", 0), ("target", 1), ("measure", "Done (yes/no)"), ("remeasure_every_weeks", 2)],
)
def test_a_completion_objective_carries_no_measure_baseline_target_or_remeasurement(field, value):
    with pytest.raises(ValidationError, match="completion objective"):
        Objective(kind="completion", description="Assessment booked", target_week=3, **{field: value})


def test_plan_json_written_before_objective_kinds_loads_as_measured():
    old = {
        "case_id": "case-demo",
        "problems": [
            {
                "statement": "Low mood",
                "goals": [{"statement": "Feel like myself", "objectives": [{"description": "Walks daily"}]}],
            }
        ],
    }
    plan = TreatmentPlan.model_validate_json(json.dumps(old))
    [(_, _, obj)] = list(plan.objectives())
    assert obj.kind == "measured" and obj.who == "" and plan.event_revisions == []


def test_plan_changes_names_the_elements_and_sections_that_differ():
    base = TreatmentPlan(
        case_id="case-demo",
        safety_plan="Crisis line 988",
        problems=[
            {
                "id": "prb-a",
                "statement": "Low mood",
                "goals": [
                    {
                        "id": "gol-a",
                        "statement": "Feel like myself",
                        "objectives": [{"id": "obj-a", "description": "Walks daily"}],
                    }
                ],
            }
        ],
    )
    after = base.model_copy(deep=True)
    after.element("obj-a").description = "Walks daily with her sister"
    after.safety_plan = "Crisis line 988; her sister's number on the fridge"
    after.written_at_week = 6
    after.revised_for_events = ["ev-x"]
    elements, sections = plan_changes(base, after)
    assert elements == ["obj-a"] and sections == ["safety_plan"]


def test_an_event_revision_record_is_part_of_the_stored_plan():
    plan = TreatmentPlan(
        case_id="case-demo",
        revised_for_events=["ev-x"],
        event_revisions=[EventRevision(event_id="ev-x", changed_sections=["safety_plan"])],
    )
    again = TreatmentPlan.model_validate_json(plan.model_dump_json())
    assert again.event_revisions == plan.event_revisions
