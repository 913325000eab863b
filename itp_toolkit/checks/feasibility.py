"""Feasibility: can this person actually receive the interventions as planned, given the case's barriers?

A rule fires for an intervention that collides with a barrier (weekly in-person sessions and no car) unless
the plan mitigates that barrier (a barrier plan naming it with a mitigation) or the intervention links the
barrier (it was adapted for it). Suggestions name concrete alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Barrier, Intervention
from ..model.base import isolate
from .context import PlanContext, cite
from .findings import Finding, rule
from .sources import ACCESS, CMS, PCCP

TRANSPORT = rule(
    "feasibility.transport_in_person",
    "warning",
    "Weekly in-person care despite a transport barrier",
    "Missed sessions from transport problems are a leading cause of dropout in rural and low-income care.",
    f"{ACCESS}; {PCCP} item 8",
)
WORK_HOURS = rule(
    "feasibility.work_hours_daytime",
    "warning",
    "Daytime sessions despite work hours",
    "Someone who cannot leave work in the day will miss daytime sessions or risk their job.",
    f"{ACCESS}; {PCCP} item 8",
)
WAITLIST = rule(
    "feasibility.waitlist_no_bridge",
    "warning",
    "Waitlist with no bridge",
    "Interventions that assume care starts now, when the person waits weeks for it, leave them with nothing; "
    "bridging care (groups, peer support, guided self-help, check-in calls) keeps them engaged and safer.",
    f"{ACCESS}; {PCCP} item 8",
)
COST = rule(
    "feasibility.cost_unaddressed",
    "warning",
    "Paid services despite a cost barrier",
    "People stop care they cannot afford; lower-cost formats or fee help must be part of the plan.",
    f"{ACCESS}; {CMS}",
)
LANGUAGE = rule(
    "feasibility.language_no_interpreter",
    "warning",
    "Language barrier without an interpreter or concordant care",
    "Care in a language the person does not prefer reduces understanding, engagement and safety; professional "
    "interpreters or language-concordant clinicians are the standard (Title VI; HHS CLAS Standards 5-8).",
    "HHS National CLAS Standards 5-8; Civil Rights Act Title VI",
)
DIGITAL = rule(
    "feasibility.telehealth_no_digital_access",
    "warning",
    "Telehealth despite limited digital access",
    "Video sessions need a device, data and privacy the person may not have.",
    f"{ACCESS}; {PCCP} item 8",
)
CHILDCARE = rule(
    "feasibility.childcare_in_person",
    "warning",
    "In-person sessions despite no childcare",
    "Parents without childcare miss clinic sessions; home visits, telehealth or on-site childcare make care possible.",
    f"{ACCESS}; {PCCP} item 8",
)

_LESS_THAN_WEEKLY = re.compile(
    r"every\s+(?:other|2|3|4|two|three|four|six)\s+weeks?|fortnight|biweekly|monthly|"
    r"once\s+a\s+month|per\s+month",
    re.IGNORECASE,
)
_WEEKLY_OR_MORE = re.compile(
    r"weekly|per\s+week|a\s+week|each\s+week|every\s+week|/\s*w(?:ee)?k|daily|nightly|"
    r"twice|\d+\s*(?:x|times)|every\s+session|every\s+day",
    re.IGNORECASE,
)
_INTERPRETER = re.compile(
    r"interpret|translat|bilingual|concordant|native language|preferred language|"
    r"speaks?\s+(?:her|his|their)\s+language",
    re.IGNORECASE,
)
_LANGUAGES = (
    "spanish",
    "vietnamese",
    "mandarin",
    "cantonese",
    "chinese",
    "arabic",
    "tagalog",
    "korean",
    "russian",
    "portuguese",
    "french",
    "haitian",
    "creole",
    "somali",
    "amharic",
    "hmong",
    "farsi",
    "dari",
    "pashto",
    "hindi",
    "urdu",
    "bengali",
    "punjabi",
    "polish",
    "ukrainian",
    "swahili",
    "navajo",
    "asl",
    "sign language",
    "japanese",
    "german",
    "italian",
    "khmer",
    "lao",
    "burmese",
    "nepali",
    "tigrinya",
    "karen",
)


def at_least_weekly(frequency: str) -> bool:
    """'weekly', 'twice a week', '3x/week' -> True; 'every 2 weeks', 'monthly' or blank -> False."""
    if _LESS_THAN_WEEKLY.search(frequency):
        return False
    return bool(_WEEKLY_OR_MORE.search(frequency))


def check(ctx: PlanContext) -> Iterator[Finding]:
    barriers_by_kind: dict[str, list[Barrier]] = {}
    for barrier in ctx.index.barriers.values():
        if barrier.id not in ctx.mitigated_barriers:
            barriers_by_kind.setdefault(barrier.kind, []).append(barrier)
    interventions = [item for _, item in ctx.plan.interventions()]

    def open_barrier(kind: str, item: Intervention | None) -> Barrier | None:
        for barrier in barriers_by_kind.get(kind, []):
            if item is None or barrier.id not in item.linked_facts:
                return barrier
        return None

    for item in interventions:
        name = f"Intervention '{isolate(item.description)}'"
        weekly_in_clinic = item.delivery == "in_person" and at_least_weekly(item.frequency)
        if weekly_in_clinic and (b := open_barrier("transport", item)):
            yield TRANSPORT.finding(
                item.id,
                f"{name} is {item.frequency} in person, but: '{isolate(b.text)}'.",
                "Offer telehealth or phone sessions for most weeks, fewer in-person visits bundled with other "
                "appointments, transport vouchers, or home visits.",
                [cite(b)],
            )
        if (
            item.time_of_day == "daytime"
            and item.delivery != "self_directed"
            and (b := open_barrier("work_hours", item))
        ):
            yield WORK_HOURS.finding(
                item.id,
                f"{name} is scheduled in the daytime, but: '{isolate(b.text)}'.",
                "Offer evening or weekend slots, a lunchtime telehealth session, or a group that meets after work.",
                [cite(b)],
            )
        if item.delivery == "telehealth" and (b := open_barrier("digital_access", item)):
            yield DIGITAL.finding(
                item.id,
                f"{name} is by telehealth, but: '{isolate(b.text)}'.",
                "Offer phone sessions, a loaned device or data plan, a private room at a library or clinic, or in-person.",
                [cite(b)],
            )
        if weekly_in_clinic and (b := open_barrier("childcare", item)):
            yield CHILDCARE.finding(
                item.id,
                f"{name} is {item.frequency} in person, but: '{isolate(b.text)}'.",
                "Offer home visits, telehealth at nap time, sessions where the baby can come, or on-site childcare.",
                [cite(b)],
            )

    waitlist = open_barrier("waitlist", None)
    if (
        waitlist
        and interventions
        and not any(_is_bridge(item) or waitlist.id in item.linked_facts for item in interventions)
    ):
        yield WAITLIST.finding(
            interventions[0].id,
            f"The plan's interventions start as if care were available now, but: "
            f"'{isolate(waitlist.text)}', and nothing bridges the wait.",
            "Add a bridge: a drop-in or skills group, peer support, guided self-help (app or workbook), "
            "or fortnightly check-in calls until the first appointment.",
            [cite(waitlist)],
        )

    cost = open_barrier("cost", None)
    paid = [
        item
        for item in interventions
        if item.format in ("individual", "medication", "couple", "family")
        and item.delivery != "self_directed"
        and cost is not None
        and cost.id not in item.linked_facts
    ]
    if cost and paid:
        yield COST.finding(
            paid[0].id,
            f"The plan relies on paid services ('{isolate(paid[0].description)}'), but: '{isolate(cost.text)}', and "
            "says nothing about cost.",
            "Check for a sliding-scale fee or benefits, use group sessions, and add free community, faith-based or "
            "peer supports.",
            [cite(cost)],
        )

    for barrier in (b for b in ctx.index.barriers.values() if b.kind == "language"):
        named = [
            lang
            for lang in _LANGUAGES
            if lang in barrier.text.lower() or lang in ctx.case.cultural_social_context.lower()
        ]
        text = ctx.plan_text
        if not _INTERPRETER.search(text) and not any(lang in text for lang in named):
            yield LANGUAGE.finding(
                None,
                f"The case notes a language barrier ('{isolate(barrier.text)}'), but the plan mentions no interpreter "
                "or language-concordant care.",
                "Book a professional interpreter for every session (not family members), or refer to a clinician "
                "who speaks "
                + (named[0].capitalize() if named else "the person's preferred language")
                + "; give written material in that language.",
                [cite(barrier)],
            )


def _is_bridge(item: Intervention) -> bool:
    return item.format in ("group", "peer_support", "self_help", "case_management") or item.delivery in (
        "phone",
        "self_directed",
        "community",
    )
