"""Rubrics: loading, checking, and offering critique findings as evidence for each criterion.

A rubric is YAML (the ``Rubric`` model), so a programme can bring its own; the default covers the 12
criteria of the person-centred plan (``data/default_rubric.yaml``). Each criterion's ``related_rules``
names critique rule families ('smart') or rule ids ('collab.no_review'); findings from those rules are
shown beside the criterion when scoring. They are evidence for the rater, never the score.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..errors import InputProblem, InvalidInput
from ..formats.files import load_rubric
from ..library import DATA_DIR
from ..model import Rubric
from . import FAMILIES, RULES, Finding

DEFAULT_RUBRIC_PATH = DATA_DIR / "default_rubric.yaml"


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    """The 12-criterion default rubric (validated, including its related rules)."""
    return load_checked_rubric(DEFAULT_RUBRIC_PATH)


def rubric_problems(rubric: Rubric, source: str = "") -> list[InputProblem]:
    """What is wrong with a rubric beyond its shape: related rules that name no rule or family."""
    problems = []
    for n, criterion in enumerate(rubric.criteria):
        for m, ref in enumerate(criterion.related_rules):
            if ref not in FAMILIES and ref not in RULES:
                problems.append(
                    InputProblem(
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
