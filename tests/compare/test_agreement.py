"""Inter-rater agreement: quadratic-weighted kappa against hand-computed values, exact/adjacent agreement."""

from __future__ import annotations

import math

import numpy as np
import pytest

from itp_toolkit.compare.agreement import (
    agreement_figure,
    agreement_summary,
    confusion_matrix,
    percent_agreement,
    scores_frame,
    weighted_kappa,
)
from itp_toolkit.model import RubricScore


def test_perfect_agreement_is_one():
    assert weighted_kappa([1, 2, 3, 4, 2], [1, 2, 3, 4, 2]) == pytest.approx(1.0)


def test_hand_computed_example():
    # A = [1,2,3,4,4], B = [1,2,4,4,3]; both raters' marginals are (.2,.2,.2,.4) over levels 0..3.
    # Observed weighted disagreement: two cells one level apart, w = 1/9 each -> (2/9)/5 = 2/45.
    # Expected: sum_ij p_i p_j (i-j)^2 / 9 = 2 * var / 9 with var = 4.6 - 1.8^2 = 1.36 -> 2.72/9.
    # kappa = 1 - (2/45) / (2.72/9) = 1 - 10/68 = 29/34.
    assert weighted_kappa([1, 2, 3, 4, 4], [1, 2, 4, 4, 3]) == pytest.approx(29 / 34)


def test_reversed_ratings_are_worse_than_chance():
    # Observed: distances 3, 1, 1, 3 -> w = 9/9, 1/9, 1/9, 9/9 over 4 items = 20/36.
    # Expected (uniform marginals): sum of (i-j)^2 over the 16 cells = 40 -> 40/16/9 = 40/144. kappa = 1 - 2 =
    # -1.
    assert weighted_kappa([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(1 - (20 / 36) / (40 / 144))
    assert weighted_kappa([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_matches_scikit_learns_formula_written_out():
    """sklearn: k = 1 - sum(W*C) / sum(W*E), W_ij = (i-j)^2 (unnormalised), E = outer(rowsum, colsum)/N."""
    rng = np.random.default_rng(7)
    a = rng.integers(1, 5, 60).tolist()
    b = [min(4, max(1, x + int(rng.integers(-1, 2)))) for x in a]
    c = confusion_matrix(a, b)
    n = c.sum()
    e = np.outer(c.sum(axis=1), c.sum(axis=0)) / n
    w = np.subtract.outer(np.arange(4), np.arange(4)) ** 2
    sklearn_kappa = 1 - (w * c).sum() / (w * e).sum()
    assert weighted_kappa(a, b) == pytest.approx(sklearn_kappa)


def test_unweighted_kappa_on_a_textbook_table():
    # 2x2 style on levels 1 and 2 only: po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5 -> kappa 0.4.
    a = [1] * 5 + [2] * 5
    b = [1, 1, 1, 1, 2, 1, 1, 2, 2, 2]
    assert weighted_kappa(a, b, weights="none") == pytest.approx(0.4)


def test_kappa_is_undefined_when_both_raters_use_one_level_only():
    assert math.isnan(weighted_kappa([3, 3, 3], [3, 3, 3]))
    assert math.isnan(weighted_kappa([], []))


def test_scores_outside_the_rubric_levels_are_refused():
    with pytest.raises(ValueError, match="one of"):
        weighted_kappa([1, 5], [1, 2])


def test_exact_and_adjacent_agreement():
    a, b = [1, 2, 3, 4], [1, 3, 1, 4]
    assert percent_agreement(a, b) == 0.5
    assert percent_agreement(a, b, within=1) == 0.75


def _score(draft: int, criterion: str, rater: str, score: int) -> RubricScore:
    return RubricScore(
        draft_id=draft, revision=1, rubric_id="rubric-x", criterion_id=criterion, rater=rater, score=score
    )


def test_summary_pairs_items_both_raters_scored_per_criterion_and_overall():
    scores = [
        _score(1, "crit-a", "dr.okafor", 3),
        _score(1, "crit-a", "dr.lee", 3),
        _score(2, "crit-a", "dr.okafor", 2),
        _score(2, "crit-a", "dr.lee", 3),
        _score(1, "crit-b", "dr.okafor", 4),
        _score(1, "crit-b", "dr.lee", 4),
        _score(3, "crit-b", "dr.okafor", 1),  # only one rater: not paired
    ]
    frame = scores_frame(scores)
    summary = agreement_summary(frame, "dr.okafor", "dr.lee").set_index("criterion_id")
    assert summary.loc["crit-a", "items"] == 2 and summary.loc["crit-a", "exact"] == 0.5
    assert summary.loc["crit-a", "adjacent"] == 1.0
    assert summary.loc["all", "items"] == 3
    assert summary.loc["all", "kappa"] == pytest.approx(weighted_kappa([3, 2, 4], [3, 3, 4]))
    fig = agreement_figure(summary.reset_index(), "dr.okafor", "dr.lee")
    assert fig.axes


def test_scores_export_to_csv_with_a_header(tmp_path):
    path = tmp_path / "scores.csv"
    scores_frame([_score(1, "crit-a", "dr.okafor", 3)]).to_csv(path, index=False)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("draft_id,revision,rubric_id,criterion_id")
    assert lines[1].startswith("1,1,rubric-x,crit-a")
