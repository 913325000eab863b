"""The individualization score: how much of *this* person the plan uses, 0-100, from explicit components.

Five components of up to 20 points each, minus a penalty for library text:

* strengths used: strengths or natural supports linked anywhere in the plan, or put to work in its words
  (two of the strength's own words in one sentence); using half of them earns 20;
* barriers mitigated: the share of the case's barriers with a mitigation or an intervention adapted to them;
* quotes used: the person's words linked anywhere or quoted (most of the quote in one sentence); two quotes
  (or all, if fewer) earn 20;
* cultural context reflected: phrases of the case's cultural and social context a reader would recognise in
  the plan (two of a phrase's words in one sentence, or a proper name; see ``phrases``), not single common
  words: one phrase earns 10, two or more 20;
* specific numbers: the share of objectives with a baseline, a target and a target week or date (a
  completion objective: who does it and by when);
* generic-text penalty: up to 40 points, in proportion to the share of goals, objectives and interventions
  that are library text (see ``text.GENERIC_THRESHOLD``).
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from ..model import CaseStudy, TreatmentPlan
from ..model.base import isolate
from .context import PlanContext, case_index, cite
from .generic import copyable_texts

COMPONENT_POINTS = 20
CULTURE_FULL = 2
"""Context clauses (or names) reflected for the full cultural points; the score's table quotes as many."""
GENERIC_PENALTY_MAX = 40


class ScoreComponent(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    points: float = Field(description="Points earned (negative for the penalty).")
    max_points: float = Field(description="Most points available (0 for the penalty).")
    detail: str


class IndividualizationScore(BaseModel):
    """The score, the case facts it found used and ignored, and how each component contributed."""

    model_config = ConfigDict(frozen=True)

    score: int = Field(ge=0, le=100)
    facts_used: list[str] = Field(description="Case facts the plan uses, by their text ('Strength: ...').")
    facts_ignored: list[str] = Field(description="Strengths, barriers and quotes the plan does not use.")
    breakdown: list[ScoreComponent]


def individualization_score(
    plan: TreatmentPlan, case: CaseStudy, *, _ctx: PlanContext | None = None
) -> IndividualizationScore:
    """Score how individualized ``plan`` is for ``case`` (0-100), with the facts used and ignored."""
    ctx = _ctx or PlanContext(plan=plan, case=case, index=case_index(case), week=plan.written_at_week)
    index = ctx.index
    used_strengths = ctx.used_strengths
    addressed = ctx.addressed_barriers
    used_quotes = ctx.used_quotes
    culture = ctx.cultural_phrases_used
    objectives = [o for _, _, o in plan.objectives()]
    kinds = ctx.objective_kinds
    specific = [
        o
        for o in objectives
        if (o.target_week is not None or o.target_date is not None)
        and (
            (o.baseline is not None and o.target is not None)
            or (kinds[o.id] == "completion" and o.who.strip())
            or kinds[o.id] == "one_off"
        )
    ]
    texts = copyable_texts(plan)
    generic = ctx.generic

    n_strengths = len(index.strengths)
    need_strengths = max(1, math.ceil(n_strengths / 2))
    need_quotes = max(1, min(2, len(index.quotes)))
    parts = [
        ScoreComponent(
            name="strengths used",
            points=COMPONENT_POINTS * min(1.0, len(used_strengths) / need_strengths),
            max_points=COMPONENT_POINTS,
            detail=f"{len(used_strengths)} of {n_strengths} used; full points from {need_strengths}",
        ),
        ScoreComponent(
            name="barriers mitigated",
            points=COMPONENT_POINTS * len(addressed) / max(1, len(index.barriers)),
            max_points=COMPONENT_POINTS,
            detail=f"{len(addressed)} of {len(index.barriers)} barriers have a mitigation",
        ),
        ScoreComponent(
            name="quotes used",
            points=COMPONENT_POINTS * min(1.0, len(used_quotes) / need_quotes),
            max_points=COMPONENT_POINTS,
            detail=f"{len(used_quotes)} of {len(index.quotes)} of the person's quotes used",
        ),
        ScoreComponent(
            name="cultural context reflected",
            points=COMPONENT_POINTS * min(1.0, len(culture) / CULTURE_FULL),
            max_points=COMPONENT_POINTS,
            detail=_reflected(culture)
            if culture
            else "no phrase of the cultural and social context appears in the plan",
        ),
        ScoreComponent(
            name="specific numbers",
            points=COMPONENT_POINTS * (len(specific) / len(objectives) if objectives else 0.0),
            max_points=COMPONENT_POINTS,
            detail=f"{len(specific)} of {len(objectives)} objectives have baseline, target and date (or, "
            "for a "
            "one-off step, who and by when)",
        ),
        ScoreComponent(
            name="generic-text penalty",
            points=-GENERIC_PENALTY_MAX * (len(generic) / len(texts) if texts else 0.0),
            max_points=0,
            detail=f"{len(generic)} of {len(texts)} goals, objectives and interventions are library text",
        ),
    ]
    total = max(0, min(100, round(sum(p.points for p in parts))))
    used_ids = set(used_strengths) | addressed | set(used_quotes) | (ctx.linked_ids & index.facts.keys())
    facts_used = [cite(f) for fid, f in index.facts.items() if fid in used_ids]
    facts_ignored = [
        cite(f)
        for group in (index.strengths, index.barriers, index.quotes)
        for fid, f in group.items()
        if fid not in used_ids
    ]
    return IndividualizationScore(
        score=total,
        facts_used=facts_used,
        facts_ignored=facts_ignored,
        breakdown=[p.model_copy(update={"points": round(p.points, 1) + 0.0}) for p in parts],
    )


def _reflected(culture: list[str]) -> str:
    quoted = "; ".join(f"“{isolate(c)}”" for c in culture[:CULTURE_FULL])
    more = len(culture) - CULTURE_FULL
    return f"context reflected: {quoted}" + (f"; and {more} more" if more > 0 else "")
