"""Safety: risk to the person is addressed wherever the clinician writes it, kept up to date with risk
events, with the lethal means the case names made safer, and never by a no-harm promise alone.

``safety_content(plan)`` is the one notion of "the plan addresses risk" that every rule asking it uses:
the safety-plan box, or any problem, goal, objective or intervention about safety (suicidal thoughts,
self-harm, a safety plan, lethal-means steps, crisis contacts, risk monitoring such as PHQ-9 item 9).
A no-harm or no-suicide contract is not safety content. (Unsafe targets, such as stopping a benzodiazepine
at once, are SMART findings: ``unsafe_targets``.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..library.vocabulary import concern_groups
from ..model import EventRevision, TimelineEvent, TreatmentPlan
from ..model.base import isolate
from .context import PlanContext
from .findings import Finding, rule
from .sources import (
    JOINT_COMMISSION_SUICIDE,
    LETHAL_MEANS,
    NO_HARM_CONTRACTS,
    PHQ9_ITEM9,
    STANLEY_BROWN,
)
from .text import content_words, key_words, matches

NOT_ADDRESSED = rule(
    "safety.not_addressed",
    "problem",
    "Risk present but nothing in the plan addresses it",
    "When intake risk is moderate or high, a safety plan is asked for, a risk item (PHQ-9 item 9, EPDS item "
    "10) "
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
LETHAL_MEANS_UNADDRESSED = rule(
    "safety.lethal_means_unaddressed",
    "problem",
    "Lethal means in the case not addressed",
    "When a person at risk has a firearm or a store of dangerous medicines at hand, making them safer "
    "(stored "
    "elsewhere, locked, handed in) is among the most effective steps in suicide prevention, and it is "
    "agreed with "
    "the person and their family, not assumed.",
    f"{LETHAL_MEANS}; {JOINT_COMMISSION_SUICIDE}",
)
NO_HARM_CONTRACT = rule(
    "safety.no_harm_contract",
    "problem",
    "A no-harm promise used as safety planning",
    "A no-harm or no-suicide contract has no evidence that it keeps anyone safe and can stop a person "
    "telling "
    "the clinician when things get worse; a safety plan (warning signs, coping steps, contacts, means "
    "safety) "
    "is the standard.",
    f"{NO_HARM_CONTRACTS}; {STANLEY_BROWN}",
)

_CONTRACT = re.compile(
    r"no[- ](?:self[- ])?harm\s+(?:contract|agreement|promise|pledge)|no[- ]suicide\s+(?:contract|agreement|"
    r"promise|pledge)|contract(?:s|ing)?\s+for\s+safety|safety\s+contract|"
    r"(?:promises?|agrees?|signs?|pledges?)\s+(?:\w+\s+){0,3}not\s+to\s+(?:harm|hurt|kill|cut)",
    re.IGNORECASE,
)
"""No-harm promises: not a safety plan, and not counted as one."""
_FIREARM = re.compile(r"\b(?:firearms?|guns?|rifles?|handguns?|pistols?|shotguns?|revolvers?)\b", re.I)
_MEDICINE_STORE = re.compile(
    r"\b(?:opioid|opiate|sleeping|leftover|old|stockpiled?|saved|spare|extra)\s+(?:\w+\s+){0,2}"
    r"(?:tablets|pills|medicines|medications|painkillers)\b|\bstockpil\w*",
    re.I,
)
_MEDICINE_WORDS = re.compile(
    r"\b(?:tablets|pills|medicines?|medications?|opioids?|painkillers|lockbox|lock\s+box|pharmacy|dispos\w*|"
    r"blister|week's\s+supply|supply)\b",
    re.I,
)
_MEANS_WORDS = re.compile(r"lethal[- ]means|means\s+(?:safety|restriction|counsel)|\bmeans\b", re.I)

_WEEK_NUMBER = re.compile(r"\bweek\s+(\d{1,3})\b", re.IGNORECASE)
_NOT_CONTENT = frozenset({"client", "herself", "himself", "themselves", "themself", "signed", "agreed"})

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


@lru_cache(maxsize=8192)
def is_safety_text(text: str) -> bool:
    """True when the words are about risk to the person's life or safety (not 'safe walking routes'); a
    no-harm promise does not count."""
    text = _CONTRACT.sub(" ", text)
    return bool(_SAFETY.search(text)) or "suicidal" in concern_groups(text)


def safety_content(plan: TreatmentPlan) -> SafetyContent:
    """Every place the plan addresses risk; one notion used by every rule that asks."""
    box = plan.safety_plan.strip()
    # Whatever the clinician wrote in the safety-plan box counts, unless it is only a no-harm promise or
    # 'n/a'.
    in_box = len(content_words(_CONTRACT.sub(" ", box)) - _NOT_CONTENT) >= 3 and not re.fullmatch(
        r"(?i)\W*(none|n/?a|not\s+needed|no\s+risk)\W*", box
    )
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
    safety content speaks of the event (two of the event's own words, or a link to it from a safety element)
    or is dated at or after it ('item 9 = 0 at week 12').
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
    dated_after = any(int(w) >= event.week for text in content.texts for w in _WEEK_NUMBER.findall(text))
    return linked or mentioned or dated_after


def check(ctx: PlanContext) -> Iterator[Finding]:
    yield from _risk(ctx)


def _contracts(ctx: PlanContext) -> list[str | None]:
    """Where the plan relies on a no-harm promise: element ids, or None for the safety-plan box."""
    out: list[str | None] = [None] if matches(_CONTRACT, ctx.plan.safety_plan) else []
    out += [eid for eid, text in _element_texts(ctx.plan) if matches(_CONTRACT, text)]
    return out


def _case_means(ctx: PlanContext) -> list[tuple[str, re.Pattern[str]]]:
    """Lethal means the case names by the exercise week: ('a firearm', the words that address it), ..."""
    case = ctx.case
    text = " ".join(
        [
            case.risk.summary,
            case.history,
            case.cultural_social_context,
            *(e.description for e in case.events_until(ctx.week)),
        ]
    )
    found = []
    if _FIREARM.search(text):
        found.append(("the firearm", _FIREARM))
    if _MEDICINE_STORE.search(text):
        found.append(("the stored medicines", _MEDICINE_WORDS))
    return found


def _risk(ctx: PlanContext) -> Iterator[Finding]:
    reasons = ctx.index.risk_reasons(ctx.week)
    if not reasons:
        return
    content = safety_content(ctx.plan)
    contracts = _contracts(ctx)
    if not content.present:
        yield NOT_ADDRESSED.finding(
            None,
            "The case carries risk, but nothing in the plan addresses it"
            + (" (a no-harm promise is not a safety plan)" if contracts else "")
            + ": "
            + "; ".join(r.text for r in reasons)
            + ".",
            "Write a safety plan with the person (warning signs, coping steps, people and places, crisis "
            "line "
            "988, making the means safer) and say how often risk is asked again, e.g. PHQ-9 item 9 every "
            "session.",
            [r.text for r in reasons],
        )
        return
    for where in contracts[:1]:
        yield NO_HARM_CONTRACT.finding(
            where,
            "The plan relies on a no-harm promise"
            + (" in the safety plan" if where is None else "")
            + ", which does not keep anyone safe.",
            "Replace the promise with the safety plan itself: warning signs, coping steps, people to "
            "contact, "
            "the crisis line, and making the means safer; invite the person to say when the thoughts return.",
        )
    means_text = " ".join(content.texts)
    for label, words in _case_means(ctx):
        if not (words.search(means_text) or _MEANS_WORDS.search(means_text)):
            yield LETHAL_MEANS_UNADDRESSED.finding(
                None,
                f"The case names {label} at hand, but the plan's safety content says nothing about making it "
                "safer.",
                f"Counsel on lethal means with {_them(ctx)} (and family, if they agree): where {label} can "
                "be "
                "kept away or locked during the risky period, who holds it, and when that is checked.",
                [r.text for r in reasons],
                subject=label,
            )
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
        f"Nothing in the plan's safety content answers week {latest.week}: '{isolate(latest.title)}'.{also}",
        f"Review the safety plan with {_them(ctx)} now, for what happened at week {latest.week}: new warning "
        "signs, what helped and what did not, who to contact, and whether the means at hand are now safer; "
        "then ask about risk at every contact.",
        [f"Week {latest.week}: {latest.title}"],
        subject=latest.id,
    )


def _them(ctx: PlanContext) -> str:
    return {"Her": "her", "His": "him", "Their": "them"}.get(ctx.possessive, "the person")


__all__ = ["SafetyContent", "event_addressed", "is_safety_text", "safety_content"]
