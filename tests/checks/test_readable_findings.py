"""Findings people read: no internal id or field name in any message or suggestion, one finding per cause
per element, and a next step on every warning and problem."""

from __future__ import annotations

import re
import typing
from collections import Counter
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from itp_toolkit import model
from itp_toolkit.checks import critique
from itp_toolkit.formats.files import load_plan
from itp_toolkit.model.ids import PREFIXES
from tests.conftest import shipped_cases

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "critique"


def _model_classes() -> list[type[BaseModel]]:
    return [v for v in vars(model).values() if isinstance(v, type) and issubclass(v, BaseModel)]


def _field_names() -> set[str]:
    """Every model field name a reader would recognise as code: the ones written with an underscore."""
    names: set[str] = set()
    for cls in _model_classes():
        names |= {n for n in cls.model_fields if "_" in n}
    return names


def _runs():
    """(plan, case, week) for every fixture plan and every reference plan at every week of its case."""
    runs = []
    library = shipped_cases()  # parsed once a session: the fixtures' cases are shipped ones
    for sidecar in sorted(FIXTURES.glob("*.expected.yaml")):
        spec = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
        plan = load_plan(sidecar.with_name(sidecar.name.replace(".expected", "")))
        runs.append((plan, library[spec["case"]], spec.get("week")))
    for case in library.values():
        if case.reference_plan is None:
            continue
        for week in [None, *(e.week for e in case.timeline)]:
            runs.append((case.reference_plan, case, week))
            runs.append((case.reference_plan.model_copy(update={"problems": [], "barriers": []}), case, week))
    return runs


RUNS = _runs()


def _id_patterns(plan, case) -> re.Pattern:
    element_prefixes = sorted(set(PREFIXES.values()))
    fact_prefixes = sorted({f.id.split("-", 1)[0] for f in case.facts()})
    ids = sorted(
        {case.id, plan.id, *(f.id for f in case.facts()), *(e.id for e in plan.elements())},
        key=len,
        reverse=True,
    )
    alternatives = [re.escape(i) for i in ids] + [
        rf"{p}-[a-z0-9]+(?:-[a-z0-9]+)*" for p in [*element_prefixes, *fact_prefixes]
    ]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")


def test_the_scan_covers_every_rule_family():
    families = {f.family for plan, case, week in RUNS for f in critique(plan, case, week=week)}
    assert {
        "linkage",
        "safety",
        "smart",
        "measure",
        "individual",
        "feasibility",
        "collab",
        "revision",
    } <= families


@pytest.mark.parametrize("run", range(len(RUNS)))
def test_no_message_or_suggestion_names_an_internal_id_or_a_field(run):
    plan, case, week = RUNS[run]
    ids = _id_patterns(plan, case)
    fields = re.compile(r"\b(?:" + "|".join(sorted(_field_names())) + r")\b")
    for finding in critique(plan, case, week=week):
        for text in (finding.message, finding.suggestion, *finding.evidence):
            assert not ids.search(text), f"{finding.rule}: id in {text!r}"
            assert not fields.search(text), f"{finding.rule}: field name in {text!r}"


@pytest.mark.parametrize("run", range(len(RUNS)))
def test_one_finding_per_cause_per_element(run):
    plan, case, week = RUNS[run]
    keys = Counter((f.rule, f.element_id, f.subject) for f in critique(plan, case, week=week))
    assert [k for k, n in keys.items() if n > 1] == []


@pytest.mark.parametrize("run", range(len(RUNS)))
def test_every_warning_and_problem_says_what_to_do_next(run):
    plan, case, week = RUNS[run]
    for finding in critique(plan, case, week=week):
        if finding.severity != "info":
            assert len(finding.suggestion.split()) >= 4, finding


def test_the_field_names_scanned_for_come_from_the_model():
    names = _field_names()
    assert {"revised_for_events", "barrier_id", "patient_quote_id", "written_at_week"} <= names
    assert typing.get_args(model.plan.ObjectiveKind) == ("measured", "completion")
