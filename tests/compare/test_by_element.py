"""Plans compared element by element in a supervisor's words (compare_by_element)."""

from __future__ import annotations

import pytest

from itp_toolkit.compare.by_element import compare_by_element
from itp_toolkit.model import BarrierPlan, StrengthUse

from .conftest import make_plan, mood_problem, panic_problem, sleep_problem


@pytest.fixture
def plans(college):
    ana = make_plan(
        college.id,
        "a",
        [panic_problem("a", "Panic attacks in lectures"), sleep_problem("a", "Cannot fall asleep")],
        strengths_used=[StrengthUse(id="stu-a", strength_id="s-roommate", how="Walks with her to class")],
    )
    ben = make_plan(
        college.id,
        "b",
        [sleep_problem("b", "Cannot fall asleep"), mood_problem("b", "Low mood after poor marks")],
    )
    return {"Ana": ana, "Ben": ben}


def test_elements_are_aligned_by_meaning_not_position(plans, college):
    rows = compare_by_element(plans, college)
    sleep = next(r for r in rows if r.cells[0] and "Cannot fall asleep" in r.cells[0])
    assert sleep.cells[1].startswith("Cannot fall asleep")
    assert sleep.element_ids == ("prb-sleepa", "prb-sleepb")
    assert sleep.agreement == "same" and sleep.status == "Same wording"
    assert sleep.heading == "Problem 2" and sleep.depth == 0


def test_rows_say_in_words_which_plan_lacks_an_element(plans, college):
    rows = compare_by_element(plans, college)
    statuses = {r.status for r in rows}
    assert "Only in Ana" in statuses and "Only in Ben" in statuses
    goal = next(r for r in rows if r.kind == "goal")
    assert goal.heading.startswith("Goal 1.") and goal.depth == 1


def test_case_facts_are_shown_by_their_text_never_their_id(plans, college):
    rows = compare_by_element(plans, college)
    strength = next(r for r in rows if r.kind == "strength used")
    roommate = next(s.text for s in college.strengths if s.id == "s-roommate")
    assert strength.cells[0].startswith(roommate[:20]) and "s-roommate" not in strength.cells[0]
    assert strength.heading == "Strength used 1"


def test_one_draft_is_compared_with_the_reference_plan(plans, college):
    assert college.reference_plan is not None
    rows = compare_by_element({"Ana": plans["Ana"]}, college, reference=college.reference_plan)
    assert all(len(r.cells) == 2 for r in rows)
    statuses = {r.status for r in rows}
    assert statuses & {"Only in the reference plan", "Not in the reference plan", "Not in Ana"}


def test_two_to_four_drafts_keep_the_reference_as_a_column_to_look_at(plans, college):
    rows = compare_by_element(plans, college, reference=college.reference_plan)
    reference_only = [r for r in rows if not r.cells[0] and not r.cells[1]]
    assert reference_only and all(r.status == "Only in the reference plan" for r in reference_only)


def test_a_single_draft_without_the_reference_or_five_drafts_are_refused(plans, college):
    with pytest.raises(ValueError, match="reference"):
        compare_by_element({"Ana": plans["Ana"]}, college)
    with pytest.raises(ValueError, match="1 to 4"):
        compare_by_element({str(n): plans["Ana"] for n in range(5)}, college)


def test_barrier_plans_name_the_barrier_by_its_text(college):
    barrier = college.barriers[0]
    plan = make_plan(
        college.id,
        "x",
        [],
        barriers=[BarrierPlan(id="bar-x", barrier_id=barrier.id, mitigation="Evening slots")],
    )
    rows = compare_by_element({"Ana": plan, "Ben": plan}, college)
    assert rows[0].cells[0] == f"{barrier.text} → Evening slots" or rows[0].cells[0].endswith("Evening slots")
    assert barrier.id not in rows[0].cells[0]
