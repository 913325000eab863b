"""Side-by-side alignment: problems matched by meaning (links first, then wording), not by position."""

from __future__ import annotations

import pandas as pd
import pytest

from itp_toolkit.compare.alignment import (
    align_elements,
    combined_similarity,
    element_similarity,
    greedy_match,
    matched_concerns,
    side_by_side,
    text_similarity,
)
from itp_toolkit.model import Problem

from .conftest import make_plan, mood_problem, panic_problem, sleep_problem


def test_text_similarity_is_one_for_identical_wording_and_low_for_unrelated_statements():
    assert text_similarity("Panic attacks in lectures", "Panic attacks in lectures") == pytest.approx(1.0)
    assert text_similarity("Panic attacks in lectures", "Difficulty falling asleep") < 0.15
    assert text_similarity("", "anything") == 0.0


def test_rewording_keeps_similarity_above_the_threshold():
    assert (
        text_similarity(
            "Panic attacks make her leave lectures", "She leaves lectures because of panic attacks"
        )
        >= 0.3
    )


def test_shared_case_links_outweigh_different_wording():
    linked = combined_similarity(
        {"pc-panic", "pc-worry"}, {"pc-panic", "pc-worry"}, "Anxiety", "Fear in class"
    )
    unlinked = combined_similarity(set(), set(), "Anxiety", "Fear in class")
    assert linked >= 0.6 > unlinked


def test_greedy_match_takes_the_closest_pair_first_and_uses_each_element_once():
    scores = {("a", "x"): 0.9, ("a", "y"): 0.8, ("b", "x"): 0.85, ("b", "y"): 0.2}
    pairs = greedy_match(["a", "b"], ["x", "y"], lambda left, right: scores[(left, right)], threshold=0.3)
    # a-x (0.9) first; b cannot have x any more and b-y is under the threshold.
    assert pairs == [(0, 0, 0.9)]


def test_problems_reordered_and_reworded_without_links_are_matched_by_wording(college):
    a = make_plan(
        college.id,
        "a",
        [
            panic_problem("a", "Panic attacks make her leave lectures and exams"),
            sleep_problem("a", "Cannot fall asleep before 2 am"),
            mood_problem("a", "Low mood and harsh self-criticism after poor marks"),
        ],
    )
    b = make_plan(
        college.id,
        "b",
        [
            mood_problem("b", "Harsh self-criticism and low mood when marks are poor"),
            panic_problem("b", "She leaves lectures and exams because of panic attacks"),
            sleep_problem("b", "Falls asleep after 2 am most nights"),
        ],
    )
    frame = side_by_side({"A": a, "B": b})
    problems = frame[frame["level"] == "problem"]
    pairs = set(zip(problems["A id"], problems["B id"], strict=True))
    assert pairs == {("prb-panica", "prb-panicb"), ("prb-sleepa", "prb-sleepb"), ("prb-mooda", "prb-moodb")}
    assert set(problems["status"]) == {"differs"}


def test_children_are_aligned_under_their_matched_problem(college):
    a = make_plan(
        college.id, "a", [panic_problem("a", "Panic in lectures"), sleep_problem("a", "Cannot sleep")]
    )
    b = make_plan(
        college.id, "b", [sleep_problem("b", "Cannot sleep"), panic_problem("b", "Panic in lectures")]
    )
    frame = side_by_side({"A": a, "B": b}).set_index("A id")
    assert frame.loc["int-cbta", "B id"] == "int-cbtb"
    assert frame.loc["int-cbtia", "B id"] == "int-cbtib"
    assert frame.loc["int-cbta", "slot"].startswith(frame.loc["prb-panica", "slot"] + ".")


def test_a_problem_only_one_draft_has_is_marked_and_gets_its_own_row(college):
    a = make_plan(
        college.id, "a", [panic_problem("a", "Panic in lectures"), mood_problem("a", "Low mood after marks")]
    )
    b = make_plan(college.id, "b", [panic_problem("b", "Panic in lectures")])
    frame = side_by_side({"A": a, "B": b})
    mood = frame[frame["A id"] == "prb-mooda"].iloc[0]
    assert mood["status"] == "only in A"
    assert pd.isna(mood["B id"]) and mood["B"] == ""


def test_linked_concerns_match_problems_whose_wording_shares_nothing(college):
    a = make_plan(college.id, "a", [panic_problem("a", "Avoidance of lecture halls", concerns=["pc-panic"])])
    b = make_plan(
        college.id,
        "b",
        [
            sleep_problem("b", "Poor sleep onset", concerns=["pc-sleep"]),
            panic_problem("b", "Sudden surges of fear", concerns=["pc-panic"]),
        ],
    )
    frame = side_by_side({"A": a, "B": b})
    row = frame[frame["A id"] == "prb-panica"].iloc[0]
    assert row["B id"] == "prb-panicb"


def test_reference_plan_is_an_optional_last_column_and_does_not_change_the_drafts_status(college):
    ref = college.reference_plan
    a = make_plan(college.id, "a", [panic_problem("a", "Panic in lectures")])
    b = make_plan(college.id, "b", [panic_problem("b", "Panic in lectures")])
    frame = side_by_side({"A": a, "B": b}, reference=ref)
    assert list(frame.columns[4:7]) == ["A", "B", "Reference plan"]
    assert "reference only" in set(frame["status"])
    assert frame.loc[frame["A id"] == "prb-panica", "status"].iloc[0] == "same"


def test_drafts_of_different_cases_are_refused(college):
    a = make_plan(college.id, "a", [])
    b = make_plan("case-perinatal-rural", "b", [])
    with pytest.raises(ValueError, match="different cases"):
        side_by_side({"A": a, "B": b})


def test_four_drafts_align_into_one_row_per_shared_problem(college):
    plans = {
        label: make_plan(
            college.id,
            label.lower(),
            [
                sleep_problem(label.lower(), "Cannot fall asleep"),
                panic_problem(label.lower(), "Panic attacks in lectures"),
            ][:: 1 if n % 2 else -1],
        )
        for n, label in enumerate("ABCD")
    }
    frame = side_by_side(plans)
    assert (frame["level"] == "problem").sum() == 2
    assert frame[frame["level"] == "problem"][["A id", "B id", "C id", "D id"]].notna().all().all()


def test_unrelated_problems_stay_in_separate_rows():
    rows = align_elements(
        [
            [Problem(id="prb-a", statement="Panic attacks in lectures")],
            [Problem(id="prb-b", statement="Difficulty falling asleep")],
            [Problem(id="prb-c", statement="Panic attacks during lectures")],
        ],
        "problem",
    )
    assert [[e.id if e else None for e in r.cells] for r in rows] == [
        ["prb-a", None, "prb-c"],
        [None, "prb-b", None],
    ]


def test_a_problem_without_links_is_matched_to_the_concern_its_wording_names(college):
    problem = sleep_problem("x", "Difficulty falling asleep, 60-90 minutes most nights")
    assert matched_concerns(problem, college) == ["pc-sleep"]
    assert element_similarity(problem, problem) == pytest.approx(1.0)
