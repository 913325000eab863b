"""Risk: safety content is recognised wherever a clinician writes it, and risk events need a safety change."""

import pytest

from itp_toolkit.checks import critique
from itp_toolkit.checks.safety import safety_content
from itp_toolkit.model import (
    EventRevision,
    Goal,
    Intervention,
    MeasurePoint,
    Objective,
    Problem,
    RiskSummary,
    TimelineEvent,
)
from tests.checks.builders import make_case, rules_of, strong_plan

RISK = RiskSummary(
    level="moderate", summary="Passive death wishes at night; no plan or intent.", safety_plan_needed=True
)
CUT = TimelineEvent(
    id="e-cut",
    week=6,
    title="Cuts her forearm after a fight with her brother",
    description="She cut her forearm for the first time in a year after her brother shouted at her about "
    "money.",
    risk=True,
    measures=[MeasurePoint(instrument="PHQ-9", week=6, score=19, item_scores=[2, 2, 2, 2, 2, 3, 2, 2, 2])],
)
OVERDOSE = TimelineEvent(
    id="e-pills",
    week=10,
    title="Takes extra sleeping tablets after her shift is cut",
    description="She took six of her mother's sleeping tablets one night and slept for fourteen hours.",
    risk=True,
)


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def _safety_problem(**intervention):
    item = dict(
        id="int-safe",
        description="Stanley-Brown safety planning: warning signs, coping steps, her sister and the 988 line",
        frequency="made at intake, reviewed every session",
        responsible_role="trainee therapist",
    )
    item.update(intervention)
    return Problem(
        id="prb-safe",
        statement="Passive thoughts of death at night",
        evidenced_by="PHQ-9 item 9 = 1; thoughts on two nights a week",
        goals=[
            Goal(
                id="gol-safe",
                statement="Stay safe and tell my sister when the thoughts get loud",
                objectives=[
                    Objective(
                        id="obj-safe",
                        kind="completion",
                        description="Writes a safety plan with her sister and keeps it on her phone",
                        who="She and her sister, with the trainee",
                        target_week=1,
                        interventions=[Intervention(**item)],
                    )
                ],
            )
        ],
    )


def test_a_safety_problem_objective_and_intervention_count_as_a_safety_plan():
    plan = strong_plan(safety_plan="", problems=[*strong_plan().problems, _safety_problem()])
    findings = critique(plan, make_case(risk=RISK))
    assert _rule(findings, "safety.not_addressed") == []
    found = safety_content(plan)
    assert {"prb-safe", "obj-safe", "int-safe"} <= set(found.element_ids)


def test_lethal_means_counselling_alone_counts_as_addressing_risk():
    plan = strong_plan(safety_plan="")
    plan.element("int-walk").description = "Lethal-means counselling: her sister keeps the sleeping pills"
    assert _rule(critique(plan, make_case(risk=RISK)), "safety.not_addressed") == []


def test_crisis_contacts_alone_count_as_addressing_risk():
    plan = strong_plan(safety_plan="")
    plan.element("int-walk").description = "Crisis contacts saved on her phone: her sister, the clinic, 988"
    assert _rule(critique(plan, make_case(risk=RISK)), "safety.not_addressed") == []


def test_everyday_uses_of_safe_are_not_safety_planning():
    plan = strong_plan(safety_plan="")
    plan.element("int-walk").description = "Safe walking routes and a safe place to keep her bike"
    [finding] = _rule(critique(plan, make_case(risk=RISK)), "safety.not_addressed")
    assert finding.severity == "problem" and "Passive death wishes" in finding.message


def test_a_risk_event_makes_a_low_risk_case_need_safety_content():
    case = make_case(timeline=[CUT])
    plan = strong_plan(safety_plan="", written_at_week=8, revised_for_events=["e-cut"])
    [finding] = _rule(critique(plan, case), "safety.not_addressed")
    assert "Cuts her forearm after a fight with her brother" in finding.message


def test_pressing_revise_for_a_risk_event_without_changing_anything_stays_a_problem():
    case = make_case(risk=RISK, timeline=[CUT])
    plan = strong_plan(
        written_at_week=6, revised_for_events=["e-cut"], event_revisions=[EventRevision(event_id="e-cut")]
    )
    findings = critique(plan, case)
    [revision] = _rule(findings, "revision.event_not_addressed")
    [safety] = _rule(findings, "safety.plan_predates_risk_event")
    assert revision.severity == safety.severity == "problem"
    assert "nothing" in revision.message.lower()


def test_a_revision_that_changes_only_unrelated_elements_leaves_the_safety_plan_flagged():
    case = make_case(risk=RISK, timeline=[CUT])
    plan = strong_plan(
        written_at_week=6,
        revised_for_events=["e-cut"],
        event_revisions=[EventRevision(event_id="e-cut", changed_elements=["obj-walk"])],
    )
    findings = critique(plan, case)
    assert _rule(findings, "revision.event_not_addressed") == []
    [finding] = _rule(findings, "safety.plan_predates_risk_event")
    assert "Cuts her forearm" in finding.message


def test_a_revision_that_changes_the_safety_plan_for_a_risk_event_clears_it():
    case = make_case(risk=RISK, timeline=[CUT])
    plan = strong_plan(
        written_at_week=6,
        revised_for_events=["e-cut"],
        safety_plan="Reviewed the day after she cut her arm: her brother's visits as a warning sign, "
        "her sister as first contact, razors kept at her sister's, 988; PHQ-9 item 9 every session.",
        event_revisions=[EventRevision(event_id="e-cut", changed_sections=["safety_plan"])],
    )
    findings = critique(plan, case)
    assert not {"revision.event_not_addressed", "safety.plan_predates_risk_event"} & rules_of(findings)


def test_a_plan_written_after_a_risk_event_that_ignores_it_is_a_problem_not_an_info_note():
    case = make_case(risk=RISK, timeline=[CUT])
    plan = strong_plan(written_at_week=8)  # its safety plan is the intake one
    findings = critique(plan, case)
    [finding] = _rule(findings, "safety.plan_predates_risk_event")
    assert finding.severity == "problem"
    assert _rule(findings, "revision.event_not_acknowledged") == []


def test_a_plan_written_after_a_risk_event_whose_safety_plan_reflects_it_passes():
    case = make_case(risk=RISK, timeline=[CUT])
    plan = strong_plan(
        written_at_week=8,
        safety_plan="Since she cut her forearm after her brother shouted at her, the safety plan names his "
        "visits as a warning sign; razors kept at her sister's; 988; item 9 every session.",
    )
    assert not {"safety.plan_predates_risk_event", "safety.not_addressed"} & rules_of(critique(plan, case))


def test_the_latest_risk_event_counts_even_after_an_earlier_one_was_handled():
    case = make_case(risk=RISK, timeline=[CUT, OVERDOSE])
    plan = strong_plan(
        written_at_week=6,
        revised_for_events=["e-cut"],
        safety_plan="After she cut her forearm: razors at her sister's, 988, item 9 every session.",
        event_revisions=[EventRevision(event_id="e-cut", changed_sections=["safety_plan"])],
    )
    findings = critique(plan, case, week=10)
    [finding] = _rule(findings, "safety.plan_predates_risk_event")
    assert "sleeping tablets" in finding.message
    assert [f.message for f in _rule(findings, "revision.event_not_addressed")][0].startswith("Week 10")


def test_a_plan_revised_for_a_life_event_elsewhere_counts_as_revised_when_it_speaks_of_the_event(case):
    # No record of what changed (written outside the drafting session): its words must answer the event.
    plan = strong_plan(written_at_week=6, revised_for_events=["e-job"])
    plan.element("obj-phq").baseline, plan.element("obj-phq").target_week = 21, 18  # the week-6 score
    plan.notes = "Revised after the ward closed and she was let go: job search added to activation."
    assert "revision.event_not_addressed" not in rules_of(critique(plan, case))
    plan.notes = ""
    [finding] = [f for f in critique(plan, case) if f.rule == "revision.event_not_addressed"]
    assert "nothing in it speaks of what happened" in finding.message


def test_a_plan_written_after_a_life_event_that_answers_nothing_of_it_is_out_of_date(case):
    plan = strong_plan(written_at_week=8)
    plan.element("obj-phq").baseline, plan.element("obj-phq").target_week = 21, 18  # the week-6 score
    [finding] = [f for f in critique(plan, case) if f.rule == "revision.event_not_addressed"]
    assert "after 'Loses her job after a ward closure'" in finding.message
    plan.notes = "Since the ward closed and she lost her job, sessions moved to mornings."
    assert [f.rule for f in critique(plan, case) if f.rule.startswith("revision.")] == [
        "revision.event_not_acknowledged"
    ]


def test_a_plan_written_after_an_event_with_the_baselines_from_before_it_was_carried_forward(case):
    plan = strong_plan(written_at_week=8, notes="Since the ward closed and she lost her job, sessions moved.")
    [finding] = [f for f in critique(plan, case) if f.rule == "revision.event_not_addressed"]
    assert "PHQ-9 17 is the week-0 score; week 6 gives 21" in finding.message


@pytest.mark.parametrize("week, expected", [(2, False), (6, True)])
def test_a_risk_item_above_zero_calls_for_safety_once_revealed(week, expected):
    items = [2, 2, 2, 2, 2, 2, 2, 2, 1]
    job = TimelineEvent(
        id="e-job",
        week=6,
        title="Loses her job",
        description="ward closes",
        measures=[MeasurePoint(instrument="PHQ-9", week=6, score=17, item_scores=items)],
    )
    found = _rule(
        critique(strong_plan(safety_plan=""), make_case(timeline=[job]), week=week), "safety.not_addressed"
    )
    assert bool(found) is expected
    if expected:
        assert "PHQ-9 item 9 = 1 (week 6)" in found[0].message


def test_a_firearm_in_the_case_needs_a_means_safety_step_in_the_safety_content():
    case = make_case(
        risk=RiskSummary(
            level="moderate",
            summary="Passive death wishes at night; her husband keeps a handgun in the bedroom.",
            safety_plan_needed=True,
        )
    )
    plan = strong_plan()  # its safety plan: item 9 each session and the 988 line, nothing about the handgun
    [finding] = _rule(critique(plan, case), "safety.lethal_means_unaddressed")
    assert finding.severity == "problem" and "firearm" in finding.message
    plan.safety_plan += " Her husband keeps the handgun locked at his brother's house while risk is raised."
    assert _rule(critique(plan, case), "safety.lethal_means_unaddressed") == []


def test_a_no_harm_contract_is_not_a_safety_plan():
    plan = strong_plan(safety_plan="She signed a no-harm contract and promises not to hurt herself.")
    findings = critique(plan, make_case(risk=RISK))
    [finding] = _rule(findings, "safety.not_addressed")
    assert "no-harm promise is not a safety plan" in finding.message
    assert _rule(findings, "safety.no_harm_contract") == []  # one cause: there is no safety plan


def test_a_no_harm_contract_beside_a_safety_plan_is_still_flagged():
    plan = strong_plan(
        safety_plan="Contract for safety signed; crisis line 988 saved on her phone; item 9 weekly."
    )
    [finding] = _rule(critique(plan, make_case(risk=RISK)), "safety.no_harm_contract")
    assert finding.element_id is None and "safety plan" in finding.suggestion
