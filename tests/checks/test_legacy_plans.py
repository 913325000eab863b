"""Plans stored before objective kinds and event records load unchanged and critique the same where nothing
was wrong: every stored demo and reference plan, as the old model wrote it (see
``tests/fixtures/legacy/snapshot_before_issue14.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from itp_toolkit.checks import critique
from itp_toolkit.model import TreatmentPlan
from tests.conftest import shipped_cases

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "legacy" / "critique_before_issue14.yaml"
ENTRIES = yaml.load(
    SNAPSHOT.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
)
"""Read with libyaml where PyYAML has it (20 times quicker than the pure-Python loader, the same data)."""
CASES = shipped_cases()


def _id(entry):
    return f"{entry['case']}-stage{entry['stage']}"


def test_the_snapshot_holds_plans_without_the_new_fields():
    assert len(ENTRIES) >= 32
    text = "\n".join(e["plan_json"] for e in ENTRIES)
    assert '"kind"' not in text and '"event_revisions"' not in text and '"who"' not in text


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_old_plan_json_loads_with_every_objective_measured(entry):
    plan = TreatmentPlan.model_validate_json(entry["plan_json"])
    assert all(o.kind == "measured" and o.who == "" for _, _, o in plan.objectives())
    assert plan.event_revisions == []
    assert TreatmentPlan.model_validate_json(plan.model_dump_json()) == plan


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_elements_that_raised_nothing_before_raise_nothing_now(entry):
    plan = TreatmentPlan.model_validate_json(entry["plan_json"])
    case = CASES[entry["case"]]
    before = {element for _, element in entry["findings"]}
    now = {f.element_id: f for f in critique(plan, case) if f.severity != "info"}
    newly = {e: f"{f.rule}: {f.message}" for e, f in now.items() if e is not None and e not in before}
    assert newly == {}


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_a_plan_with_no_problem_before_has_no_problem_now(entry):
    plan = TreatmentPlan.model_validate_json(entry["plan_json"])
    before = {rule for rule, _ in entry["findings"]}
    old_problems = {r for r in before if r.split(".")[1] in _OLD_PROBLEM_RULES}
    if old_problems:
        pytest.skip("this stage had problems before: the comparison is element by element")
    now = [f for f in critique(plan, CASES[entry["case"]]) if f.severity == "problem"]
    assert [f.message for f in now] == []


_OLD_PROBLEM_RULES = {
    "no_problems",
    "problem_without_goal",
    "goal_without_objective",
    "objective_without_intervention",
    "concern_unaddressed",
    "safety_not_addressed",
    "no_measure",
    "no_target",
    "no_target_date",
    "target_out_of_range",
    "target_not_lower",
    "event_not_addressed",
}
"""Rule names (after the family) that were problem-severity before issue 14."""
