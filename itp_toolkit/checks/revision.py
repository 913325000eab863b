"""Revision: life events revealed after the plan was written must prompt a revision.

The exercise advances through the case's timeline; at week N every event up to N is known. A plan written
before an event that has not been revised for it is out of date, and the finding says what changed. Revising
means changing something: when the drafting session recorded what changed for an event and nothing did, the
event still needs the revision. (Whether the safety content was revised for a risk event is the safety
family's question.)
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
    "Plans are revised when the person's circumstances or scores change; a plan that ignores a new event, or is "
    "marked as revised for it while nothing in it changed, no longer fits them.",
    f"{CARF} (plan review and revision); {PCCP} item 10",
)
EVENT_NOT_ACKNOWLEDGED = rule(
    "revision.event_not_acknowledged",
    "info",
    "Plan written after an event but does not record it",
    "A plan written after an event should say it takes it into account (a risk event the plan ignores is a "
    "safety problem instead).",
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
            f"Set the plan's week to week {ctx.week} or earlier, and leave out what has not happened yet.",
        )
    revised = set(plan.revised_for_events)
    records = {r.event_id: r for r in plan.event_revisions}
    for event in ctx.case.events_until(ctx.week):
        title = isolate(event.title)
        record = records.get(event.id)
        if event.id in revised:
            if record is not None and record.empty:
                yield EVENT_NOT_ADDRESSED.finding(
                    None,
                    f"Week {event.week}: the plan is marked as revised for '{title}', but nothing in it has "
                    "changed since.",
                    _revise_step(ctx, event),
                    [cite(event), *_score_changes(ctx, event)],
                    subject=event.id,
                )
            continue
        changes = _score_changes(ctx, event)
        if plan.written_at_week < event.week:
            yield EVENT_NOT_ADDRESSED.finding(
                None,
                f"Week {event.week}: '{title}' happened after this plan was written (week "
                f"{plan.written_at_week}) and the plan has not been revised for it."
                + (" " + "; ".join(changes) + "." if changes else ""),
                _revise_step(ctx, event),
                [cite(event), *changes],
                subject=event.id,
            )
        elif event.id not in ctx.linked_ids and not event.risk:
            # A risk event the plan ignores is the safety family's problem, not an info note.
            yield EVENT_NOT_ACKNOWLEDGED.finding(
                None,
                f"The plan is written at week {plan.written_at_week}, after '{title}' (week "
                f"{event.week}), but does not record taking it into account.",
                "Once the plan reflects it, tick it under the events this revision takes into account.",
                [cite(event)],
                subject=event.id,
            )


def _revise_step(ctx: PlanContext, event) -> str:
    scores = " and update baselines to the week-" + str(event.week) + " scores" if event.measures else ""
    safety = ", review the safety plan" if event.risk else ""
    return (
        f"Revise the plan for '{isolate(event.title)}': re-check problems, targets and barriers{safety}{scores}; "
        "the revision counts once something in the plan changes for it."
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
