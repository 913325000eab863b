"""Cohort view: choices x trainees with consensus and outliers, similarity, anonymized labels."""

from __future__ import annotations

from matplotlib.figure import Figure

from itp_toolkit.compare.cohort import (
    CohortDraft,
    canonical_modality,
    choices_frame,
    cohort_table,
    group_choice,
    individualization_frame,
    individualization_histogram,
    letter_label,
    outliers,
    plan_choices,
    similarity_heatmap,
    similarity_matrix,
    trainee_labels,
)

from .conftest import make_plan, mood_problem, panic_problem, sleep_problem, strengths


def cohort(college):
    """Three trainees chose panic + sleep with the same measures; only 'cara' added a mood problem."""
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
                strengths_used=strengths("a", "s-roommate"),
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
                    mood_problem("c", "Low mood and harsh self-criticism after poor marks"),
                ],
            ),
        ),
    ]


def test_anonymized_labels_follow_username_order_whatever_the_draft_order():
    assert trainee_labels(["cara", "ana", "ben"], anonymized=True) == {
        "ana": "Trainee A",
        "ben": "Trainee B",
        "cara": "Trainee C",
    }
    assert trainee_labels(["ben", "cara", "ana"], anonymized=True)["cara"] == "Trainee C"
    assert trainee_labels(["ana"], anonymized=False) == {"ana": "ana"}
    assert [letter_label(n) for n in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]


def test_choices_name_the_concern_measure_modality_and_strengths_with_their_elements(college):
    draft = cohort(college)[2]
    got = {(c.category, c.key, c.element_id) for c in plan_choices(draft.plan, college)}
    assert ("concern", "pc-panic", "prb-panicc") in got
    # The mood problem links no concern: it is matched to pc-mood by its wording.
    assert ("concern", "pc-mood", "prb-moodc") in got
    assert ("measure", "PHQ-9", "obj-moodc") in got
    assert ("modality", "ba", "int-bac") in got  # the shared vocabulary's key
    assert ("strength", "s-running", "int-bac") in got


def test_modalities_are_grouped_by_the_library_treatment_they_name():
    assert canonical_modality("Cognitive behavioral therapy for panic with interoceptive exposure")[1] == (
        "CBT for panic disorder with interoceptive exposure"
    )
    assert (
        canonical_modality("Motivational interviewing with a drink diary")[1]
        == "Motivational interviewing (MI)"
    )
    assert canonical_modality("Walking group with her sister")[1] == "Walking group with her sister"


def test_cohort_table_counts_trainees_gives_consensus_and_flags_the_unique_choice(college):
    table = cohort_table(cohort(college), college, anonymized=True)
    assert {"Trainee A", "Trainee B", "Trainee C", "count", "consensus", "outlier"} <= set(table.columns)
    by_key = table.set_index(["category", "choice"])
    assert by_key.loc[("concern", "pc-panic"), "count"] == 3
    assert by_key.loc[("concern", "pc-panic"), "consensus"] == 1.0
    assert by_key.loc[("concern", "pc-sleep"), "consensus"] == round(2 / 3, 3)
    assert bool(by_key.loc[("concern", "pc-mood"), "outlier"])
    # 'cara' (Trainee C) is the only one with the mood problem.
    assert by_key.loc[("concern", "pc-mood"), "Trainee C"] == 1
    assert by_key.loc[("concern", "pc-mood"), "Trainee A"] == 0
    assert list(table["category"]).index("concern") < list(table["category"]).index("measure")


def test_outliers_name_unique_choices_and_left_out_consensus(college):
    drafts = cohort(college)
    table = cohort_table(drafts, college)
    found = outliers(table, ["ana", "ben", "cara"])
    assert ((found["trainee"] == "cara") & (found["how"] == "only this trainee")).any()
    assert not ((found["trainee"] == "ana") & (found["how"] == "only this trainee")).any()


def test_similarity_matrix_is_jaccard_of_choice_sets(college):
    drafts = cohort(college)
    frame = choices_frame(drafts, college)
    sim = similarity_matrix(drafts, college, choices=frame)
    sets = {t: set(zip(g["category"], g["choice"], strict=True)) for t, g in frame.groupby("trainee")}
    expected = len(sets["ana"] & sets["cara"]) / len(sets["ana"] | sets["cara"])
    assert abs(sim.loc["ana", "cara"] - expected) < 1e-3
    assert sim.loc["ana", "ben"] == 1.0  # same choices, different order and wording of ids
    assert (sim.to_numpy().diagonal() == 1.0).all()


def test_plots_are_figure_objects_not_pyplot_state(college):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    drafts = cohort(college)
    heat = similarity_heatmap(similarity_matrix(drafts, college, anonymized=True))
    hist = individualization_histogram(individualization_frame(drafts, college), reference=80)
    assert isinstance(heat, Figure) and isinstance(hist, Figure)
    assert plt.get_fignums() == before


def test_an_empty_cohort_gives_an_empty_table(college):
    assert cohort_table([], college).empty


def test_a_group_comment_follows_the_choice_the_element_makes(college):
    plan = cohort(college)[0].plan
    assert group_choice(plan, college, "int-cbtb") == ("modality", "cbt-panic")
    assert group_choice(plan, college, "prb-panicb") == ("concern", "pc-panic")
    assert group_choice(plan, college, "obj-gadb") == ("measure", "GAD-7")
    assert group_choice(plan, college, "gol-nothing") is None
