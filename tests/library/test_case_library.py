"""The shipped case library: every case validates, the library has the variety a training programme needs,
and every case carries a reference plan that is a strong exemplar and only points at facts of its own case.

These tests read ``case_studies/`` as shipped. A new case should pass them without edits here, except the
list of required cases below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from itp_toolkit.formats.files import load_case
from itp_toolkit.library.privacy import PrivacyCheckUnavailable
from itp_toolkit.library.validation import privacy_problems
from itp_toolkit.model import CaseStudy, TreatmentPlan
from itp_toolkit.model.case import ACCESS_BARRIERS, ENGAGEMENT_BARRIERS
from itp_toolkit.model.ids import PREFIXES
from itp_toolkit.model.measures import (
    get_instrument,
    is_remission,
    is_response,
    is_standard_measure,
    needs_risk_follow_up,
    zone_down_target,
)

CASE_DIR = Path(__file__).resolve().parents[2] / "case_studies"
CASE_PATHS = sorted(CASE_DIR.glob("*.yaml"))

REQUIRED_CASES = {
    "case-college-anxiety",
    "case-perinatal-rural",
    "case-veteran-ptsd-alcohol",
    "case-adolescent-depression",
    "case-older-adult-bereavement",
    "case-psychosis-stepdown",
    "case-chronic-pain-depression",
    "case-young-adult-substance",
    "case-ocd-scrupulosity",
    "case-bipolar-depression",
    "case-binge-eating-bariatric",
    "case-child-school-refusal",
    "case-couple-alcohol-conflict",
}
REFERENCE_CASES = set(REQUIRED_CASES)


def _by_stem(paths: list[Path]) -> list[Any]:
    return [pytest.param(p, id=p.stem) for p in paths]


@cache
def _case(path: Path) -> CaseStudy:
    """Each file is parsed once per run; cases are only read here, never changed."""
    return load_case(path)


@pytest.fixture(scope="module")
def library() -> dict[str, CaseStudy]:
    return {path.stem: _case(path) for path in CASE_PATHS}


def _reference_cases(library: dict[str, CaseStudy]) -> list[CaseStudy]:
    return [case for case in library.values() if case.reference_plan is not None]


def _measure_points(case: CaseStudy) -> list[Any]:
    return [*case.measures, *(m for event in case.timeline for m in event.measures)]


# --- every file -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_every_case_file_validates_and_is_named_after_its_id(path: Path) -> None:
    case = load_case(path)
    assert case.id == path.stem


def test_case_ids_are_unique_across_the_library(library: dict[str, CaseStudy]) -> None:
    ids = [case.id for case in library.values()]
    assert len(ids) == len(set(ids))


def test_library_holds_every_required_case() -> None:
    assert {p.stem for p in CASE_PATHS} >= REQUIRED_CASES


# --- variety ----------------------------------------------------------------------------------------------


def test_library_spans_adolescence_to_older_adulthood(library: dict[str, CaseStudy]) -> None:
    ages = [case.demographics.age for case in library.values() if case.demographics.age is not None]
    assert len(library) >= 12
    assert min(ages) < 18, "no adolescent case"
    assert max(ages) >= 65, "no older-adult case"
    assert len({case.setting for case in library.values()}) == len(library), "two cases share a setting"


def test_library_uses_every_standard_instrument(library: dict[str, CaseStudy]) -> None:
    used = {m.instrument for case in library.values() for m in _measure_points(case)}
    assert used >= {"PHQ-9", "GAD-7", "PCL-5", "AUDIT", "AUDIT-C", "EPDS"}


def test_every_case_carries_a_reference_plan(library: dict[str, CaseStudy]) -> None:
    # A supervisor compares a draft with the reference and a debrief shows an exemplar, for any case.
    assert {case.id for case in _reference_cases(library)} >= REFERENCE_CASES
    assert [case.id for case in library.values() if case.reference_plan is None] == []


# --- what each case must give a trainee -------------------------------------------------------------------


@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_each_case_has_three_measure_time_points_and_a_scored_life_event(path: Path) -> None:
    case = _case(path)
    assert len({m.week for m in _measure_points(case)}) >= 3
    assert case.timeline, "no timeline event to force a revision"
    intake_weeks = max(m.week for m in case.measures)
    for event in case.timeline:
        assert event.week > intake_weeks, f"{event.id} happens before intake is over"
        assert event.measures, f"{event.id} reveals no scores"
        assert all(m.week == event.week for m in event.measures), f"{event.id} scores are from another week"


@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_each_case_starts_in_the_clinical_range_of_some_measure(path: Path) -> None:
    case = _case(path)
    intake = [m for m in case.measures if m.week == min(x.week for x in case.measures)]
    assert any(
        (cutoff := get_instrument(m.instrument).clinical_cutoff) is not None and m.score >= cutoff
        for m in intake
    ), "a referred patient whose every intake score is subclinical does not fit the narrative"


@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_each_case_quotes_the_patient_three_times_including_a_hope(path: Path) -> None:
    case = _case(path)
    assert len(case.patient_words) >= 3
    assert any(q.kind == "hope" for q in case.patient_words)


@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_each_case_names_three_strengths_and_both_access_and_engagement_barriers(path: Path) -> None:
    case = _case(path)
    assert len(case.strengths) >= 3
    assert len(case.barriers) >= 3
    kinds = {b.kind for b in case.barriers}
    assert kinds & ACCESS_BARRIERS, "no access barrier (transport, cost, waitlist, work hours...)"
    assert kinds & ENGAGEMENT_BARRIERS, "no engagement barrier (stigma, ambivalence, mistrust)"


@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_each_case_has_teaching_notes_questions_and_a_full_narrative(path: Path) -> None:
    case = _case(path)
    assert len(case.teaching_notes) >= 400
    assert len(case.discussion_questions) >= 3
    for section in ("history", "cultural_social_context", "mental_status", "formulation"):
        assert len(getattr(case, section)) >= 200, f"{section} is too thin to plan from"
    assert all(c.frequency_intensity for c in case.presenting_concerns), (
        "a concern without frequency/intensity"
    )
    assert case.risk.summary


@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_a_positive_risk_item_is_reflected_in_the_risk_summary(path: Path) -> None:
    case = _case(path)
    flagged = [m for m in _measure_points(case) if needs_risk_follow_up(m.instrument, m.item_scores)]
    if flagged:
        assert case.risk.level != "none"
        assert case.risk.safety_plan_needed, (
            f"{flagged[0].instrument} risk item > 0 but no safety plan needed"
        )


def test_some_case_flags_a_risk_item_at_item_level(library: dict[str, CaseStudy]) -> None:
    perinatal = library["case-perinatal-rural"]
    assert any(needs_risk_follow_up(m.instrument, m.item_scores) for m in _measure_points(perinatal))


# --- reference plans --------------------------------------------------------------------------------------


def _reference_params() -> list[Any]:
    return _by_stem([p for p in CASE_PATHS if p.stem in REFERENCE_CASES])


@pytest.mark.parametrize("path", _reference_params())
def test_reference_plan_links_only_to_facts_of_its_own_case(path: Path) -> None:
    case = _case(path)
    plan = case.reference_plan
    assert plan is not None
    known = {fact.id for fact in case.facts()}
    assert plan.linked_fact_ids() <= known, f"unknown facts: {sorted(plan.linked_fact_ids() - known)}"
    quotes = {q.id: q for q in case.patient_words}
    for problem in plan.problems:
        for goal in problem.goals:
            if goal.patient_quote_id:
                assert goal.patient_quote_id in quotes, f"{goal.id} quotes a fact that is not a quote"


@pytest.mark.parametrize("path", _reference_params())
def test_reference_baselines_equal_the_latest_score_at_the_week_written(path: Path) -> None:
    case = _case(path)
    plan = case.reference_plan
    assert plan is not None
    measured = [o for _, _, o in plan.objectives() if is_standard_measure(o.measure)]
    assert measured, "a reference plan without a standard-measure objective"
    for objective in measured:
        latest = case.latest_score(objective.measure, plan.written_at_week)
        assert latest is not None, (
            f"{objective.id}: no {objective.measure} score by week {plan.written_at_week}"
        )
        assert objective.baseline == latest.score, (
            f"{objective.id}: baseline {objective.baseline} != {latest.score}"
        )


def _meets_published_rule(code: str, baseline: float, target: float) -> bool:
    inst = get_instrument(code)
    if inst.code == "PHQ-9":
        return is_response(code, baseline, target) or is_remission(code, target)
    if inst.code == "GAD-7":
        return target < (inst.clinical_cutoff or 0)
    if inst.code == "PCL-5":
        return baseline - target >= (inst.meaningful_change_points or 0)
    if inst.code in ("AUDIT", "AUDIT-C"):
        zone = zone_down_target(code, baseline)
        return zone is not None and target <= zone
    if inst.code == "EPDS":
        return target <= inst.bands[0].high  # into the low-likelihood band
    return False


@pytest.mark.parametrize("path", _reference_params())
def test_reference_targets_follow_published_change_rules(path: Path) -> None:
    case = _case(path)
    plan = case.reference_plan
    assert plan is not None
    for _, _, objective in plan.objectives():
        if not is_standard_measure(objective.measure):
            continue
        assert objective.baseline is not None and objective.target is not None
        assert _meets_published_rule(objective.measure, objective.baseline, objective.target), (
            f"{objective.id}: {objective.measure} {objective.baseline} -> {objective.target} "
            "breaks the published rule"
        )


def test_target_rule_refuses_a_target_that_is_too_timid() -> None:
    # The rule above must be able to fail: a 3-point PHQ-9 drop is neither response nor remission.
    assert not _meets_published_rule("PHQ-9", 17, 14)
    assert not _meets_published_rule("GAD-7", 16, 10)
    assert not _meets_published_rule("PCL-5", 56, 50)
    assert not _meets_published_rule("AUDIT", 18, 16)
    assert _meets_published_rule("AUDIT", 18, 15)


def _smart_gaps(plan: TreatmentPlan) -> Iterator[str]:
    for _, _, o in plan.objectives():
        for field in ("measure", "baseline", "target", "target_week", "remeasure_every_weeks"):
            if getattr(o, field) in (None, ""):
                yield f"{o.id}.{field}"
        if o.target_week is not None and o.target_week <= plan.written_at_week:
            yield f"{o.id}.target_week is not after the plan was written"
        if not o.interventions:
            yield f"{o.id} has no intervention"
    for _, i in plan.interventions():
        for field in (
            "modality",
            "frequency",
            "duration",
            "responsible_role",
            "evidence_base",
            "linked_facts",
        ):
            if not getattr(i, field):
                yield f"{i.id}.{field}"


@pytest.mark.parametrize("path", _reference_params())
def test_reference_plan_is_complete_and_individualized(path: Path) -> None:
    case = _case(path)
    plan = case.reference_plan
    assert plan is not None
    assert list(_smart_gaps(plan)) == []
    assert all(p.evidenced_by for p in plan.problems)
    quoted = [g for p in plan.problems for g in p.goals if g.in_patient_words and g.patient_quote_id]
    assert quoted, "no goal in the patient's own words"
    for goal in quoted:
        assert goal.statement.strip('"') == case.fact(goal.patient_quote_id).text.strip('"')  # type: ignore[union-attr]
    addressed = {c for p in plan.problems for c in p.concern_ids} | {
        d.concern_id for d in plan.deferred_concerns
    }
    assert {c.id for c in case.presenting_concerns} <= addressed, (
        "an assessed need neither addressed nor deferred"
    )
    assert {b.id for b in case.barriers} <= {b.barrier_id for b in plan.barriers}, (
        "a barrier without a mitigation"
    )
    assert len(plan.strengths_used) >= 3
    assert plan.discharge_criteria
    assert plan.participation.patient_participated and plan.participation.agreement_recorded
    assert plan.review.review_week is not None and plan.review.review_week > plan.written_at_week
    assert plan.review.early_review_triggers
    if case.risk.safety_plan_needed:
        assert plan.safety_plan, "the case carries risk but the plan has no safety plan"


@pytest.mark.parametrize("path", _reference_params())
def test_reference_plan_elements_have_readable_ids(path: Path) -> None:
    plan = _case(path).reference_plan
    assert plan is not None
    generated = re.compile(rf"^({'|'.join(PREFIXES.values())})-[0-9a-f]{{8}}$")
    assert not generated.match(plan.id)
    assert [e.id for e in plan.elements() if generated.match(e.id)] == []


# --- privacy ----------------------------------------------------------------------------------------------

# Deterministic Safe Harbor patterns that must never appear in a synthetic case, whatever the NER model says.
FORBIDDEN = {
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "url": re.compile(r"https?://|\bwww\.", re.I),
    "phone": re.compile(r"\(?\b\d{3}\)?[-.\s]\d{3}[-.\s]\d{4}\b"),
    "zip code": re.compile(r"\b\d{5}(?:-\d{4})?\b"),
    "numeric date": re.compile(r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b"),
    "month and day": re.compile(
        r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?|"
        r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}\b"
    ),
    "age over 89": re.compile(r"\b(?:9\d|1\d\d)[- ]years?[- ]old\b|\baged?\s+(?:9\d|1\d\d)\b", re.I),
    "honorific with a name": re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]"),
    "county": re.compile(r"\bcounty\b", re.I),
    "record number": re.compile(r"\b(?:MRN|SSN|medical record|record number)\b", re.I),
}


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_case_text_has_no_structured_identifiers(path: Path) -> None:
    text = list(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    hits = [(kind, m.group(0)) for s in text for kind, rx in FORBIDDEN.items() if (m := rx.search(s))]
    assert hits == []


@pytest.mark.parametrize(
    ("sample", "kind"),
    [
        ("Call her on 555-123-4567.", "phone"),
        ("Seen on March 3 for intake.", "month and day"),
        ("Her grandmother, aged 93, lives with them.", "age over 89"),
        ("They live in a rural county.", "county"),
        ("Referred by Dr. Alvarez.", "honorific with a name"),
    ],
)
def test_identifier_patterns_catch_what_they_are_for(sample: str, kind: str) -> None:
    assert FORBIDDEN[kind].search(sample)


@pytest.mark.slow
@pytest.mark.parametrize("path", _by_stem(CASE_PATHS))
def test_privacy_scan_finds_no_identifier_in_any_text_field(path: Path) -> None:
    try:
        problems = privacy_problems(path.read_text(encoding="utf-8"), source=str(path))
    except PrivacyCheckUnavailable as exc:  # the offline model is not installed here
        pytest.skip(str(exc))
    assert [str(p) for p in problems] == []
