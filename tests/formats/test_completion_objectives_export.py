"""Completion objectives in the printable Markdown and in FHIR (a Goal with a due date and who does it)."""

import json

from itp_toolkit.formats.fhir import fhir_bundle_to_plan, plan_to_fhir_bundle
from itp_toolkit.formats.fhir.codes import ELEMENT_SYSTEM
from itp_toolkit.formats.markdown import plan_to_markdown
from itp_toolkit.model import Goal, Intervention, Objective, Problem, TreatmentPlan


def _plan() -> TreatmentPlan:
    return TreatmentPlan(
        id="plan-kinds",
        case_id="case-demo",
        problems=[
            Problem(
                id="prb-risk",
                statement="Passive death wishes at night",
                goals=[
                    Goal(
                        id="gol-safe",
                        statement="Stay safe",
                        objectives=[
                            Objective(
                                id="obj-plan",
                                kind="completion",
                                description="Safety plan written and shared with her sister",
                                who="She and her sister, with the trainee",
                                target_week=2,
                                interventions=[Intervention(id="int-spi", description="Safety planning")],
                            ),
                            Objective(
                                id="obj-item9",
                                description="Death-wish item back to 0",
                                measure="PHQ-9 item 9",
                                baseline=1,
                                target=0,
                                target_week=8,
                            ),
                        ],
                    )
                ],
            )
        ],
    )


def test_markdown_shows_a_completion_objective_as_done_by_whom_and_when():
    text = plan_to_markdown(_plan())
    assert "done by week 2" in text and "who: She and her sister, with the trainee" in text
    assert "no measure, target or date yet" not in text


def test_fhir_writes_a_completion_objective_as_a_goal_with_a_due_date_and_no_measure():
    bundle = plan_to_fhir_bundle(_plan())
    goal = next(
        e["resource"]
        for e in bundle["entry"]
        if {"system": ELEMENT_SYSTEM, "value": "obj-plan"} in e["resource"].get("identifier", [])
    )
    assert goal["resourceType"] == "Goal"
    assert all("measure" not in t for t in goal.get("target", []))
    assert any("She and her sister" in n["text"] for n in goal.get("note", []))


def test_fhir_round_trip_keeps_the_kind_and_who_exactly():
    plan = _plan()
    assert fhir_bundle_to_plan(json.loads(json.dumps(plan_to_fhir_bundle(plan)))) == plan


def test_fhir_round_trip_keeps_what_changed_for_each_event():
    from itp_toolkit.model import EventRevision

    plan = _plan().model_copy(
        update={
            "revised_for_events": ["ev-storm"],
            "event_revisions": [
                EventRevision(
                    event_id="ev-storm", changed_elements=["obj-plan"], changed_sections=["safety_plan"]
                )
            ],
        }
    )
    assert fhir_bundle_to_plan(json.loads(json.dumps(plan_to_fhir_bundle(plan)))) == plan
