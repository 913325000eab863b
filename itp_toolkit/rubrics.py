"""Rubrics: loading, checking, and offering critique findings as evidence for each criterion.

A rubric is YAML (the ``Rubric`` model), so a programme can bring its own; the default covers the 12
criteria of the person-centred plan (``data/default_rubric.yaml``). Each criterion's ``related_rules``
names critique rule families ('smart') or rule ids ('collab.no_review'); findings from those rules are
shown beside the criterion when scoring. They are evidence for the rater, never the score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .checks import FAMILIES, RULES, Finding
from .errors import InvalidInput, Problem
from .files import load_rubric
from .model import Rubric, RubricScore

DEFAULT_RUBRIC_PATH = Path(__file__).parent / "data" / "default_rubric.yaml"


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    """The 12-criterion default rubric (validated, including its related rules)."""
    return load_checked_rubric(DEFAULT_RUBRIC_PATH)


def rubric_problems(rubric: Rubric, source: str = "") -> list[Problem]:
    """What is wrong with a rubric beyond its shape: related rules that name no rule or family."""
    problems = []
    for n, criterion in enumerate(rubric.criteria):
        for m, ref in enumerate(criterion.related_rules):
            if ref not in FAMILIES and ref not in RULES:
                problems.append(
                    Problem(
                        f"{ref!r} is not a critique rule or family (families: {', '.join(FAMILIES)})",
                        field=f"criteria[{n}].related_rules[{m}]",
                        file=source,
                    )
                )
    return problems


def load_checked_rubric(path: str | Path) -> Rubric:
    """Read a rubric file; InvalidInput (located) if its shape or its related rules are wrong."""
    rubric = load_rubric(path)
    problems = rubric_problems(rubric, str(path))
    if problems:
        raise InvalidInput(problems)
    return rubric


def rule_matches(ref: str, rule_id: str) -> bool:
    """A related rule names a family ('smart') or one rule ('smart.no_target')."""
    return rule_id == ref or rule_id.startswith(ref + ".")


def evidence_by_criterion(rubric: Rubric, findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Criterion id -> the findings its related rules produced (a finding may serve several criteria)."""
    findings = list(findings)
    return {
        c.id: [f for f in findings if any(rule_matches(ref, f.rule) for ref in c.related_rules)]
        for c in rubric.criteria
    }


def level_descriptor(rubric: Rubric, criterion_id: str, score: int) -> str:
    for criterion in rubric.criteria:
        if criterion.id == criterion_id:
            return next(level.descriptor for level in criterion.levels if level.score == score)
    raise KeyError(criterion_id)


def score_sheet(rubric: Rubric, scores: Sequence[RubricScore], *, rater: str | None = None) -> pd.DataFrame:
    """One row per criterion: criterion_id, criterion, score (latest revision scored; None if not yet),
    revision, rater, descriptor of that level, comment and competent (score >= the rubric's line)."""
    mine = [s for s in scores if s.rubric_id == rubric.id and (rater is None or s.rater == rater)]
    latest: dict[str, RubricScore] = {}
    for s in sorted(mine, key=lambda s: (s.revision, s.rater)):
        latest[s.criterion_id] = s
    records = []
    for c in rubric.criteria:
        s = latest.get(c.id)
        records.append(
            (c.id, c.title, s.score if s else None, s.revision if s else None, s.rater if s else "",
             level_descriptor(rubric, c.id, s.score) if s else "", s.comment if s else "",
             bool(s and s.score >= rubric.competent_at))
        )
    return pd.DataFrame.from_records(
        records, columns=["criterion_id", "criterion", "score", "revision", "rater", "descriptor", "comment", "competent"]
    )


def mean_score(rubric: Rubric, scores: Sequence[RubricScore]) -> float | None:
    """Mean of the latest scores per criterion (None if nothing is scored): the number the draft list shows."""
    sheet = score_sheet(rubric, scores)
    values = sheet["score"].dropna()
    return None if values.empty else round(float(values.mean()), 2)

