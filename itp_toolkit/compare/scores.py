"""Rubric scores as tables: the score sheet a report and the supervisor's page show, and the draft list's
mean."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..checks.rubrics import level_descriptor
from ..model import Rubric, RubricScore


def score_sheet(rubric: Rubric, scores: Sequence[RubricScore], *, rater: str | None = None) -> pd.DataFrame:
    """One row per criterion: criterion_id, criterion, score (latest revision scored; None if not yet),
    revision, rater, descriptor of that level, comment and competent (score >= the rubric's line)."""
    mine = [s for s in scores if s.rubric_id == rubric.id and (rater is None or s.rater == rater)]
    latest: dict[str, RubricScore] = {}
    for s in sorted(mine, key=lambda s: (s.revision, s.rater)):
        latest[s.criterion_id] = s
    records = []
    for c in rubric.criteria:
        got = latest.get(c.id)
        records.append(
            (
                c.id,
                c.title,
                got.score if got else None,
                got.revision if got else None,
                got.rater if got else "",
                level_descriptor(rubric, c.id, got.score) if got else "",
                got.comment if got else "",
                bool(got and got.score >= rubric.competent_at),
            )
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "criterion_id",
            "criterion",
            "score",
            "revision",
            "rater",
            "descriptor",
            "comment",
            "competent",
        ],
    )


def mean_score(rubric: Rubric, scores: Sequence[RubricScore]) -> float | None:
    """Mean of the latest scores per criterion (None if nothing is scored): the number the draft list
    shows."""
    sheet = score_sheet(rubric, scores)
    values = sheet["score"].dropna()
    return None if values.empty else round(float(values.mean()), 2)
