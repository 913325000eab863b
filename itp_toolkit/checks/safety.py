"""Safety: risk to the person is addressed wherever the clinician writes it, kept up to date with risk events,
and no objective asks for something unsafe (stopping a benzodiazepine at once, a risk behaviour expected to
stop overnight).

``safety_content(plan)`` is the one notion of "the plan addresses risk" that every rule asking it uses:
the safety-plan box, or any problem, goal, objective or intervention about safety (suicidal thoughts,
self-harm, a safety plan, lethal-means steps, crisis contacts, risk monitoring such as PHQ-9 item 9).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..library.vocabulary import concern_groups
from ..model import EventRevision, Objective, TimelineEvent, TreatmentPlan
from ..model.base import isolate
from .context import PlanContext, fmt, instrument_for, item_instrument_for
from .findings import Finding, rule
from .sources import (
    BZD_TAPER,
    JOINT_COMMISSION_SUICIDE,
    NICE_ALCOHOL,
    NO_HARM_CONTRACTS,
    PHQ9_ITEM9,
    STANLEY_BROWN,
)
from .text import key_words

NOT_ADDRESSED = rule(
    "safety.not_addressed",
    "problem",
    "Risk present but nothing in the plan addresses it",
    "When intake risk is moderate or high, a safety plan is asked for, a risk item (PHQ-9 item 9, EPDS item 10) "
    "is above 0, or a risk event has happened, the plan must say how risk is monitored and managed: a safety "
    "plan, lethal-means steps, crisis contacts, or a problem, objective or intervention about safety.",
    f"{PHQ9_ITEM9}; {STANLEY_BROWN}; {JOINT_COMMISSION_SUICIDE}",
)
PLAN_PREDATES_RISK_EVENT = rule(
    "safety.plan_predates_risk_event",
    "problem",
    "Safety content older than the latest risk event",
    "A safety plan is reviewed after every new self-harm, suicidal crisis or overdose: the warning signs, "
    "coping steps, contacts and means safety that fitted before may not fit now.",
    f"{STANLEY_BROWN}; {JOINT_COMMISSION_SUICIDE}",
)
ABRUPT_DISCONTINUATION = rule(
    "safety.abrupt_discontinuation",
    "problem",
    "A benzodiazepine stopped at once or tapered too fast",
    "After a month or more of regular use a benzodiazepine is tapered, not stopped: abrupt discontinuation can "
    "bring serious, even life-threatening, withdrawal. The joint guideline starts with dose reductions of 5-10% "
    "every 2-4 weeks, usually no more than 25% every 2 weeks, slowed or paused if withdrawal appears.",
    BZD_TAPER,
)
STOPS_AT_ONCE = rule(
    "safety.risk_behaviour_stops_at_once",
    "warning",
    "A risk behaviour expected to stop at once",
    "Expecting self-harm, heavy drinking or daily drug use to stop within days, with no step-down, sets the "
    "person up to 'fail' and hides the lapses that need a response; no-harm promises have no evidence behind "
    "them, and stopping heavy drinking at once can bring dangerous withdrawal. Plan a step-down and what "
    "happens after a lapse.",
    f"{NO_HARM_CONTRACTS}; {NICE_ALCOHOL}",
)

_SAFETY = re.compile(
    r"safety[- ]plan|stanley[- ]brown|crisis\s+(?:response|line|plan|contacts?|numbers?|team|service|card)|"
    r"\b988\b|hotline|lifeline|samaritans|suicid|self[- ]harm|self[- ]injur|death[- ]wish|lethal[- ]means|"
    r"means\s+(?:safety|restriction|counsel)|c-?ssrs|columbia\s+(?:suicide|protocol)|reasons\s+for\s+living|"
    r"\bitem\s*9\b|\bitem\s*10\b|"
    r"(?:firearms?|guns?|rifles?|handguns?|pistols?|weapons?|ammunition)\b.{0,60}?"
    r"(?:lock|stor|remov|away|safe\b|cabinet|kept|keep|hand|out\s+of)|"
    r"(?:lock|stor|remov|kept|keep|hand)\w*\b.{0,60}?(?:firearms?|guns?|rifles?|handguns?|pistols?|weapons?)\b|"
    r"(?:pills|tablets|medications?|medicines|opioids?|razors?|blades)\b.{0,50}?"
    r"(?:locked|lock\s+box|away|dispos|handed?\s+in|kept\s+by|removed|pharmacy)",
    re.IGNORECASE,
)
"""Words of safety planning and risk management, wherever a clinician writes them."""


@dataclass(frozen=True)
class SafetyContent:
    """Where a plan addresses risk to the person: the safety-plan box and the elements about safety."""

    in_safety_plan: bool
    element_ids: tuple[str, ...]
    texts: tuple[str, ...]

    @property
    def present(self) -> bool:
        return self.in_safety_plan or bool(self.element_ids)


def _element_texts(plan: TreatmentPlan) -> Iterator[tuple[str, str]]:
    for problem in plan.problems:
        yield problem.id, f"{problem.statement} {problem.evidenced_by}"
        for goal in problem.goals:
            yield goal.id, goal.statement
            for obj in goal.objectives:
                yield obj.id, f"{obj.description} {obj.measure}"
                for item in obj.interventions:
                    yield item.id, f"{item.description} {item.modality}"


def is_safety_text(text: str) -> bool:
    """True when the words are about risk to the person's life or safety (not 'safe walking routes')."""
    return bool(_SAFETY.search(text)) or "suicidal" in concern_groups(text)


def safety_content(plan: TreatmentPlan) -> SafetyContent:
    """Every place the plan addresses risk; one notion used by every rule that asks."""
    box = plan.safety_plan.strip()
    in_box = len(box.split()) >= 4 and not re.fullmatch(r"(?i)\W*(none|n/?a|not\s+needed|no\s+risk)\W*", box)
    ids, texts = [], [box] if in_box else []
    for element_id, text in _element_texts(plan):
        if is_safety_text(text):
            ids.append(element_id)
            texts.append(text)
    return SafetyContent(in_box, tuple(ids), tuple(texts))


def _record(plan: TreatmentPlan, event_id: str) -> EventRevision | None:
    return next((r for r in plan.event_revisions if r.event_id == event_id), None)


def event_addressed(ctx: PlanContext, event: TimelineEvent, content: SafetyContent) -> bool:
    """Whether the plan's safety content has been revised for a risk event.

    With a record of what changed for the event (the drafting session keeps one): a safety element or the
    safety plan changed. Without one (a plan written elsewhere): it was written at or after the event and its
    safety content speaks of the event (two of the event's own words, or a link to it from a safety element).
    """
    plan = ctx.plan
    record = _record(plan, event.id)
    if record is not None and event.id in plan.revised_for_events:
        present = set(content.element_ids)
        return bool(set(record.changed_elements) & present) or (
            "safety_plan" in record.changed_sections and content.in_safety_plan
        )
    if plan.written_at_week < event.week:
        return False
    linked = any(
        event.id in getattr(e, "linked_facts", []) for e in plan.elements() if e.id in content.element_ids
    )
    words = ctx.index.event_words(event)
    mentioned = any(len(words & key_words(text)) >= 2 for text in content.texts)
    return linked or mentioned


def check(ctx: PlanContext) -> Iterator[Finding]:
    yield from _risk(ctx)
    for _, _, obj in ctx.plan.objectives():
        yield from _objective_targets(ctx, obj)
    for _, item in ctx.plan.interventions():
        if _stops_benzodiazepine(f"{item.description} {item.modality} {item.frequency} {item.duration}"):
            yield ABRUPT_DISCONTINUATION.finding(
                item.id,
                f"Intervention '{isolate(item.description)}' stops a benzodiazepine at once.",
                _TAPER_STEP,
            )


def _risk(ctx: PlanContext) -> Iterator[Finding]:
    reasons = ctx.index.risk_reasons(ctx.week)
    if not reasons:
        return
    content = safety_content(ctx.plan)
    if not content.present:
        yield NOT_ADDRESSED.finding(
            None,
            "The case carries risk, but nothing in the plan addresses it: "
            + "; ".join(r.text for r in reasons)
            + ".",
            "Write a safety plan with the person (warning signs, coping steps, people and places, crisis line "
            "988, making the means safer) and say how often risk is asked again, e.g. PHQ-9 item 9 every session.",
            [r.text for r in reasons],
        )
        return
    events = ctx.index.risk_events(ctx.week)
    if not events:
        return
    latest = events[-1]
    if event_addressed(ctx, latest, content):
        return
    earlier = [e for e in events[:-1] if not event_addressed(ctx, e, content)]
    also = (
        " It does not reflect "
        + "; ".join(f"'{isolate(e.title)}' (week {e.week})" for e in earlier)
        + " either."
        if earlier
        else ""
    )
    yield PLAN_PREDATES_RISK_EVENT.finding(
        None,
        f"The safety plan has not been revised since week {latest.week}: '{isolate(latest.title)}'.{also}",
        f"Review the safety plan with {_them(ctx)} now, for what happened at week {latest.week}: new warning "
        "signs, what helped and what did not, who to contact, and whether the means at hand are now safer; "
        "then ask about risk at every contact.",
        [f"Week {latest.week}: {latest.title}"],
        subject=latest.id,
    )


def _them(ctx: PlanContext) -> str:
    return {"Her": "her", "His": "him", "Their": "them"}.get(ctx.possessive, "the person")


# --------------------------------------------------------------------------- benzodiazepine tapering

_BZD = re.compile(
    r"\b(?:benzodiazepines?|benzos?|alprazolam|xanax|lorazepam|ativan|clonazepam|klonopin|rivotril|diazepam|"
    r"valium|temazepam|restoril|oxazepam|serax|chlordiazepoxide|librium|nitrazepam|triazolam|halcion|clobazam|"
    r"bromazepam|estazolam|flurazepam)\b",
    re.IGNORECASE,
)
_STOP = re.compile(
    r"\b(?:stops?|stopped|stopping|discontinu\w*|quits?|cease[sd]?|comes?\s+off|come\s+off|off\s+(?:the|her|his|"
    r"their|all)|no\s+longer\s+takes?|without\s+(?:her|his|their|any)|cold\s+turkey|abrupt\w*|at\s+once|"
    r"immediately|now)\b",
    re.IGNORECASE,
)
_TAPER = re.compile(
    r"\b(?:taper\w*|gradual\w*|slow\w*|step(?:s|ped)?\s*down|steps?|reduc\w*|lower\w*|wean\w*|decreas\w*|"
    r"cut\s+(?:back|down)|\d+\s*%|percent)\b",
    re.IGNORECASE,
)
MAX_TAPER_PER_TWO_WEEKS = 0.25
"""The joint guideline: a taper should typically not exceed 25% every 2 weeks."""
_TAPER_STEP = (
    "Plan a taper with the prescriber and the person: reduce by about 5-10% of the dose every 2-4 weeks (no "
    "more than 25% in 2 weeks), check for withdrawal at each step and slow or pause if it appears, and add "
    "support for the symptoms it was treating (e.g. CBT for insomnia or anxiety)."
)


def _stops_benzodiazepine(text: str) -> bool:
    return bool(_BZD.search(text) and _STOP.search(text) and not _TAPER.search(text))


def _objective_targets(ctx: PlanContext, obj: Objective) -> Iterator[Finding]:
    name = f"Objective '{isolate(obj.description)}'"
    text = f"{obj.description} {obj.measure}"
    weeks = obj.target_week - ctx.plan.written_at_week if obj.target_week is not None else None
    if _BZD.search(text):
        if (
            obj.baseline is not None
            and obj.target is not None
            and obj.baseline > 0
            and obj.target < obj.baseline
        ):
            drop = (obj.baseline - obj.target) / obj.baseline
            fastest = MAX_TAPER_PER_TWO_WEEKS * (weeks / 2) if weeks is not None and weeks > 0 else 0.0
            if drop > fastest + 1e-9:
                shortest = 2 * math.ceil(drop / MAX_TAPER_PER_TWO_WEEKS - 1e-9)
                when = f"by week {obj.target_week}" if obj.target_week is not None else "with no date"
                yield ABRUPT_DISCONTINUATION.finding(
                    obj.id,
                    f"{name}: {fmt(obj.baseline)} -> {fmt(obj.target)} {when} is a {round(drop * 100)}% cut"
                    + (f" in {weeks} weeks" if weeks else "")
                    + f"; even the fastest taper the guideline allows takes at least {shortest} weeks.",
                    _TAPER_STEP,
                )
            return
        if _stops_benzodiazepine(text):
            yield ABRUPT_DISCONTINUATION.finding(
                obj.id, f"{name} stops a benzodiazepine at once.", _TAPER_STEP
            )
            return
    yield from _stops_at_once(ctx, obj, name, weeks)


# --------------------------------------------------------------------------- risk behaviour stopping at once

_RISK_BEHAVIOUR = re.compile(
    r"(?P<harm>self[- ]harm|self[- ]injur|cut(?:s|ting)?\b|burn(?:s|ing)?\b|overdos)|"
    r"(?P<drink>drinks?|drinking|alcohol|beers?|wine|spirits|whisk(?:e)?y|units?\b)|"
    r"(?P<drug>cannabis|marijuana|weed|joints?|smok\w*|vap\w*|cocaine|meth\w*|opioids?|heroin|pills|"
    r"using|substance|drug)|(?P<other>purg\w*|vomit\w*|binge\w*|gambl\w*)",
    re.IGNORECASE,
)
HEAVY_DRINKS_A_DAY = 8
"""About 15 UK units (8 US standard drinks) a day: NICE CG115's mark for assessing assisted withdrawal."""
AT_ONCE_WEEKS = 4


def _stops_at_once(ctx: PlanContext, obj: Objective, name: str, weeks: int | None) -> Iterator[Finding]:
    if (
        obj.baseline is None
        or obj.target is None
        or obj.target != 0
        or obj.baseline <= 0
        or weeks is None
        or weeks > AT_ONCE_WEEKS
        or instrument_for(obj.measure)
        or item_instrument_for(obj.measure)
    ):
        return
    match = _RISK_BEHAVIOUR.search(f"{obj.measure} {obj.description}")
    if match is None:
        return
    words = f"{obj.description} " + " ".join(i.description for i in obj.interventions)
    if _TAPER.search(words):
        return
    steps = [
        o
        for _, _, o in ctx.plan.objectives()
        if o.id != obj.id and o.measure.strip().lower() == obj.measure.strip().lower() and (o.target or 0) > 0
    ]
    if steps:
        return
    kind = match.lastgroup
    per = "a day" if re.search(r"(?i)\bday\b|daily", obj.measure) else ""
    heavy = kind == "drink" and (obj.baseline >= HEAVY_DRINKS_A_DAY and per == "a day")
    if heavy:
        detail = (
            f"stopping from {fmt(obj.baseline)} drinks a day at once can bring dangerous withdrawal: assess "
            "for medically assisted withdrawal first, and agree a step-down"
        )
    elif kind == "harm":
        detail = (
            "expecting self-harm to stop at once, with nothing planned for a lapse, works like a no-harm "
            "promise; aim for fewer episodes with a safety plan, and review each lapse together"
        )
    else:
        detail = (
            "agree a first step down that the person believes is reachable, and what happens after a lapse"
        )
    yield STOPS_AT_ONCE.finding(
        obj.id,
        f"{name}: {fmt(obj.baseline)} -> 0 within {weeks} week{'s' if weeks != 1 else ''}, with no step-down.",
        detail[0].upper() + detail[1:] + ".",
    )


__all__ = ["SafetyContent", "event_addressed", "is_safety_text", "safety_content"]
