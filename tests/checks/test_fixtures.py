"""The labelled fixture set: strong plans raise nothing; flawed plans raise exactly their declared
findings."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from itp_toolkit.checks import critique
from itp_toolkit.formats.files import load_case, load_plan

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "critique"
SIDECARS = sorted(FIXTURES.glob("*.expected.yaml"))


def _load(sidecar: Path):
    spec = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    plan = load_plan(sidecar.with_name(sidecar.name.replace(".expected", "")))
    case = load_case(ROOT / "case_studies" / f"{spec['case']}.yaml")
    return spec, plan, case


def test_fixture_set_covers_three_cases_with_a_strong_and_four_flawed_plans_each():
    cases = Counter(yaml.safe_load(p.read_text())["case"] for p in SIDECARS)
    assert len(cases) >= 3 and all(n >= 5 for n in cases.values())
    assert sum(1 for p in SIDECARS if p.name.endswith("-strong.expected.yaml")) >= 3


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name.removesuffix(".expected.yaml"))
def test_fixture_plan_raises_exactly_its_expected_findings(sidecar):
    spec, plan, case = _load(sidecar)
    assert plan.case_id == case.id
    findings = critique(plan, case, week=spec.get("week"))
    got = {(f.rule, f.element_id) for f in findings if f.severity != "info"}
    expected = {(e["rule"], e["element"]) for e in spec["expected"]}
    assert got - expected == set(), "unexpected findings (false positives)"
    assert expected - got == set(), "expected findings not raised (false negatives)"
    counts = Counter(f.rule for f in findings)
    for rule, n in (spec.get("expected_counts") or {}).items():
        assert counts[rule] == n, rule


@pytest.mark.parametrize(
    "sidecar",
    [p for p in SIDECARS if p.name.endswith("-strong.expected.yaml")],
    ids=lambda p: p.name.removesuffix(".expected.yaml"),
)
def test_strong_plan_raises_no_warning_or_problem_and_scores_high(sidecar):
    from itp_toolkit.checks import individualization_score

    spec, plan, case = _load(sidecar)
    assert spec["expected"] == []
    assert all(f.severity == "info" for f in critique(plan, case))
    assert individualization_score(plan, case).score >= 80
