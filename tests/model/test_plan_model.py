"""The plan and case models: round-trips, permanent ids, and errors that name the field."""

import pytest
from pydantic import ValidationError

from itp_toolkit.model import (
    CaseStudy,
    Goal,
    Intervention,
    MeasurePoint,
    Objective,
    Problem,
    TreatmentPlan,
)
from itp_toolkit.model.base import SHORT_TEXT_MAX


def small_plan() -> TreatmentPlan:
    return TreatmentPlan(
        case_id="case-demo",
        problems=[
            Problem(
                statement="Low mood",
                evidenced_by="stays in bed until noon 5 days a week",
                goals=[
                    Goal(
                        statement="I want to be the mum I was",
                        in_patient_words=True,
                        objectives=[
                            Objective(
                                description="Walks with her sister three mornings a week",
                                measure="PHQ-9",
                                baseline=17,
                                target=8,
                                target_week=12,
                                interventions=[
                                    Intervention(description="Behavioural activation", frequency="weekly")
                                ],
                            )
                        ],
                    )
                ],
            )
        ],
    )


def test_plan_round_trips_through_json_unchanged():
    plan = small_plan()
    again = TreatmentPlan.model_validate_json(plan.model_dump_json())
    assert again == plan


def test_every_element_gets_a_permanent_id_that_survives_reordering():
    plan = small_plan()
    plan.problems.append(Problem(statement="Poor sleep"))
    ids_before = {e.id: type(e).__name__ for e in plan.elements()}
    reordered = plan.model_copy(update={"problems": list(reversed(plan.problems))})
    assert {e.id: type(e).__name__ for e in reordered.elements()} == ids_before
    assert all(len(i) > 4 for i in ids_before)


def test_new_elements_get_distinct_ids():
    ids = {Problem(statement="x").id for _ in range(200)}
    assert len(ids) == 200


def test_duplicate_element_ids_are_refused():
    plan = small_plan()
    data = plan.model_dump()
    data["problems"].append({**data["problems"][0]})
    with pytest.raises(ValidationError, match="used twice"):
        TreatmentPlan.model_validate(data)


def test_unknown_field_is_an_error_naming_it():
    with pytest.raises(ValidationError) as err:
        Objective.model_validate({"description": "x", "targte_week": 3})
    assert err.value.errors()[0]["loc"] == ("targte_week",)


def test_oversized_text_is_refused_naming_the_limit():
    with pytest.raises(ValidationError, match=str(SHORT_TEXT_MAX)):
        Problem(statement="x" * (SHORT_TEXT_MAX + 1))


def test_ids_must_be_readable_slugs():
    with pytest.raises(ValidationError):
        Problem(id="<script>", statement="x")


def test_element_lookup_and_linked_facts():
    plan = small_plan()
    objective = next(plan.objectives())[2]
    objective.linked_facts.append("s-sister")
    assert plan.element(objective.id) is objective
    assert "s-sister" in plan.linked_fact_ids()
    with pytest.raises(KeyError):
        plan.element("obj-missing")


def test_measure_point_checks_instrument_and_range():
    assert MeasurePoint(instrument="phq-9", week=0, score=14).instrument == "PHQ-9"
    with pytest.raises(ValidationError, match="outside its range"):
        MeasurePoint(instrument="GAD-7", week=0, score=30)
    with pytest.raises(ValidationError, match="unknown measure"):
        MeasurePoint(instrument="XYZ", week=0, score=3)


def minimal_case(**overrides) -> dict:
    data = {
        "id": "case-demo",
        "title": "Demo",
        "setting": "community clinic",
        "demographics": {"age": 34, "gender": "woman"},
        "presenting_concerns": [{"id": "c-mood", "summary": "low mood"}],
        "history": "h",
        "cultural_social_context": "c",
        "formulation": "f",
        "working_diagnosis": [{"label": "Major depressive disorder", "code": "F32.1", "system": "ICD-10-CM"}],
        "strengths": [{"id": "s-sister", "text": "close to her sister", "kind": "natural_support"}],
        "barriers": [{"id": "b-car", "text": "no car", "kind": "transport"}],
        "patient_words": [{"id": "q-mum", "text": "I want to be the mum I was", "kind": "hope"}],
        "risk": {"level": "low", "summary": "passive thoughts, no plan"},
        "measures": [
            {"instrument": "PHQ-9", "week": 0, "score": 17},
            {"instrument": "PHQ-9", "week": 4, "score": 14},
        ],
        "timeline": [
            {
                "id": "ev-job",
                "week": 6,
                "title": "Job loss",
                "description": "d",
                "measures": [{"instrument": "PHQ-9", "week": 6, "score": 19}],
            }
        ],
        "teaching_notes": "secret",
    }
    data.update(overrides)
    return data


def test_case_rejects_ages_over_89_and_requires_age_or_band():
    with pytest.raises(ValidationError, match="less than or equal to 89"):
        CaseStudy.model_validate(minimal_case(demographics={"age": 93, "gender": "man"}))
    with pytest.raises(ValidationError, match="age or age_band"):
        CaseStudy.model_validate(minimal_case(demographics={"gender": "man"}))


def test_case_fact_ids_must_be_unique():
    data = minimal_case(barriers=[{"id": "s-sister", "text": "x", "kind": "cost"}])
    with pytest.raises(ValidationError, match="used twice"):
        CaseStudy.model_validate(data)


def test_latest_score_respects_the_exercise_week():
    case = CaseStudy.model_validate(minimal_case())
    assert case.latest_score("PHQ-9").score == 14
    assert case.latest_score("PHQ-9", week=3).score == 17
    assert case.latest_score("PHQ-9", week=6).score == 19
    assert case.latest_score("GAD-7") is None
    assert [e.id for e in case.events_until(5)] == []
    assert [e.id for e in case.events_until(6)] == ["ev-job"]


def test_trainee_view_hides_supervisor_material():
    case = CaseStudy.model_validate(minimal_case(discussion_questions=["q?"]))
    trainee = case.for_trainee()
    assert (
        trainee.teaching_notes == "" and trainee.discussion_questions == [] and trainee.reference_plan is None
    )
    assert case.teaching_notes == "secret"


def test_barrier_category_separates_access_from_engagement():
    case = CaseStudy.model_validate(
        minimal_case(
            barriers=[
                {"id": "b-car", "text": "no car", "kind": "transport"},
                {"id": "b-stigma", "text": "fears being seen", "kind": "stigma"},
            ]
        )
    )
    assert [b.category for b in case.barriers] == ["access", "engagement"]


def test_reference_plan_must_belong_to_its_case():
    plan = small_plan().model_copy(update={"case_id": "case-other"})
    with pytest.raises(ValidationError, match="reference_plan.case_id"):
        CaseStudy.model_validate(minimal_case(reference_plan=plan.model_dump()))
