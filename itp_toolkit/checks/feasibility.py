"""Feasibility: can this person actually receive the interventions as planned, given the case's barriers?

A rule fires for an intervention that collides with a barrier unless the plan mitigates that barrier (a barrier
plan naming it with a mitigation) or the intervention links the barrier (it was adapted for it). Each barrier is
read for what it blocks (the case says it: ``Barrier.applies_to``, ``formats``, ``unavailable``,
``attend_at_most_per_week``, ``wait_weeks``): a cost barrier only for what costs, a transport barrier only for
the place the person cannot reach, a schedule barrier for the times they cannot attend, a waitlist until the
week care can start. An intervention that says it is free, or how the person gets there, is taken at its word.
Suggestions name concrete alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Barrier, Intervention
from ..model.base import isolate
from ..model.case import DayPart
from .context import PlanContext, cite, fmt
from .findings import Finding, rule
from .phrases import GENERIC_WORDS
from .sources import ACCESS, CMS, PCCP
from .text import key_words

TRANSPORT = rule(
    "feasibility.transport_in_person",
    "warning",
    "Weekly in-person care despite a transport barrier",
    "Missed sessions from transport problems are a leading cause of dropout in rural and low-income care.",
    f"{ACCESS}; {PCCP} item 8",
)
SCHEDULE = rule(
    "feasibility.schedule_clash",
    "warning",
    "Sessions at a time the person cannot attend",
    "Someone who works, cares for others or has a curfew at that time will miss the sessions or risk their job "
    "or home; the time of an intervention is checked against when the case says they cannot come.",
    f"{ACCESS}; {PCCP} item 8",
)
TOO_OFTEN = rule(
    "feasibility.frequency_exceeds_availability",
    "warning",
    "More sessions a week than the person can attend",
    "A plan that asks for more visits a week than the person's free time allows loses the ones that do not fit.",
    f"{ACCESS}; {PCCP} item 8",
)
WAITLIST = rule(
    "feasibility.waitlist_no_bridge",
    "warning",
    "Waitlist with no bridge until care starts",
    "Interventions that assume care starts now, when the person waits weeks for it, leave them with nothing; "
    "bridging care (groups, peer support, guided self-help, check-in calls) until the start keeps them engaged "
    "and safer.",
    f"{ACCESS}; {PCCP} item 8",
)
COST = rule(
    "feasibility.cost_unaddressed",
    "warning",
    "A service that costs despite a cost barrier",
    "People stop care they cannot afford; for the services the barrier is about, lower-cost formats or fee help "
    "must be part of the plan (a free service needs none).",
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


_WORDS = {"once": 1, "one": 1, "twice": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def sessions_per_week(frequency: str) -> float:
    """About how many sessions a week a frequency means: 'weekly' 1, 'twice a week' 2, '3x/week' 3,
    'daily' 7, 'every 2 weeks' 0.5, 'monthly' 0.25; a one-off or an unreadable frequency 0."""
    text = frequency.lower()
    if re.search(r"fortnight|biweekly|every\s+(?:other|2|two)\s+weeks?", text):
        return 0.5
    if re.search(r"every\s+(?:3|three)\s+weeks?", text):
        return 1 / 3
    if re.search(r"monthly|once\s+a\s+month|per\s+month|every\s+(?:4|four)\s+weeks?", text):
        return 0.25
    if re.search(r"\bdaily\b|every\s+day|nightly|every\s+night", text):
        return 7.0
    count = re.search(
        r"(\d+|once|twice|one|two|three|four|five|six|seven)\s*(?:x|times)?\s*(?:a|per|/|each)\s*w(?:ee)?k",
        text,
    )
    if count:
        value = count.group(1)
        return float(_WORDS.get(value, value))  # type: ignore[arg-type]
    if re.search(r"twice\s+weekly", text):
        return 2.0
    if _WEEKLY_OR_MORE.search(text):
        return 1.0
    return 0.0


# --------------------------------------------------------------------------- when an intervention happens

_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?\s*m\.?|p\.?\s*m\.?)", re.IGNORECASE)
_PART_WORDS: tuple[tuple[re.Pattern[str], DayPart], ...] = (
    (re.compile(r"\bmornings?\b|\bbreakfast", re.I), "morning"),
    (re.compile(r"\bafternoons?\b|\blunch(?:time)?\b|\bmidday\b|\bnoon\b", re.I), "afternoon"),
    (re.compile(r"\bevenings?\b|\bafter\s+work\b|\btonight\b", re.I), "evening"),
    (re.compile(r"\bovernight\b|\blate\s+at\s+night\b", re.I), "night"),
    (re.compile(r"\bsaturdays?\b|\bsundays?\b|\bweekends?\b", re.I), "weekend"),
)
_OF_TIME = {
    "daytime": {"morning", "afternoon"},
    "evening": {"evening"},
    "weekend": {"weekend"},
}


def _part_of(hour: int) -> DayPart:
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


def _parts_in(text: str) -> set[str]:
    parts: set[str] = set()
    for m in _CLOCK.finditer(text):
        hour = int(m.group(1)) % 12 + (12 if m.group(3).lower().startswith("p") else 0)
        parts.add(_part_of(hour))
    for pattern, part in _PART_WORDS:
        if pattern.search(text):
            parts.add(part)
    return parts


def session_times(item: Intervention) -> set[str]:
    """When an intervention happens, as parts of the week: a time written in its frequency or duration first;
    then its time of day, narrowed by a time its description gives within it ('at 4 p.m.' in the daytime);
    empty when it is flexible or unknown."""
    stated = _parts_in(f"{item.frequency} {item.duration}")
    if stated:
        return stated
    broad = _OF_TIME.get(item.time_of_day or "", set())
    told = {p for p in _parts_in(item.description) if not broad or p in broad}
    return told or set(broad)


_FREE = re.compile(
    r"\bfree\b|no[- ]cost|at\s+no\s+charge|sliding[- ](?:fee|scale)|no\s+co-?pay|co-?pay\s+waived|waived|"
    r"covered\s+by|(?:insurance|medicaid|medicare|plan)\s+(?:covers|pays)|fee\s+help|grant[- ]funded|"
    r"does\s+not\s+count\s+against",
    re.IGNORECASE,
)
_GETS_THERE = re.compile(
    r"\bdrives?\s+(?:her|him|them)\b|\bgives?\s+(?:her|him|them)\s+a\s+(?:lift|ride)|\blift\b|\bride\b|"
    r"\bvan\b|transit|bus\s+pass|vouchers?|\btaxi\b|rideshare|transport\s+(?:is\s+)?(?:provided|arranged)|"
    r"walks?\s+(?:there|to)\b|walking\s+distance|home\s+visits?|at\s+(?:her|his|their)\s+home",
    re.IGNORECASE,
)
_CHILD_OK = re.compile(
    r"(?:baby|child|children|kids?|son|daughter)\s+(?:can\s+come|welcome|in\s+the\s+room|comes)|childcare\s+"
    r"(?:provided|on\s+site|arranged)|on-site\s+childcare|has\s+the\s+(?:baby|children|kids)|home\s+visits?",
    re.IGNORECASE,
)
_PHONE_FALLBACK = re.compile(
    r"phon(?:e|es|ing)\s+(?:her|him|them\s+)?(?:if|when|instead)|(?:if|when)\s+(?:the\s+)?(?:video|internet|"
    r"connection|signal)\s+(?:drops|fails|is\s+down|goes)|by\s+phone|phone\s+(?:sessions?|calls?|fallback|back-?up)|"
    r"fall\s*back|back-?up\s+(?:by|on)\s+phone",
    re.IGNORECASE,
)
"""A telehealth intervention with its own phone fallback is not stopped by an unreliable connection."""
_BRIDGE_WORDS = re.compile(
    r"bridge|while\s+(?:she|he|they)\s+waits?|while\s+waiting|during\s+the\s+wait|until\s+(?:the|her|his|their)\s+"
    r"(?:\w+\s+){0,2}(?:slot|therapy|appointment|first|place|start)|no\s+wait|without\s+(?:a\s+)?wait",
    re.IGNORECASE,
)


def _text(item: Intervention) -> str:
    return f"{item.description} {item.modality} {item.frequency} {item.duration}"


def _names(barrier: Barrier, item: Intervention) -> bool:
    """Whether an intervention is the thing the barrier names (its own words: half of the distinctive ones)."""
    wanted = key_words(barrier.applies_to) - GENERIC_WORDS
    if not wanted:
        return False
    shared = wanted & key_words(_text(item))
    return len(shared) >= max(1, (len(wanted) + 1) // 2)


_FORMAT_WORDS = (
    (re.compile(r"\bindividual\b|one-to-one|1:1", re.I), "individual"),
    (re.compile(r"\bgroups?\b", re.I), "group"),
    (re.compile(r"\bfamily\b", re.I), "family"),
    (re.compile(r"\bcouples?\b", re.I), "couple"),
    (re.compile(r"medication|psychiatr|prescri", re.I), "medication"),
    (re.compile(r"\bpeer\b", re.I), "peer_support"),
)


def _affected(barrier: Barrier, item: Intervention, default: bool, *, by_format: bool = False) -> bool:
    """Whether the barrier stands in the way of this intervention: the kinds of care the case lists for it;
    else (a waitlist) the kinds its words name ('individual therapy'); else its words ('private psychological
    testing', 'the community psychiatry clinic'); else, when the case says neither, the default for its kind."""
    if barrier.formats and item.format in barrier.formats:
        return True
    if by_format:
        named = {f for pattern, f in _FORMAT_WORDS if pattern.search(barrier.applies_to)}
        if named:
            return item.format in named
    if barrier.applies_to.strip():
        return _names(barrier, item)
    return default and not barrier.formats


def _week_range(item: Intervention) -> tuple[int | None, int | None]:
    """(first week, last week) an intervention's duration or frequency gives ('weeks 1-6', 'from week 6')."""
    text = f"{item.duration} {item.frequency} {item.description}"
    m = re.search(r"weeks?\s*(\d+)\s*(?:-|–|to|through)\s*(\d+)", text, re.I)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"(?:from|after|starting(?:\s+at)?|begins?(?:\s+at)?|at)\s+week\s*(\d+)", text, re.I)
    if m:
        return int(m.group(1)), None
    return None, None


def bridge_end(item: Intervention, start: int) -> int | None:
    """The last week a bridge runs, when it says so ('weeks 1-2', '3 weekly calls'); None when it runs until
    care starts, is open-ended, or does not say (taken at its word)."""
    text = _text(item)
    if _BRIDGE_WORDS.search(text) or re.search(r"ongoing|open-ended|\buntil\b", text, re.I):
        return None
    _, last = _week_range(item)
    if last is not None:
        return last
    weekly = sessions_per_week(item.frequency) >= 1
    m = re.search(r"(\d+)\s*(?:weeks?|sessions?|calls?|visits?)\b", item.duration, re.I)
    if m and (weekly or "week" in m.group(0).lower()):
        return start + int(m.group(1)) - 1
    m = re.search(
        r"\b(one|two|three|four|five|six)\s+(?:\w+[- ])?(?:calls?|sessions?|visits?)\b",
        item.description,
        re.I,
    )
    if m and weekly:
        return start + _WORDS[m.group(1).lower()] - 1
    return None


def check(ctx: PlanContext) -> Iterator[Finding]:
    open_barriers = [b for b in ctx.index.barriers.values() if b.id not in ctx.mitigated_barriers]
    interventions = [item for _, item in ctx.plan.interventions()]

    def open_of(kind: str, item: Intervention | None) -> list[Barrier]:
        return [
            b for b in open_barriers if b.kind == kind and (item is None or b.id not in item.linked_facts)
        ]

    for item in interventions:
        name = f"Intervention '{isolate(item.description)}'"
        text = _text(item)
        weekly_in_person = item.delivery == "in_person" and at_least_weekly(item.frequency)
        if weekly_in_person and not _GETS_THERE.search(text):
            for b in open_of("transport", item):
                times = session_times(item)
                # A transport barrier with times ('the car is with her husband at night') blocks only those.
                if b.unavailable and times and not times & set(b.unavailable):
                    continue
                if _affected(b, item, default=True):
                    yield TRANSPORT.finding(
                        item.id,
                        f"{name} is {item.frequency} in person, but: '{isolate(b.text)}'.",
                        "Offer telehealth or phone sessions for most weeks, fewer in-person visits bundled with "
                        "other appointments, transport vouchers, or home visits; or say how they will get there.",
                        [cite(b)],
                    )
                    break
        if item.delivery != "self_directed":
            clash = _schedule_clash(
                item, [b for b in open_barriers if b.id not in item.linked_facts and b.kind != "transport"]
            )
            if clash is not None:
                barrier, when, free = clash
                yield SCHEDULE.finding(
                    item.id,
                    f"{name} is in the {when}, but: '{isolate(barrier.text)}'.",
                    (f"Offer it in the {free}" if free else "Offer a time the person says they can make")
                    + ", by phone or video if that helps, or a group that meets then.",
                    [cite(barrier)],
                )
        if item.delivery == "telehealth" and not _PHONE_FALLBACK.search(text):
            digital = open_of("digital_access", item)
            if digital:
                yield DIGITAL.finding(
                    item.id,
                    f"{name} is by telehealth, but: '{isolate(digital[0].text)}'.",
                    "Offer phone sessions, a loaned device or data plan, a private room at a library or clinic, "
                    "or in-person.",
                    [cite(digital[0])],
                )
        if weekly_in_person and not _CHILD_OK.search(text):
            childcare = open_of("childcare", item)
            if childcare:
                yield CHILDCARE.finding(
                    item.id,
                    f"{name} is {item.frequency} in person, but: '{isolate(childcare[0].text)}'.",
                    "Offer home visits, telehealth at nap time, sessions where the baby can come, or on-site "
                    "childcare.",
                    [cite(childcare[0])],
                )

    yield from _too_often(ctx, open_barriers, interventions)
    yield from _waitlists(ctx, open_barriers, interventions)
    yield from _costs(open_barriers, interventions)
    yield from _language(ctx)


def _unavailable(barrier: Barrier) -> set[str]:
    if barrier.unavailable:
        return set(barrier.unavailable)
    if barrier.kind == "work_hours":
        return {"morning", "afternoon"}  # the case says only 'work hours': the working day
    return set()


_ORDER = ("morning", "afternoon", "evening", "night", "weekend")


def _schedule_clash(item: Intervention, barriers: list[Barrier]) -> tuple[Barrier, str, str] | None:
    times = session_times(item)
    if not times:
        return None
    for barrier in barriers:
        blocked = _unavailable(barrier)
        if times & blocked:
            when = " and ".join(p for p in _ORDER if p in times)
            free = [p for p in _ORDER if p not in blocked and p != "night"]
            return (
                barrier,
                when,
                (", ".join(free[:-1]) + " or " + free[-1]) if len(free) > 1 else "".join(free),
            )
    return None


def _too_often(ctx: PlanContext, barriers: list[Barrier], items: list[Intervention]) -> Iterator[Finding]:
    for barrier in barriers:
        limit = barrier.attend_at_most_per_week
        if limit is None:
            continue
        counted = [(i, sessions_per_week(i.frequency)) for i in items if i.delivery != "self_directed"]
        counted = [(i, n) for i, n in counted if n > 0]
        total = sum(n for _, n in counted)
        if total > limit + 1e-9:
            listed = "; ".join(f"'{isolate(i.description)}' {i.frequency}" for i, _ in counted[:4])
            yield TOO_OFTEN.finding(
                None,
                f"The plan asks for about {fmt(round(total, 1))} sessions a week ({listed}), but: "
                f"'{isolate(barrier.text)}'.",
                f"Fit the plan into {fmt(limit)} session{'s' if limit != 1 else ''} a week: combine visits, move "
                "some work to self-help between sessions, or space the less urgent ones out.",
                [cite(barrier)],
                subject=barrier.id,
            )


def _is_bridge(item: Intervention) -> bool:
    return (
        item.format in ("group", "peer_support", "self_help", "case_management")
        or item.delivery in ("phone", "self_directed", "community")
        or bool(_BRIDGE_WORDS.search(_text(item)))
    )


def _waitlists(ctx: PlanContext, barriers: list[Barrier], items: list[Intervention]) -> Iterator[Finding]:
    week = ctx.plan.written_at_week
    for barrier in barriers:
        if barrier.kind != "waitlist" and barrier.wait_weeks is None:
            continue
        end = barrier.wait_weeks
        if end is not None and week >= end:
            continue  # the wait is over
        waited = [
            i
            for i in items
            if _affected(barrier, i, default=i.format in ("individual", "family", "couple"), by_format=True)
            and barrier.id not in i.linked_facts
        ]
        if not waited and barrier.kind == "waitlist" and not barrier.applies_to and not barrier.formats:
            waited = [i for i in items if barrier.id not in i.linked_facts and not _is_bridge(i)]
        if not waited:
            continue
        bridges = [i for i in items if i not in waited and (_is_bridge(i) or barrier.id in i.linked_facts)]
        start = week + 1
        short: tuple[Intervention, int] | None = None
        covered = False
        for bridge in bridges:
            last = bridge_end(bridge, start)
            if last is None or end is None or last >= end - 1:
                covered = True
                break
            short = short if short and short[1] >= last else (bridge, last)
        if covered:
            continue
        until = f"until week {end}" if end is not None else "for weeks"
        if short is not None:
            gap = f"; the only bridge, '{isolate(short[0].description)}', ends at week {short[1]}"
        else:
            gap = ", and nothing bridges the wait"
        yield WAITLIST.finding(
            waited[0].id,
            f"'{isolate(waited[0].description)}' cannot start {until} ('{isolate(barrier.text)}'){gap}.",
            "Add a bridge that lasts until the start: a drop-in or skills group, peer support, guided self-help "
            "(app or workbook), or check-in calls every week or two until the first appointment.",
            [cite(barrier)],
        )


def _costs(barriers: list[Barrier], items: list[Intervention]) -> Iterator[Finding]:
    for barrier in barriers:
        if barrier.kind != "cost":
            continue
        paid = [
            i
            for i in items
            if barrier.id not in i.linked_facts
            and not _FREE.search(_text(i))
            and _affected(
                barrier,
                i,
                default=i.format in ("individual", "medication", "couple", "family")
                and i.delivery != "self_directed",
            )
        ]
        if paid:
            more = f" and {len(paid) - 1} more" if len(paid) > 1 else ""
            yield COST.finding(
                paid[0].id,
                f"'{isolate(paid[0].description)}'{more} will cost the person, but: '{isolate(barrier.text)}', "
                "and the plan says nothing about cost.",
                "Check for a sliding-scale fee or benefits, use group sessions, and add free community, "
                "faith-based or peer supports; say in the plan how it will be paid for.",
                [cite(barrier)],
            )


def _language(ctx: PlanContext) -> Iterator[Finding]:
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
                f"The case notes a language barrier ('{isolate(barrier.text)}'), but the plan mentions no "
                "interpreter or language-concordant care.",
                "Book a professional interpreter for every session (not family members), or refer to a clinician "
                "who speaks "
                + (named[0].capitalize() if named else "the person's preferred language")
                + "; give written material in that language.",
                [cite(barrier)],
                subject=barrier.id,
            )
