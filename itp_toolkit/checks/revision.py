"""Revision: life events revealed after the plan was written must prompt a revision.

The exercise advances through the case's timeline; at week N every event up to N is known. A plan written
before an event that has not been revised for it is out of date, and the finding says what changed. Revising
means changing something: when the drafting session recorded what changed for an event and nothing did, the
event still needs the revision; a plan written elsewhere (no record) must at least speak of the event. A plan
written after an event that answers nothing of it is out of date too. (Whether the safety content was revised
for a risk event is the safety family's question.)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.base import isolate
from .context import PlanContext, cite, fmt, instrument_for
from .findings import Finding, rule
from .sources import CARF, PCCP

EVENT_NOT_ADDRESSED = rule(
    "revision.event_not_addressed",
    "problem",
    "Plan not revised after a life event",
    "Plans are revised when the person's circumstances or scores change; a plan that ignores a new event, "
    "or is "
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
    # The event a plan written at its week must answer is the latest one by then; earlier ones were
    # answered (or
    # not) by earlier revisions and are the subject of the finding only if nothing records them at all.
    by_then = [e for e in ctx.case.events_until(plan.written_at_week)]
    latest = by_then[-1].id if by_then else None
    for event in ctx.case.events_until(ctx.week):
        title = isolate(event.title)
        record = records.get(event.id)
        changes = _score_changes(ctx, event)
        evidence = [cite(event), *changes]
        if plan.written_at_week < event.week and event.id not in revised:
            yield EVENT_NOT_ADDRESSED.finding(
                None,
                f"Week {event.week}: '{title}' happened after this plan was written (week "
                f"{plan.written_at_week}) and the plan has not been revised for it."
                + (" " + "; ".join(changes) + "." if changes else ""),
                _revise_step(ctx, event),
                evidence,
                subject=event.id,
            )
            continue
        why = None
        if event.id in revised and record is not None and record.empty:
            why = f"the plan is marked as revised for '{title}', but nothing in it has changed since"
        elif event.id == latest and record is None and not speaks_of(ctx, event):
            why = (
                f"the plan is marked as revised for '{title}', but nothing in it speaks of what happened"
                if event.id in revised
                else f"the plan is written at week {plan.written_at_week}, after '{title}', but nothing in "
                "it "
                "answers what happened"
            )
        elif event.id == latest and record is None and (stale := stale_baselines(ctx, event)):
            why = f"the plan is written after '{title}', but its baselines are from before it: " + "; ".join(
                stale
            )
        if why is not None:
            yield EVENT_NOT_ADDRESSED.finding(
                None,
                f"Week {event.week}: {why}."
                + (" " + "; ".join(changes) + "." if changes and "baseline" not in why else ""),
                _revise_step(ctx, event),
                evidence,
                subject=event.id,
            )
        elif event.id not in revised and event.id not in ctx.linked_ids and not event.risk:
            # Answered in words but not recorded. (A risk event the plan ignores is a safety problem.)
            yield EVENT_NOT_ACKNOWLEDGED.finding(
                None,
                f"The plan is written at week {plan.written_at_week}, after '{title}' (week "
                f"{event.week}), but does not record taking it into account.",
                "Once the plan reflects it, tick it under the events this revision takes into account.",
                [cite(event)],
                subject=event.id,
            )


def stale_baselines(ctx: PlanContext, event) -> list[str]:
    """Objectives whose standardized baseline is an older score the event replaced ('GAD-7 16, the week-1
    score;
    week 6 gives 18'): the plan was carried forward past the event rather than revised for it."""
    out = []
    for _, _, obj in ctx.plan.objectives():
        inst = instrument_for(obj.measure)
        if inst is None or obj.baseline is None:
            continue
        new = next((m for m in event.measures if m.instrument == inst.code), None)
        if new is None or abs(new.score - obj.baseline) < 1e-9:
            continue
        before = [m for m in ctx.case.measures_until(event.week - 1) if m.instrument == inst.code]
        if any(abs(m.score - obj.baseline) < 1e-9 for m in before):
            old = next(m for m in reversed(before) if abs(m.score - obj.baseline) < 1e-9)
            out.append(
                f"{inst.code} {fmt(obj.baseline)} is the week-{old.week} score; week {new.week} gives "
                f"{fmt(new.score)}"
            )
    return out


SPEAKS_OF_EVENT = 2
"""A plan speaks of an event when it uses at least this many of the event's own words (those that tell it
apart from the intake picture: 'midterm', 'warning', 'shifts')."""


def speaks_of(ctx: PlanContext, event) -> bool:
    """Whether the plan's prose, or a link, shows it was written with the event in mind. For a plan written
    outside the drafting session (no record of what changed), this is how an event counts as answered."""
    if event.id in {f for _, refs in ctx.refs for f in refs}:
        return True
    words = ctx.index.event_words(event)
    used: set[str] = set()
    for passage in ctx.passages:
        used |= words & passage
    return len(used) >= SPEAKS_OF_EVENT


def _revise_step(ctx: PlanContext, event) -> str:
    scores = " and update baselines to the week-" + str(event.week) + " scores" if event.measures else ""
    safety = ", review the safety plan" if event.risk else ""
    return (
        f"Revise the plan for '{isolate(event.title)}': re-check problems, targets and "
        f"barriers{safety}{scores}; "
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
