"""Revision: life events revealed after the plan was written must prompt a revision.

The exercise advances through the case's timeline; at week N every event up to N is known. A plan written
before an event that has not been revised for it is out of date, and the finding says what changed. Revising
means changing something: when the drafting session recorded what changed for an event and nothing did, the
event still needs the revision; a plan written elsewhere (no record) must at least speak of the event. A plan
written after an event that answers nothing of it is out of date too. (Whether the safety content was revised
for a risk event is the safety family's question.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ..model import Intervention, Objective
from ..model.base import isolate
from ..model.case import EventEnd, TimelineEvent
from .context import PlanContext, cite, fmt, instrument_for
from .feasibility import week_range
from .findings import Finding, rule
from .sources import CARF, MED_RECONCILIATION, PCCP

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
RELIES_ON_WHAT_ENDED = rule(
    "revision.relies_on_what_ended",
    "warning",
    "Plan still counts on what an event changed",
    "After an event stops a medication, closes a service, takes away a support or removes a barrier, a "
    "plan that still counts on the medication or the service, or still works to remove the barrier, "
    "describes care that will not happen or a step already taken: each element has to say what happens now.",
    f"{CARF} (plan review and revision); {PCCP} item 10; {MED_RECONCILIATION}",
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
    yield from relies_on_what_ended(ctx)
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


_ACKNOWLEDGES = re.compile(
    r"\b(?:stop(?:s|ped|ping)?|restart\w*|re-start\w*|resum\w*|discontinu\w*|decid\w*|decision|choice|"
    r"clos(?:e|es|ed|ing|ure)|hand(?:s|ed)?\s*over|handover|transfer\w*|until|end(?:s|ed|ing)?|"
    r"no\s+longer|instead|replac\w*|switch\w*)\b",
    re.IGNORECASE,
)
"""Words by which an element shows it was written knowing that something stopped: 'offers a restart', 'so
she can decide', 'until the centre closes', 'handover to the community clinic'."""
_LEADING = re.compile(r"^(?:the|a|an|his|her|their)\s+", re.IGNORECASE)


@lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the names, whole words, with or without a leading article or possessive."""
    bare = {_LEADING.sub("", n).strip() for n in names}
    return re.compile(
        r"(?<![\w-])(?:"
        + "|".join(re.escape(n) for n in sorted(bare, key=len, reverse=True))
        + r")(?![\w-])",
        re.I,
    )


@lru_cache(maxsize=8192)
def _names_in(names: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` names it; remembered, as the critique reruns on every edit over unchanged text."""
    return _name_pattern(names).search(text) is not None


@lru_cache(maxsize=8192)
def _acknowledges(text: str) -> bool:
    return _ACKNOWLEDGES.search(text) is not None


def _elements(ctx: PlanContext) -> Iterator[tuple[Objective | Intervention, str, str]]:
    """(element, 'Objective' or 'Intervention', the text that says what it relies on) in plan order."""
    for _, _, obj in ctx.plan.objectives():
        yield obj, "Objective", f"{obj.description} {obj.measure}"
        for item in obj.interventions:
            yield item, "Intervention", f"{item.description} {item.modality} {item.responsible_role}"


def relies_on_what_ended(ctx: PlanContext) -> Iterator[Finding]:
    """Elements that still count on what an event the plan was written knowing has stopped (a medication by
    its name, a service the plan still uses past its last week, a support no longer there), or that are
    still steps toward removing a barrier an event has removed. One finding per element and event."""
    ended = ctx.case.ended_by(ctx.known_week)
    resolved = ctx.resolved_barriers
    if not ended and not resolved:
        return
    for element, kind, text in _elements(ctx):
        for event, end in ended:
            if not _names_in(tuple(end.names()), text):
                continue
            own = f"{text} {getattr(element, 'frequency', '')} {getattr(element, 'duration', '')}"
            if _acknowledges(own):
                continue
            stops = end.from_week if end.from_week is not None else event.week
            last = _last_week(element)
            if end.kind == "service" and last is not None and last <= stops:
                continue  # it ends before the service does
            yield RELIES_ON_WHAT_ENDED.finding(
                element.id,
                f"{kind} '{isolate(element.description)}' still counts on {isolate(end.what)}, but "
                f"{_what_happened(end, stops if stops != event.week else None, last)} "
                f"('{isolate(event.title)}', week {event.week}).",
                _next_step(end, stops),
                [cite(event)],
                subject=event.id,
            )
        if resolved and isinstance(element, Objective) and element.kind == "completion":
            yield from _resolved_step(ctx, element, resolved)


def _last_week(element: Objective | Intervention) -> int | None:
    if isinstance(element, Intervention):
        return week_range(element)[1]
    return element.target_week


def _what_happened(end: EventEnd, stops: int | None, last: int | None) -> str:
    """What the event did, in words; ``stops`` only when it is not the event's own week."""
    when = f" at week {stops}" if stops is not None else ""
    if end.kind == "medication":
        return f"{isolate(end.what)} was stopped{when}"
    if end.kind == "service":
        runs = f" and this runs to week {last}" if last is not None else ""
        return f"it closes{when}{runs}"
    return f"{isolate(end.what)} is no longer there{when}"


def _next_step(end: EventEnd, stops: int) -> str:
    what = isolate(end.what)
    if end.kind == "medication":
        return (
            f"Say what happens about {what} now: what the person decided and why, who reviews it with "
            "them and when (a prescriber visit with accurate information, a restart offered, or the "
            "treatment that replaced it)."
        )
    if end.kind == "service":
        return (
            f"Plan the handover before week {stops}: the referral and a first appointment where care "
            "continues, what bridges any gap, and end this element there."
        )
    return f"Rewrite it for life without {what}: what takes its place, arranged with the person."


def _resolved_step(ctx: PlanContext, obj: Objective, resolved: dict[str, TimelineEvent]) -> Iterator[Finding]:
    """A dated step toward removing a barrier that an event has since removed, and that does not record the
    event (it still says 'to do')."""
    links = set(obj.linked_facts)
    for item in obj.interventions:
        links |= set(item.linked_facts)
    due = obj.target_week
    for barrier_id in sorted(links & resolved.keys()):
        event = resolved[barrier_id]
        if event.id in links or (due is not None and due < event.week):
            continue
        barrier = ctx.index.barriers[barrier_id]
        yield RELIES_ON_WHAT_ENDED.finding(
            obj.id,
            f"Objective '{isolate(obj.description)}' is still a step toward "
            f"'{isolate(barrier.text)}', but '{isolate(event.title)}' (week {event.week}) has removed "
            "that barrier.",
            "Record it as done with what happened, and replace it with the next step that builds on it; "
            "the plan no longer has to work around this barrier.",
            [cite(event), cite(barrier)],
            subject=event.id,
        )
        return


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
