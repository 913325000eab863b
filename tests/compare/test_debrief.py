"""Workshop debrief: anonymized consensus and divergence, score spread, your plan against the group."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from itp_toolkit.compare.cohort import CohortDraft
from itp_toolkit.compare.debrief import (
    YOU,
    build_debrief,
    consensus_and_divergence,
    exemplar_label,
    score_spread,
    spread_figure,
    your_choices_against_group,
)

from .conftest import make_plan, mood_problem, panic_problem, sleep_problem, strengths


def group(college):
    """ben and ana: panic + sleep; cara: panic + mood. Panic is everyone's; sleep splits the group."""
    cid = college.id
    return [
        CohortDraft(
            1,
            "ben",
            make_plan(
                cid,
                "b",
                [
                    panic_problem("b", "Panic in lectures", concerns=["pc-panic"]),
                    sleep_problem("b", "Cannot sleep", concerns=["pc-sleep"]),
                ],
                strengths_used=strengths("b", "s-roommate"),
            ),
        ),
        CohortDraft(
            2,
            "ana",
            make_plan(
                cid,
                "a",
                [
                    sleep_problem("a", "Cannot sleep", concerns=["pc-sleep"]),
                    panic_problem("a", "Panic in lectures", concerns=["pc-panic"]),
                ],
            ),
        ),
        CohortDraft(
            3,
            "cara",
            make_plan(
                cid,
                "c",
                [
                    panic_problem("c", "Panic in lectures", concerns=["pc-panic"]),
                    mood_problem("c", "Low mood and harsh self-criticism"),
                ],
            ),
        ),
    ]


def test_a_choice_everyone_made_is_consensus_and_one_that_split_the_group_is_divergence(college):
    consensus, divergence = consensus_and_divergence(group(college), college)
    concern = {c.id: c.summary for c in college.presenting_concerns}
    assert concern["pc-panic"] in set(consensus["choice"])  # the concern by its text, never its id
    assert concern["pc-sleep"] not in set(consensus["choice"])
    assert not any(c.startswith("pc-") for c in [*consensus["choice"], *divergence["choice"]])
    sleep = divergence[divergence["choice"] == concern["pc-sleep"]]
    assert sleep["trainees"].tolist() == [2] and abs(sleep["share"].iloc[0] - 0.667) < 1e-3
    assert set(consensus["share"]) <= {1.0} or (consensus["share"] >= 0.75).all()


def test_group_tables_name_nobody(college):
    consensus, divergence = consensus_and_divergence(group(college), college)
    for table in (consensus, divergence):
        assert list(table.columns) == ["category", "choice", "trainees", "share"]
        text = table.to_string()
        for name in ("ana", "ben", "cara", "Trainee A"):
            assert name not in text


def test_an_empty_group_gives_empty_tables_and_no_spread(college):
    consensus, divergence = consensus_and_divergence([], college)
    assert consensus.empty and divergence.empty
    spread = score_spread(pd.DataFrame({"score": []}))
    assert spread.drafts == 0 and spread.summary == "No saved plans yet."


def test_score_spread_is_the_five_number_summary():
    spread = score_spread(pd.DataFrame({"score": [10, 20, 30, 40, 50]}))
    assert (spread.lowest, spread.lower_quartile, spread.median, spread.upper_quartile, spread.highest) == (
        10,
        20,
        30,
        40,
        50,
    )
    assert "median 30" in spread.summary


def test_your_plan_is_set_against_the_others_with_what_you_left_out(college):
    drafts = group(college)
    cara = drafts[2]
    table = your_choices_against_group(cara.plan, drafts[:2], college)
    concern = {c.id: c.summary for c in college.presenting_concerns}
    sleep = table[table["choice"] == concern["pc-sleep"]].iloc[0]
    assert not sleep["yours"] and sleep["others_share"] == 1.0  # both others chose it; cara did not
    panic = table[table["choice"] == concern["pc-panic"]].iloc[0]
    assert panic["yours"] and panic["others_share"] == 1.0
    mood_rows = table[table["yours"] & (table["others_share"] == 0)]
    assert len(mood_rows) >= 1  # her mood problem: nobody else made it
    assert table["yours"].tolist() == sorted(table["yours"].tolist(), reverse=True)  # yours first


def test_the_debrief_for_a_trainee_carries_their_own_plan_and_score(college):
    drafts = group(college)
    debrief = build_debrief(drafts, college, viewer_draft_id=3)
    assert debrief.group_size == 3 and debrief.yours is not None and debrief.your_score is not None
    assert debrief.spread.drafts == 3
    facilitator = build_debrief(drafts, college)
    assert facilitator.yours is None and facilitator.your_score is None
    assert facilitator.consensus.equals(debrief.consensus)


def test_the_spread_figure_marks_your_plan(college):
    debrief = build_debrief(group(college), college, viewer_draft_id=1)
    fig = spread_figure(debrief.scores, yours=debrief.your_score)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("your plan") for label in labels)
    assert not any(
        label.startswith("your plan")
        for label in [t.get_text() for t in spread_figure(debrief.scores).axes[0].get_legend().get_texts()]
    )


def test_exemplar_labels_match_the_anonymous_letters():
    assert exemplar_label("cara", ["ben", "ana", "cara"]) == "Trainee C"
    assert exemplar_label("zed", ["ana"]) == "A plan from the group"
    assert YOU == "Your plan"
