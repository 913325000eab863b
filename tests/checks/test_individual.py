from itp_toolkit.checks import critique, individualization_score
from itp_toolkit.model import BarrierPlan
from tests.checks.builders import rules_of, strong_plan


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def _generic_plan():
    plan = strong_plan(strengths_used=[], barriers=[])
    plan.element("gol-sing").statement = "Client will reduce symptoms of depression"
    plan.element("gol-sing").in_patient_words = False
    plan.element("gol-sing").patient_quote_id = None
    plan.element("gol-sleep").linked_facts = []
    plan.element("obj-walk").description = "Client will learn coping skills"
    plan.element("obj-walk").linked_facts = []
    plan.element("int-walk").description = "Attend weekly therapy sessions"
    plan.element("int-walk").linked_facts = []
    plan.element("int-ba").description = "Provide cognitive behavioral therapy"
    plan.element("int-ba").linked_facts = []
    plan.element("int-sleep").description = "Teach relaxation techniques"
    plan.strengths_used = []
    plan.element("prb-mood").evidenced_by = "PHQ-9 17; cries after most shifts"
    plan.participation.note = "She chose the evening time"
    plan.discharge_criteria[0].text = "PHQ-9 below 10 for 4 weeks"
    return plan


def test_library_text_is_flagged_as_generic_with_the_phrase_it_copies(case):
    found = _rule(critique(_generic_plan(), case), "individual.generic_text")
    assert [f.element_id for f in found] == ["gol-sing", "int-ba", "obj-walk", "int-walk", "int-sleep"]
    assert "'Client will reduce symptoms of depression'" in found[0].message
    assert "I want to sing again without crying" in found[0].suggestion


def test_a_vague_objective_is_reported_once_as_unmeasured_not_again_as_library_text(case):
    # 'Improve sleep' with nothing to count: the SMART 'no measure' finding asks for the rewrite; calling
    # the same two words copied library text is the same cause twice (the critique set's false alarm).
    plan = strong_plan()
    obj = plan.element("obj-sleep")
    obj.description, obj.measure, obj.baseline, obj.target = "Improve sleep", "", None, None
    findings = critique(plan, case)
    assert [f.element_id for f in _rule(findings, "smart.no_measure")] == ["obj-sleep"]
    assert [f for f in _rule(findings, "individual.generic_text") if f.element_id == "obj-sleep"] == []
    # The same stock words on a measured objective are still library text.
    obj.measure, obj.baseline, obj.target = "hours slept after a shift", 4.5, 6
    assert "obj-sleep" in {f.element_id for f in _rule(critique(plan, case), "individual.generic_text")}


def test_adapted_text_is_not_generic(plan, case):
    assert _rule(critique(plan, case), "individual.generic_text") == []


def test_near_identical_peer_text_is_flagged_only_when_peers_are_given(case):
    plan = strong_plan()
    peer = strong_plan(id="plan-peer")
    peer.element("obj-walk").description = "Walks with her sister 3 mornings a week after shifts."
    assert _rule(critique(plan, case), "individual.peer_duplicate") == []
    found = _rule(critique(plan, case, peers=[peer]), "individual.peer_duplicate")
    assert "obj-walk" in {f.element_id for f in found}


def test_the_plan_itself_among_peers_is_not_a_duplicate(plan, case):
    assert _rule(critique(plan, case, peers=[plan]), "individual.peer_duplicate") == []


def test_unused_strengths_unmitigated_barriers_and_ignored_culture_are_flagged(case):
    findings = critique(_generic_plan(), case)
    assert {"individual.strengths_unused", "individual.barrier_unaddressed"} <= rules_of(findings)
    barriers = _rule(findings, "individual.barrier_unaddressed")
    assert {f.subject for f in barriers} == {"b-bus", "b-shifts"}
    assert {f.evidence[0] for f in barriers} == {
        "Barrier: No car; the clinic is 40 minutes by bus",
        "Barrier: Works nights and sleeps in the day",
    }


def test_culture_reflected_in_the_plan_satisfies_the_cultural_rule(case):
    plan = _generic_plan()
    assert "individual.cultural_context_unused" in rules_of(critique(plan, case))
    plan.notes = "Her parish choir director is a support she trusts."
    assert "individual.cultural_context_unused" not in rules_of(critique(plan, case))


def test_barrier_plan_without_a_mitigation_is_flagged(case):
    plan = strong_plan(
        barriers=[
            BarrierPlan(id="bar-x", barrier_id="b-bus", mitigation=""),
            BarrierPlan(id="bar-y", barrier_id="b-shifts", mitigation="Evening sessions"),
        ]
    )
    assert [f.element_id for f in _rule(critique(plan, case), "individual.empty_mitigation")] == ["bar-x"]


def test_strong_plan_scores_full_marks_with_every_component_explained(plan, case):
    result = individualization_score(plan, case)
    assert result.score == 100
    assert [c.name for c in result.breakdown] == [
        "strengths used",
        "barriers mitigated",
        "quotes used",
        "cultural context reflected",
        "specific numbers",
        "generic-text penalty",
    ]
    assert result.facts_ignored == []


def test_generic_plan_scores_low_and_lists_the_facts_it_ignored(case):
    result = individualization_score(_generic_plan(), case)
    assert result.score < 40
    assert "Strength: Sister lives nearby and offers to walk with her" in result.facts_ignored
    assert 'In their words: "I want to sing again without crying"' in result.facts_ignored
    penalty = result.breakdown[-1]
    assert penalty.points < 0 and "5 of 8" in penalty.detail
    [low] = _rule(critique(_generic_plan(), case), "individual.low_individualization")
    assert f"{result.score}/100" in low.message


def test_score_is_the_sum_of_its_components_clamped_to_0_100(case):
    for plan in (_generic_plan(), strong_plan()):
        plan.element("obj-walk").target_week = None
        result = individualization_score(plan, case)
        total = sum(c.points for c in result.breakdown)
        assert abs(max(0.0, min(100.0, total)) - result.score) <= 0.6
