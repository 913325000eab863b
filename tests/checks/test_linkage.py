from itp_toolkit.checks import critique
from itp_toolkit.model import Deferral, Goal, MeasurePoint, Problem, RiskSummary
from tests.checks.builders import make_case, rules_of, strong_plan


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_presenting_concern_neither_addressed_nor_deferred_is_a_problem(case):
    plan = strong_plan()
    del plan.problems[1]
    [finding] = _rule(critique(plan, case), "linkage.concern_unaddressed")
    assert finding.severity == "problem"
    assert "Sleeps 4 hours between night shifts" in finding.message
    assert finding.evidence == ("Concern: Sleeps 4 hours between night shifts",)


def test_a_problem_that_links_no_concern_addresses_the_one_its_words_name(case):
    plan = strong_plan()
    plan.problems[1].concern_ids = []  # 'Short sleep between night shifts': still about her sleep
    assert _rule(critique(plan, case), "linkage.concern_unaddressed") == []


def test_explicitly_deferred_concern_is_not_flagged_but_needs_a_reason(case):
    plan = strong_plan(deferred_concerns=[Deferral(id="def-sleep", concern_id="c-sleep", reason="")])
    del plan.problems[1]
    findings = critique(plan, case)
    assert _rule(findings, "linkage.concern_unaddressed") == []
    assert [f.element_id for f in _rule(findings, "linkage.deferral_without_reason")] == ["def-sleep"]


def test_links_to_facts_the_case_does_not_have_are_orphans(case):
    plan = strong_plan(revised_for_events=["e-divorce"])
    plan.element("obj-walk").linked_facts = ["s-sister", "s-brother"]
    found = _rule(critique(plan, case), "linkage.orphan_fact")
    assert [f.element_id for f in found] == [None, "obj-walk"]
    assert "a case fact this case does not have" in found[1].message
    assert "s-brother" not in found[1].message and "e-divorce" not in found[0].message


def test_broken_chain_is_flagged_at_each_missing_link(case):
    plan = strong_plan()
    plan.problems.append(
        Problem(id="prb-empty", statement="Grief over her divorce", evidenced_by="cries daily")
    )
    plan.problems[1].goals.append(Goal(id="gol-empty", statement="Feel rested"))
    plan.element("obj-walk").interventions = []
    findings = critique(plan, case)
    assert [f.element_id for f in _rule(findings, "linkage.problem_without_goal")] == ["prb-empty"]
    assert [f.element_id for f in _rule(findings, "linkage.goal_without_objective")] == ["gol-empty"]
    assert [f.element_id for f in _rule(findings, "linkage.objective_without_intervention")] == ["obj-walk"]


def test_problem_without_evidence_suggests_the_case_frequency_and_intensity(case):
    plan = strong_plan()
    plan.element("prb-sleep").evidenced_by = ""
    [finding] = _rule(critique(plan, case), "linkage.problem_without_evidence")
    assert "5 nights a week" in finding.suggestion


def test_moderate_risk_without_a_safety_plan_is_a_problem():
    case = make_case(risk=RiskSummary(level="moderate", summary="Thoughts of overdose this week"))
    [finding] = _rule(critique(strong_plan(safety_plan=""), case), "safety.not_addressed")
    assert finding.severity == "problem" and "moderate" in finding.message


def test_phq9_item_9_above_zero_calls_for_safety_only_once_revealed():
    items = [2, 2, 2, 2, 2, 2, 2, 2, 1]
    case = make_case(
        timeline=[
            {
                "id": "e-job",
                "week": 6,
                "title": "Loses her job",
                "description": "ward closes",
                "measures": [MeasurePoint(instrument="PHQ-9", week=6, score=17, item_scores=items)],
            }
        ]
    )
    plan = strong_plan(safety_plan="")
    assert "safety.not_addressed" not in rules_of(critique(plan, case, week=2))
    [finding] = _rule(critique(plan, case, week=6), "safety.not_addressed")
    assert "PHQ-9 item 9 = 1 (week 6)" in finding.message


def test_low_risk_case_needs_no_safety_plan(case):
    assert "safety.not_addressed" not in rules_of(critique(strong_plan(safety_plan=""), case))


def test_intervention_without_frequency_or_role_is_incomplete(case):
    plan = strong_plan()
    plan.element("int-walk").frequency = ""
    plan.element("int-walk").responsible_role = ""
    [finding] = _rule(critique(plan, case), "linkage.intervention_incomplete")
    assert finding.element_id == "int-walk" and "no frequency and no responsible role" in finding.message


def test_empty_plan_is_told_where_to_start(case):
    findings = critique(strong_plan(problems=[]), case)
    [finding] = _rule(findings, "linkage.no_problems")
    assert "Low mood and loss of interest" in finding.suggestion
    assert len(_rule(findings, "linkage.concern_unaddressed")) == 2


def test_a_deferral_whose_reason_is_later_has_no_reason(case):
    plan = strong_plan(deferred_concerns=[Deferral(id="def-sleep", concern_id="c-sleep", reason="Later.")])
    del plan.problems[1]
    assert [f.element_id for f in _rule(critique(plan, case), "linkage.deferral_without_reason")] == [
        "def-sleep"
    ]


def test_a_problem_names_the_concern_it_is_about_even_when_it_links_others():
    from itp_toolkit.model import PresentingConcern

    grief = PresentingConcern(id="c-grief", summary="Intense yearning for her late husband")
    case = make_case(presenting_concerns=[*make_case().presenting_concerns, grief])
    plan = strong_plan()
    assert [f.subject for f in _rule(critique(plan, case), "linkage.concern_unaddressed")] == ["c-grief"]
    plan.element(
        "prb-mood"
    ).statement = "Depressed mood and mourning her husband after two years of night shifts"
    assert _rule(critique(plan, case), "linkage.concern_unaddressed") == []
