"""Library text in a plan: goals, objectives and interventions copied from a planner library or the editor's
intervention templates without being adapted to this person.

Its own module because two rule users need it: the ``individual.generic_text`` finding and the generic-text
penalty of the individualization score. Both read the same typed result from the critique's context.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..library.interventions import library_texts
from ..model import TreatmentPlan
from .text import GENERIC_THRESHOLD, MIN_COMPARABLE_CHARS, TextIndex


@dataclass(frozen=True)
class GenericElement:
    """One element of the plan whose text is a copy of a library phrase."""

    element_id: str
    kind: str
    """'Goal', 'Objective' or 'Intervention': the word a trainee reads in the message."""
    text: str
    phrase: str
    """The library phrase it copies."""
    similarity: float
    """Character-trigram cosine similarity, from GENERIC_THRESHOLD to 1."""


@lru_cache(maxsize=1)
def generic_library() -> tuple[list[str], TextIndex]:
    """The generic phrase library, loaded once: planner-style stock phrases plus the editor's intervention
    templates, so a library pre-fill the trainee never adapted is flagged like any other stock text."""
    data = yaml.safe_load(
        resources.files(__package__).joinpath("data/generic_phrases.yaml").read_text("utf-8")
    )
    phrases = [p for group in data.values() for p in group] + library_texts()
    return phrases, TextIndex(phrases)


def copyable_texts(plan: TreatmentPlan) -> list[tuple[str, str, str]]:
    """(element id, kind, text) for every goal, objective and intervention: the text trainees most often
    copy."""
    out = []
    for problem in plan.problems:
        for goal in problem.goals:
            out.append((goal.id, "Goal", goal.statement))
            for obj in goal.objectives:
                out.append((obj.id, "Objective", obj.description))
                for item in obj.interventions:
                    out.append((item.id, "Intervention", item.description))
    return out


@lru_cache(maxsize=4096)
def generic_match(text: str) -> tuple[str, float] | None:
    """The library phrase this text is a copy of (at or above GENERIC_THRESHOLD), with its similarity."""
    if len(text) < MIN_COMPARABLE_CHARS:
        return None
    phrases, index = generic_library()
    i, score = index.best(text)
    return (phrases[i], score) if i >= 0 and score >= GENERIC_THRESHOLD else None


def generic_elements(plan: TreatmentPlan) -> list[GenericElement]:
    """Every goal, objective and intervention of ``plan`` that is library text, in plan order."""
    out = []
    for element_id, kind, text in copyable_texts(plan):
        match = generic_match(text)
        if match:
            out.append(GenericElement(element_id, kind, text, *match))
    return out
