"""Revision: life events revealed after the plan was written must prompt a revision.

The exercise advances through the case's timeline; at week N every event up to N is known. A plan written
before an event that has not been revised for it is out of date, and the finding says what changed.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.base import isolate
from .context import PlanContext, cite, fmt
from .findings import Finding, rule
from .sources import CARF, PCCP

EVENT_NOT_ADDRESSED = rule(
    "revision.event_not_addressed",
    "problem",
    "Plan not revised after a life event",
    "Plans are revised when the person's circumstances or scores change; a plan that ignores a new event no "
    "longer fits them.",
    f"{CARF} (plan review and revision); {PCCP} item 10",
)
EVENT_NOT_ACKNOWLEDGED = rule(
    "revision.event_not_acknowledged",
    "info",
    "Plan written after an event but does not record it",
    "A plan written after an event should say it takes it into account (revised_for_events).",
    f"{PCCP} item 10",
)
PLAN_AHEAD = rule(
    "revision.plan_ahead_of_case",
    "warning",
    "Plan dated after the exercise week",
    "A plan written 'at week 8' when the exercise is at week 4 may rely on facts not yet revealed.",
    "ITP Toolkit exercise timeline",
)


def check(ctx: PlanContext) -> Iterator[Finding]:
    plan = ctx.plan
    if plan.written_at_week > ctx.week:
        yield PLAN_AHEAD.finding(
            None,
            f"The plan is written at week {plan.written_at_week}, but the exercise is at week {ctx.week}.",
            f"Set written_at_week to {ctx.week} or earlier.",
        )
    revised = set(plan.revised_for_events)
    for event in ctx.case.events_until(ctx.week):
        if event.id in revised:
            continue
        changes = _score_changes(ctx, event)
        if plan.written_at_week < event.week:
            yield EVENT_NOT_ADDRESSED.finding(
                None,
                f"Week {event.week}: '{isolate(event.title)}' happened after this plan was written (week "
                f"{plan.written_at_week}) and the plan has not been revised for it."
                + (" " + "; ".join(changes) + "." if changes else ""),
                f"Revise the plan for '{isolate(event.title)}': re-check problems, targets and barriers, update baselines to "
                f"the week-{event.week} scores, then add '{event.id}' to revised_for_events.",
                [cite(event), *changes],
            )
        elif event.id not in ctx.linked_ids:
            yield EVENT_NOT_ACKNOWLEDGED.finding(
                None,
                f"The plan is written at week {plan.written_at_week}, after '{isolate(event.title)}' (week "
                f"{event.week}), but does not record taking it into account.",
                f"Add '{event.id}' to revised_for_events once the plan reflects it.",
                [cite(event)],
            )


def _score_changes(ctx: PlanContext, event) -> list[str]:
    out = []
    for point in event.measures:
        before = (
            [m for m in ctx.case.measures_until(event.week - 1) if m.instrument == point.instrument]
            if event.week > 0
            else []
        )
        if before:
            prev = max(before, key=lambda m: m.week)
            verb = "rose" if point.score > prev.score else "fell" if point.score < prev.score else "stayed"
            out.append(
                f"{point.instrument} {verb} from {fmt(prev.score)} (week {prev.week}) to "
                f"{fmt(point.score)} (week {point.week})"
            )
        else:
            out.append(f"new {point.instrument} score {fmt(point.score)} (week {point.week})")
    return out
