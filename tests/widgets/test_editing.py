import pytest

from itp_toolkit.errors import InvalidInput, NotFound
from itp_toolkit.library.interventions import (
    apply_library_intervention,
    is_unadapted,
    load_intervention_library,
)
from itp_toolkit.model import editing as e


@pytest.fixture
def tree(blank_plan):
    p = e.add_problem(blank_plan, "Panic keeps her out of lectures", element_id="prb-a")
    p = e.add_problem(p, "Cannot fall asleep", element_id="prb-b")
    p = e.add_goal(p, "prb-a", "Sit through a whole exam", element_id="gol-a")
    p = e.add_objective(p, "gol-a", "Stays through 4 of 5 lectures a week", element_id="obj-a")
    p = e.add_objective(p, "gol-a", "GAD-7 below 10", element_id="obj-b")
    p = e.add_intervention(p, "obj-a", "Exposure ladder in the lecture hall", element_id="int-a")
    return p


def ids_of(plan):
    return [x.id for x in plan.elements()]


def test_add_returns_a_new_plan_and_leaves_the_old_one_alone(blank_plan):
    new = e.add_problem(blank_plan, "Worry", element_id="prb-x")
    assert blank_plan.problems == []
    assert [p.id for p in new.problems] == ["prb-x"]


def test_new_elements_get_fresh_ids_with_their_kind_prefix(blank_plan):
    p = e.add_problem(blank_plan)
    p = e.add_goal(p, p.problems[0].id)
    assert p.problems[0].id.startswith("prb-") and p.problems[0].goals[0].id.startswith("gol-")


def test_children_can_only_go_under_the_right_kind_of_parent(tree):
    with pytest.raises(InvalidInput) as err:
        e.add_objective(tree, "prb-a", "x")
    assert err.value.problems[0].field == "parent_id"


def test_update_changes_fields_and_keeps_every_id(tree):
    before = ids_of(tree)
    p = e.update_element(
        tree, "obj-a", measure="Lectures stayed through", baseline="2", target=4, target_week=6
    )
    obj = p.element("obj-a")
    assert (obj.baseline, obj.target, obj.target_week) == (2.0, 4.0, 6)
    assert ids_of(p) == before
    assert p.element("obj-a").interventions[0].id == "int-a"


def test_invalid_update_names_the_field_and_changes_nothing(tree):
    with pytest.raises(InvalidInput) as err:
        e.update_element(tree, "obj-a", target_week=900, remeasure_every_weeks=0)
    assert {pr.field for pr in err.value.problems} == {"target_week", "remeasure_every_weeks"}
    assert tree.element("obj-a").target_week is None


def test_ids_and_children_cannot_be_changed_by_update(tree):
    for fields in ({"id": "obj-z"}, {"interventions": []}):
        with pytest.raises(InvalidInput):
            e.update_element(tree, "obj-a", **fields)


def test_unknown_field_and_unknown_element_are_refused(tree):
    with pytest.raises(InvalidInput) as err:
        e.update_element(tree, "obj-a", statment="typo")
    assert err.value.problems[0].field == "statment"
    with pytest.raises(NotFound):
        e.update_element(tree, "obj-nope", description="x")


def test_remove_takes_the_subtree_and_keeps_other_ids(tree):
    p = e.remove_element(tree, "gol-a")
    assert ids_of(p) == ["prb-a", "prb-b"]


def test_move_reorders_siblings_only_and_stops_at_the_ends(tree):
    p = e.move_element(tree, "obj-b", 0)
    assert [o.id for o in p.element("gol-a").objectives] == ["obj-b", "obj-a"]
    p = e.move_element(p, "prb-a", 99)
    assert [x.id for x in p.problems] == ["prb-b", "prb-a"]
    assert sorted(ids_of(p)) == sorted(ids_of(tree))
    assert e.parent_id(p, "obj-b") == "gol-a"


def test_linking_a_quote_to_a_goal_makes_it_the_goals_quote(tree, college_case):
    p = e.link_fact(tree, "gol-a", "q-exam", college_case)
    goal = p.element("gol-a")
    assert goal.linked_facts == ["q-exam"] and goal.patient_quote_id == "q-exam"
    p = e.unlink_fact(p, "gol-a", "q-exam")
    assert p.element("gol-a").linked_facts == [] and p.element("gol-a").patient_quote_id is None


def test_linking_a_concern_to_a_problem_records_it_as_addressed(tree, college_case):
    p = e.link_fact(tree, "prb-a", "pc-panic", college_case)
    assert p.element("prb-a").concern_ids == ["pc-panic"]
    assert "pc-panic" in p.linked_fact_ids()


def test_linking_twice_links_once_and_unknown_facts_are_refused(tree, college_case):
    p = e.link_fact(tree, "int-a", "s-roommate", college_case)
    p = e.link_fact(p, "int-a", "s-roommate", college_case)
    assert p.element("int-a").linked_facts == ["s-roommate"]
    with pytest.raises(InvalidInput):
        e.link_fact(p, "int-a", "s-invented", college_case)


def test_quote_as_goal_states_the_goal_in_the_persons_words(tree, college_case):
    quote = next(q for q in college_case.patient_words if q.id == "q-sleep")
    goal = e.quote_as_goal(tree, "gol-a", quote).element("gol-a")
    assert (goal.statement, goal.in_patient_words, goal.patient_quote_id) == (quote.text, True, "q-sleep")


def test_plan_level_sections_are_added_updated_and_removed_by_id(tree):
    p = e.add_strength_use(tree, "s-roommate", "Sits with her in lecture", element_id="stu-a")
    p = e.add_barrier_plan(p, "b-work-shifts", "Tuesday late-morning slot", element_id="bar-a")
    p = e.add_deferral(p, "pc-attention", "Re-screen at week 8", element_id="def-a")
    p = e.add_discharge_criterion(p, "GAD-7 below 10 twice", element_id="dis-a")
    p = e.update_element(p, "bar-a", mitigation="Thursday slot")
    assert p.element("bar-a").mitigation == "Thursday slot"
    p = e.remove_element(p, "stu-a")
    assert [x.id for x in p.strengths_used] == []
    assert {"bar-a", "def-a", "dis-a"} <= set(ids_of(p))


def test_participation_and_review_are_validated(tree):
    p = e.set_participation(tree, patient_participated=True, note="Chose the exam goal")
    p = e.set_review(p, review_week=5, early_review_triggers=["PHQ-9 item 9 above 0"])
    p = e.add_review_trigger(p, "Two sessions missed")
    p = e.remove_review_trigger(p, 0)
    assert p.participation.patient_participated and p.review.review_week == 5
    assert p.review.early_review_triggers == ["Two sessions missed"]
    with pytest.raises(InvalidInput) as err:
        e.set_review(p, review_week=-1)
    assert err.value.problems[0].field == "review.review_week"


def test_update_plan_only_touches_plan_level_settings(tree):
    assert e.update_plan(tree, safety_plan="Crisis line").safety_plan == "Crisis line"
    with pytest.raises(InvalidInput):
        e.update_plan(tree, problems=[])


def test_library_prefill_copies_the_option_and_stays_recognisably_unadapted(tree):
    item = load_intervention_library().item("lib-anx-cbt-panic")
    p = apply_library_intervention(tree, "obj-a", item, element_id="int-lib")
    made = p.element("int-lib")
    assert (made.modality, made.frequency, made.evidence_base) == (
        item.modality,
        item.frequency,
        item.evidence_base,
    )
    assert is_unadapted(made.description)
    adapted = e.update_element(
        p, "int-lib", description=made.description + " built from her lecture-hall attacks"
    )
    assert not is_unadapted(adapted.element("int-lib").description)


def test_form_values_turn_blank_numbers_into_not_set_and_lines_into_lists():
    assert e.form_value("baseline", "  ") is None
    assert e.form_value("baseline", "12") == "12"
    assert e.form_value("description", "") == ""
    assert e.form_value("early_review_triggers", "a\n\n b \n") == ["a", "b"]
