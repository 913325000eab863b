"""How far two supervisors agree when they score the same drafts with the same rubric.

Quadratic-weighted Cohen's kappa is the usual statistic for ordinal 1-4 scores: a 2 against a 3 is a
smaller disagreement than a 1 against a 4. With k categories, observed proportions O (a k x k table of
rater A's score against rater B's), expected proportions E = outer(row totals, column totals) and weights
w_ij = (i - j)^2 / (k - 1)^2,

    kappa = 1 - sum(w * O) / sum(w * E).

This is scikit-learn's ``cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4])`` (it uses
unnormalised (i - j)^2 weights, which cancel in the ratio); the categories are always the rubric's 1-4,
so a level neither rater used still counts in the distances. Percent exact and adjacent (within one
level) agreement are reported beside it because they are easier to explain to raters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..model import Rubric, RubricScore

LEVELS = (1, 2, 3, 4)


def confusion_matrix(a: Sequence[int], b: Sequence[int], categories: Sequence[int] = LEVELS) -> np.ndarray:
    """Counts of (rater A's score, rater B's score), rows A, columns B."""
    if len(a) != len(b):
        raise ValueError(f"the raters scored different numbers of items ({len(a)} and {len(b)})")
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)), dtype=float)
    for x, y in zip(a, b, strict=True):
        if x not in index or y not in index:
            raise ValueError(f"scores must be one of {list(categories)}, got {x} and {y}")
        table[index[x], index[y]] += 1
    return table


def weighted_kappa(
    a: Sequence[int], b: Sequence[int], *, categories: Sequence[int] = LEVELS, weights: str = "quadratic"
) -> float:
    """Cohen's kappa with 'quadratic', 'linear' or 'none' weights. NaN when it is undefined (no items, or
    both raters gave every item the same single score: chance agreement is then total)."""
    if not a:
        return math.nan
    observed = confusion_matrix(a, b, categories)
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    k = len(categories)
    i, j = np.indices((k, k))
    if weights == "quadratic":
        w = (i - j) ** 2 / (k - 1) ** 2
    elif weights == "linear":
        w = np.abs(i - j) / (k - 1)
    elif weights == "none":
        w = (i != j).astype(float)
    else:
        raise ValueError("weights must be 'quadratic', 'linear' or 'none'")
    chance = float((w * expected).sum())
    if chance == 0:
        return math.nan
    return 1.0 - float((w * observed).sum()) / chance


def percent_agreement(a: Sequence[int], b: Sequence[int], *, within: int = 0) -> float:
    """Share of items (0..1) where the raters' scores differ by at most ``within`` (0: exact, 1: adjacent)."""
    if len(a) != len(b):
        raise ValueError(f"the raters scored different numbers of items ({len(a)} and {len(b)})")
    if not a:
        return math.nan
    return sum(abs(x - y) <= within for x, y in zip(a, b, strict=True)) / len(a)


def scores_frame(scores: Iterable[RubricScore], rubric: Rubric | None = None) -> pd.DataFrame:
    """Scores as a table (for CSV export): draft_id, revision, rubric_id, criterion_id, criterion, rater,
    score, comment, released."""
    titles = {c.id: c.title for c in rubric.criteria} if rubric else {}
    records = [
        (
            s.draft_id,
            s.revision,
            s.rubric_id,
            s.criterion_id,
            titles.get(s.criterion_id, s.criterion_id),
            s.rater,
            s.score,
            s.comment,
            s.released,
        )
        for s in scores
    ]
    return pd.DataFrame.from_records(
        records,
        columns=[
            "draft_id",
            "revision",
            "rubric_id",
            "criterion_id",
            "criterion",
            "rater",
            "score",
            "comment",
            "released",
        ],
    )


def paired_scores(scores: pd.DataFrame, rater_a: str, rater_b: str) -> pd.DataFrame:
    """Items both raters scored (same draft, revision, rubric and criterion): columns ..., score_a,
    score_b."""
    keys = ["draft_id", "revision", "rubric_id", "criterion_id"]
    a = scores[scores["rater"] == rater_a][[*keys, "score"]].rename(columns={"score": "score_a"})
    b = scores[scores["rater"] == rater_b][[*keys, "score"]].rename(columns={"score": "score_b"})
    return a.merge(b, on=keys, how="inner")


def agreement_summary(
    scores: pd.DataFrame, rater_a: str, rater_b: str, rubric: Rubric | None = None
) -> pd.DataFrame:
    """Per criterion and overall: items, kappa (quadratic), exact and adjacent agreement, mean scores."""
    pairs = paired_scores(scores, rater_a, rater_b)
    order = [c.id for c in rubric.criteria] if rubric else sorted(pairs["criterion_id"].unique())
    titles = {c.id: c.title for c in rubric.criteria} if rubric else {}
    records = []
    groups = [(cid, pairs[pairs["criterion_id"] == cid]) for cid in order] + [("all", pairs)]
    for cid, group in groups:
        a, b = group["score_a"].tolist(), group["score_b"].tolist()
        records.append(
            (
                cid,
                "All criteria" if cid == "all" else titles.get(cid, cid),
                len(a),
                weighted_kappa(a, b),
                percent_agreement(a, b),
                percent_agreement(a, b, within=1),
                float(np.mean(a)) if a else math.nan,
                float(np.mean(b)) if b else math.nan,
            )
        )
    return pd.DataFrame.from_records(
        records,
        columns=["criterion_id", "criterion", "items", "kappa", "exact", "adjacent", "mean_a", "mean_b"],
    )


def agreement_figure(summary: pd.DataFrame, rater_a: str, rater_b: str) -> Figure:
    """Kappa and exact agreement per criterion, as horizontal bars (a Figure object, no pyplot)."""
    rows = summary[summary["criterion_id"] != "all"]
    fig = Figure(figsize=(6.5, 0.35 * max(4, len(rows)) + 1.2))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    ax.barh(y - 0.2, rows["kappa"].fillna(0).to_numpy(), height=0.4, label="weighted kappa", color="#4c72b0")
    ax.barh(y + 0.2, rows["exact"].fillna(0).to_numpy(), height=0.4, label="exact agreement", color="#dd8452")
    ax.set_yticks(y, [str(t) for t in rows["criterion"]], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(min(0.0, float(rows["kappa"].min(skipna=True) or 0.0)), 1.0)
    ax.axvline(0.6, color="grey", linestyle=":", linewidth=1)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"Agreement between {rater_a} and {rater_b}", fontsize=10, loc="left")
    fig.tight_layout()
    return fig
