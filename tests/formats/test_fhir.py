"""FHIR R4B export and import: valid resources, codes from the measures table, exact round trips, located
errors."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import HealthCheck, given, settings

from itp_toolkit.cli import main
from itp_toolkit.cli.plan import load_plan_or_bundle
from itp_toolkit.errors import InvalidInput
from itp_toolkit.formats.fhir import fhir_bundle_to_plan, plan_to_fhir_bundle
from itp_toolkit.formats.fhir.codes import ELEMENT_SYSTEM, ICD10CM, LOINC, ext, full_url
from itp_toolkit.formats.files import write_model
from itp_toolkit.model import Diagnosis, Goal, Intervention, Objective, Problem, TreatmentPlan
from itp_toolkit.model.measures import INSTRUMENTS
from tests.conftest import shipped_case
from tests.fuzz.strategies import treatment_plans

CASES = sorted(Path(__file__).resolve().parents[2].joinpath("case_studies").glob("*.yaml"))
# A case file is named by its case's id (tests/cli/test_cases.py); the session's parsed library says which
# have a reference plan, so collecting this module parses no case file.
CASES_WITH_PLANS = [p for p in CASES if shipped_case(p.stem).reference_plan is not None]


def demo_plan() -> TreatmentPlan:
    return TreatmentPlan(
        id="plan-demo",
        case_id="case-demo",
        title="Intake plan",
        diagnoses=[
            Diagnosis(
                label="Major depressive disorder, single episode, moderate", code="F32.1", system="DSM-5-TR"
            ),
            Diagnosis(label="Generalized anxiety disorder", code="6B00", system="ICD-11", provisional=True),
            Diagnosis(label="Insomnia", code="not-a-code", system="ICD-10-CM"),
        ],
        problems=[
            Problem(
                id="prb-mood",
                statement="Low mood since the birth of her son",
                evidenced_by="stays in bed until noon 5 days a week",
                concern_ids=["pc-mood"],
                goals=[
                    Goal(
                        id="gol-mum",
                        statement="I want to be the mum I was",
                        in_patient_words=True,
                        patient_quote_id="q-mum",
                        objectives=[
                            Objective(
                                id="obj-phq9",
                                description="PHQ-9 falls to 8 or less",
                                measure="PHQ-9",
                                baseline=17,
                                target=8,
                                target_week=12,
                                interventions=[
                                    Intervention(
                                        id="int-ba",
                                        description="Behavioural activation built around walks with her "
                                        "sister",
                                        modality="Behavioural activation",
                                        frequency="weekly",
                                        responsible_role="Trainee therapist",
                                    )
                                ],
                            ),
                            Objective(
                                id="obj-walks",
                                description="Walks with her sister three mornings a week",
                                measure="walks per week",
                                baseline=0,
                                target=3,
                                target_date=dt.date(2025, 3, 1),
                            ),
                        ],
                    )
                ],
            )
        ],
    )


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def by_identifier(bundle: dict, element_id: str) -> dict:
    return next(
        e["resource"]
        for e in bundle["entry"]
        if {"system": ELEMENT_SYSTEM, "value": element_id} in e["resource"].get("identifier", [])
    )


def entry_index(bundle: dict, element_id: str) -> int:
    return next(
        i
        for i, e in enumerate(bundle["entry"])
        if {"system": ELEMENT_SYSTEM, "value": element_id} in e["resource"].get("identifier", [])
    )


# --------------------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("path", CASES_WITH_PLANS, ids=lambda p: p.stem)
def test_reference_plans_come_back_from_fhir_unchanged(path):
    case = shipped_case(path.stem)
    bundle = json.loads(json.dumps(plan_to_fhir_bundle(case.reference_plan, case)))
    assert fhir_bundle_to_plan(bundle) == case.reference_plan


def test_the_library_has_reference_plans_to_round_trip():
    assert len(CASES_WITH_PLANS) >= 3


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(treatment_plans(max_problems=2))
def test_generated_plans_come_back_from_fhir_unchanged(plan):
    bundle = json.loads(json.dumps(plan_to_fhir_bundle(plan)))
    assert fhir_bundle_to_plan(bundle) == plan


def test_export_is_deterministic_and_full_urls_come_from_element_ids():
    plan = demo_plan()
    first, second = plan_to_fhir_bundle(plan), plan_to_fhir_bundle(plan.model_copy(deep=True))
    assert first == second
    urls = [e["fullUrl"] for e in first["entry"]]
    assert len(urls) == len(set(urls))
    assert all(u.startswith("urn:uuid:") for u in urls)
    assert first["entry"][entry_index(first, "gol-mum")]["fullUrl"] == full_url("plan-demo", "gol-mum")


# --------------------------------------------------------------------------------------------- structure


@pytest.mark.parametrize("path", CASES_WITH_PLANS, ids=lambda p: p.stem)
def test_every_exported_resource_validates_as_fhir_r4b(path):
    case = shipped_case(path.stem)
    bundle = plan_to_fhir_bundle(case.reference_plan, case)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kinds.add(resource["resourceType"])
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert {"CarePlan", "Patient", "Condition", "Goal", "CareTeam", "PractitionerRole"} <= kinds


def test_care_plan_addresses_conditions_and_lists_goals_activities_and_care_team():
    bundle = plan_to_fhir_bundle(demo_plan())
    (careplan,) = resources(bundle, "CarePlan")
    assert careplan["status"] == "draft" and careplan["intent"] == "plan"
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    addressed = [urls[a["reference"]] for a in careplan["addresses"]]
    assert [c["resourceType"] for c in addressed] == ["Condition"] * 4
    assert addressed[0]["code"]["text"] == "Low mood since the birth of her son"
    assert addressed[0]["evidence"][0]["code"][0]["text"] == "stays in bed until noon 5 days a week"
    assert [urls[g["reference"]]["description"]["text"] for g in careplan["goal"]] == [
        "I want to be the mum I was",
        "PHQ-9 falls to 8 or less",
        "Walks with her sister three mornings a week",
    ]
    (activity,) = careplan["activity"]
    detail = activity["detail"]
    assert detail["kind"] == "ServiceRequest"
    assert detail["code"]["text"] == "Behavioural activation"
    assert detail["scheduledString"] == "weekly"
    assert urls[detail["goal"][0]["reference"]]["identifier"][0]["value"] == "obj-phq9"
    role = urls[detail["performer"][0]["reference"]]
    assert role["resourceType"] == "PractitionerRole" and role["code"][0]["text"] == "Trainee therapist"
    team = urls[careplan["careTeam"][0]["reference"]]
    assert team["participant"][0]["role"][0]["text"] == "Trainee therapist"


def test_goal_in_the_persons_words_is_expressed_by_the_patient():
    plan = demo_plan()
    bundle = plan_to_fhir_bundle(plan)
    goal = by_identifier(bundle, "gol-mum")
    (patient,) = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert goal["expressedBy"] == {"reference": patient["fullUrl"]}
    plan.problems[0].goals[0].in_patient_words = False
    assert "expressedBy" not in by_identifier(plan_to_fhir_bundle(plan), "gol-mum")


def test_objectives_are_goals_with_loinc_targets_from_the_measures_table():
    bundle = plan_to_fhir_bundle(demo_plan())
    phq = by_identifier(bundle, "obj-phq9")
    (target,) = phq["target"]
    assert target["measure"]["coding"] == [
        {"system": LOINC, "code": "44261-6", "display": INSTRUMENTS["PHQ-9"].name}
    ]
    assert target["detailRange"] == {"high": {"value": 8.0}}
    assert "dueDate" not in target
    assert {"url": ext("target-week"), "valueInteger": 12} in phq["extension"]
    assert {
        "url": ext("parent-goal"),
        "valueReference": {"reference": full_url("plan-demo", "gol-mum")},
    } in phq["extension"]
    walks = by_identifier(bundle, "obj-walks")
    assert walks["target"] == [
        {
            "measure": {"text": "walks per week"},
            "detailRange": {"low": {"value": 3.0}},
            "dueDate": "2025-03-01",
        }
    ]


@pytest.mark.parametrize(
    "code, loinc", [("PHQ-9", "44261-6"), ("GAD-7", "70274-6"), ("AUDIT", "75624-7"), ("AUDIT-C", "75626-2")]
)
def test_each_coded_measure_exports_its_published_loinc(code, loinc):
    plan = demo_plan()
    plan.problems[0].goals[0].objectives[0].measure = code
    (target,) = by_identifier(plan_to_fhir_bundle(plan), "obj-phq9")["target"]
    assert target["measure"]["coding"][0]["code"] == loinc == INSTRUMENTS[code].loinc


def test_diagnoses_are_coded_only_when_the_code_has_the_systems_shape():
    bundle = plan_to_fhir_bundle(demo_plan())
    diagnoses = [
        c
        for c in resources(bundle, "Condition")
        if c["category"][0]["coding"][0]["code"] == "encounter-diagnosis"
    ]
    assert diagnoses[0]["code"]["coding"][0] == {
        "system": ICD10CM,
        "code": "F32.1",
        "display": "Major depressive disorder, single episode, moderate",
    }
    assert diagnoses[1]["code"]["coding"][0]["system"] == "http://id.who.int/icd/release/11/mms"
    assert diagnoses[1]["verificationStatus"]["coding"][0]["code"] == "provisional"
    assert "coding" not in diagnoses[2]["code"]  # 'not-a-code' is not claimed as ICD-10-CM
    assert {"url": ext("diagnosis-code"), "valueString": "not-a-code"} in diagnoses[2]["extension"]


def test_case_text_is_added_for_people_and_trainee_text_in_notes_is_escaped():
    path = CASES_WITH_PLANS[0]
    case = shipped_case(path.stem)
    plan = case.reference_plan.model_copy(deep=True)
    plan.notes = "<script>alert(1)</script> [x](javascript:alert(1))"
    bundle = plan_to_fhir_bundle(plan, case)
    (careplan,) = resources(bundle, "CarePlan")
    note = careplan["note"][-1]
    assert "<script>" not in note["text"] and "](javascript:" not in note["text"]
    assert note["extension"][0]["extension"][0]["valueString"] == plan.notes  # exact text kept for import
    displays = [
        e["valueReference"].get("display")
        for r in bundle["entry"]
        for e in r["resource"].get("extension", [])
        if e["url"] == ext("linked-fact")
    ]
    assert displays and all(displays)
    assert fhir_bundle_to_plan(bundle) == plan


def test_export_refuses_another_cases_facts_and_non_finite_numbers():
    with pytest.raises(InvalidInput) as exc:
        plan_to_fhir_bundle(demo_plan(), shipped_case(CASES_WITH_PLANS[0].stem))
    assert exc.value.problems[0].field == "case_id"
    plan = demo_plan()
    plan.problems[0].goals[0].objectives[0].target = float("inf")
    with pytest.raises(InvalidInput) as exc:
        plan_to_fhir_bundle(plan)
    assert exc.value.problems[0].field == "problems[0].goals[0].objectives[0].target"


# --------------------------------------------------------------------------------------------- malformed
# input


def _mutations():
    def unknown_target_field(b):
        i = entry_index(b, "obj-phq9")
        b["entry"][i]["resource"]["target"][0]["score"] = 8
        return f"entry[{i}].resource.target[0].score"

    def foreign_loinc(b):
        i = entry_index(b, "obj-phq9")
        b["entry"][i]["resource"]["target"][0]["measure"]["coding"][0]["code"] = "1234-5"
        return f"entry[{i}].resource.target[0].measure.coding[0].code"

    def bad_status(b):
        b["entry"][0]["resource"]["status"] = "finished"
        return "entry[0].resource.status"

    def missing_intent(b):
        del b["entry"][0]["resource"]["intent"]
        return "entry[0].resource.intent"

    def goal_without_subject(b):
        i = entry_index(b, "gol-mum")
        del b["entry"][i]["resource"]["subject"]
        return f"entry[{i}].resource.subject"

    def dangling_goal_reference(b):
        b["entry"][0]["resource"]["goal"][0]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
        return "entry[0].resource.goal[0]"

    def objective_id_not_an_id(b):
        i = entry_index(b, "obj-walks")
        b["entry"][i]["resource"]["identifier"][0]["value"] = "Not An Id"
        return f"entry[{i}].resource"

    def wrong_type_for_week(b):
        i = entry_index(b, "obj-phq9")
        ext_ = next(e for e in b["entry"][i]["resource"]["extension"] if e["url"] == ext("target-week"))
        ext_["valueInteger"] = "twelve"
        n = b["entry"][i]["resource"]["extension"].index(ext_)
        return f"entry[{i}].resource.extension[{n}].valueInteger"

    def activity_without_detail(b):
        del b["entry"][0]["resource"]["activity"][0]["detail"]
        b["entry"][0]["resource"]["activity"][0]["outcomeCodeableConcept"] = [{"text": "done"}]
        return "entry[0].resource.activity[0].detail"

    def no_care_plan(b):
        del b["entry"][0]
        return "entry"

    return [
        unknown_target_field,
        foreign_loinc,
        bad_status,
        missing_intent,
        goal_without_subject,
        dangling_goal_reference,
        objective_id_not_an_id,
        wrong_type_for_week,
        activity_without_detail,
        no_care_plan,
    ]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_a_malformed_bundle_is_refused_with_the_field_located(mutate):
    bundle = copy.deepcopy(plan_to_fhir_bundle(demo_plan()))
    expected_field = mutate(bundle)
    with pytest.raises(InvalidInput) as exc:
        fhir_bundle_to_plan(bundle, source="plan.fhir.json")
    fields = [p.field for p in exc.value.problems]
    assert expected_field in fields, fields
    assert all(p.file == "plan.fhir.json" for p in exc.value.problems)


@pytest.mark.parametrize(
    "bundle", [None, [], "Bundle", {"resourceType": "Patient"}, {"resourceType": "Bundle"}]
)
def test_something_that_is_not_a_bundle_is_refused(bundle):
    with pytest.raises(InvalidInput):
        fhir_bundle_to_plan(bundle)


# --------------------------------------------------------------------------------------------- command line


def test_cli_exports_fhir_and_import_reads_the_bundle_back(tmp_path, capsys):
    plan_file = write_model(demo_plan(), tmp_path / "plan.yaml")
    out = tmp_path / "plan.fhir.json"
    assert main(["plan", "export", "--file", str(plan_file), "--format", "fhir", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["resourceType"] == "Bundle"
    assert load_plan_or_bundle(out) == demo_plan()
    assert load_plan_or_bundle(plan_file) == demo_plan()


def test_cli_import_of_a_broken_bundle_names_the_file_and_field(tmp_path):
    bundle = plan_to_fhir_bundle(demo_plan())
    bundle["entry"][0]["resource"]["status"] = "finished"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        load_plan_or_bundle(path)
    assert str(exc.value).startswith(f"{path}: entry[0].resource.status")
