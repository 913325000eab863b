from pathlib import Path

import pytest
from pydantic import ValidationError

from itp_toolkit.checks import FAMILIES, RULES, CritiqueConfig, Finding, critique, ruledoc
from itp_toolkit.checks.context import case_index
from tests.checks.builders import make_case, rules_of, strong_plan

DOC = Path(__file__).resolve().parents[2] / "docs" / "critique-rules.md"


def test_strong_plan_has_no_warnings_or_problems(plan, case):
    findings = critique(plan, case)
    assert rules_of(findings) == set(), [f.message for f in findings]


def test_findings_are_sorted_by_severity_then_plan_order(case):
    plan = strong_plan()
    plan.problems[1].goals[0].objectives[0].target_week = None  # problem on a later element
    plan.problems[0].goals[0].objectives[1].baseline = None  # warning on an earlier element
    plan.problems[0].goals[0].objectives[0].target_week = None  # problem on the first objective
    findings = critique(plan, case)
    ranks = [{"problem": 0, "warning": 1, "info": 2}[f.severity] for f in findings]
    assert ranks == sorted(ranks)
    problems = [f.element_id for f in findings if f.rule == "smart.no_target_date"]
    assert problems == ["obj-phq", "obj-sleep"]


def test_critique_never_changes_the_plan(case):
    plan = strong_plan(review={"review_week": None}, discharge_criteria=[])
    before = plan.model_dump()
    critique(plan, case, week=6, peers=[strong_plan(id="plan-peer")])
    assert plan.model_dump() == before


def test_disabling_a_rule_or_a_family_removes_only_its_findings(case):
    plan = strong_plan(discharge_criteria=[], participation={"patient_participated": False})
    everything = rules_of(critique(plan, case))
    assert {"collab.no_discharge_criteria", "collab.participation_not_recorded"} <= everything
    one_off = rules_of(critique(plan, case, config=CritiqueConfig(disabled={"collab.no_discharge_criteria"})))
    assert one_off == everything - {"collab.no_discharge_criteria"}
    family_off = rules_of(critique(plan, case, config=CritiqueConfig(disabled={"collab"})))
    assert not any(r.startswith("collab.") for r in family_off)


def test_unknown_rule_in_config_is_refused():
    with pytest.raises(ValidationError, match="unknown rule or family"):
        CritiqueConfig(disabled={"smart.no_such_rule"})


def test_finding_cannot_be_changed_after_it_is_made():
    finding = RULES["smart.no_target_date"].finding("obj-x", "m")
    with pytest.raises(ValidationError):
        finding.severity = "info"
    assert isinstance(finding, Finding) and finding.family == "smart"


def test_every_rule_has_family_severity_rationale_and_source():
    assert len(RULES) >= 40
    for rule in RULES.values():
        assert rule.family in FAMILIES
        assert rule.severity in ("problem", "warning", "info")
        assert rule.rationale and rule.source and rule.title


def test_rules_doc_lists_every_registered_rule_and_is_current():
    text = DOC.read_text(encoding="utf-8")
    for rule_id in RULES:
        assert f"`{rule_id}`" in text
    assert text == ruledoc.render(), (
        "regenerate: python -m itp_toolkit.checks.ruledoc > docs/critique-rules.md"
    )


def test_case_index_is_rebuilt_for_a_different_case_with_the_same_id():
    first = make_case()
    second = make_case(strengths=[{"id": "s-dog", "text": "Walks her dog daily", "kind": "personal"}])
    assert case_index(first) is case_index(first)
    assert set(case_index(second).strengths) == {"s-dog"}


def test_every_finding_names_an_element_of_the_plan_or_none(case):
    plan = strong_plan(discharge_criteria=[])
    plan.problems[0].goals[0].objectives[0].measure = ""
    ids = {e.id for e in plan.elements()}
    for f in critique(plan, case, week=6):
        assert f.element_id is None or f.element_id in ids
        assert f.message
