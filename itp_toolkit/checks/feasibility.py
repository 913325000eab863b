"""Feasibility: can this person actually receive the interventions as planned, given the case's barriers?

A rule fires for an intervention that collides with a barrier unless the plan mitigates that barrier (a
barrier
plan naming it with a mitigation) or the intervention links the barrier (it was adapted for it). Each
barrier is
read for what it blocks (the case says it: ``Barrier.applies_to``, ``formats``, ``unavailable``,
``attend_at_most_per_week``, ``wait_weeks``): a cost barrier only for what costs, a transport barrier only for
the place the person cannot reach, a schedule barrier for the times they cannot attend, a waitlist until the
week care can start. An intervention that says it is free, or how the person gets there, is taken at its word.
Suggestions name concrete alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ..model import Barrier, Escort, Intervention
from ..model.base import isolate
from ..model.case import DayPart
from .context import PlanContext, cite, fmt
from .findings import Finding, rule
from .phrases import GENERIC_WORDS
from .sources import ACCESS, CMS, PCCP
from .text import key_words, matches

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
    "Someone who works, cares for others or has a curfew at that time will miss the sessions or risk their "
    "job "
    "or home; the time of an intervention is checked against when the case says they cannot come.",
    f"{ACCESS}; {PCCP} item 8",
)
TOO_OFTEN = rule(
    "feasibility.frequency_exceeds_availability",
    "warning",
    "More sessions a week than the person can attend",
    "A plan that asks for more visits a week than the person's free time allows loses the ones that do not "
    "fit.",
    f"{ACCESS}; {PCCP} item 8",
)
WAITLIST = rule(
    "feasibility.waitlist_no_bridge",
    "warning",
    "Waitlist with no bridge until care starts",
    "Interventions that assume care starts now, when the person waits weeks for it, leave them with nothing; "
    "bridging care (groups, peer support, guided self-help, check-in calls) until the start keeps them "
    "engaged "
    "and safer.",
    f"{ACCESS}; {PCCP} item 8",
)
COST = rule(
    "feasibility.cost_unaddressed",
    "warning",
    "A service that costs despite a cost barrier",
    "People stop care they cannot afford; for the services the barrier is about, lower-cost formats or fee "
    "help "
    "must be part of the plan (a free service needs none).",
    f"{ACCESS}; {CMS}",
)
LANGUAGE = rule(
    "feasibility.language_no_interpreter",
    "warning",
    "Language barrier without an interpreter or concordant care",
    "Care in a language the person does not prefer reduces understanding, engagement and safety; "
    "professional "
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
BLOCKED = rule(
    "feasibility.barrier_blocks_care",
    "warning",
    "Care the case says the person cannot use",
    "When the case says a person cannot follow phone calls or groups, or has no phone minutes, care "
    "delivered that "
    "way does not reach them.",
    f"{ACCESS}; {PCCP} item 8",
)
SERVICE_ENDS = rule(
    "feasibility.service_ends",
    "warning",
    "Care planned where the service is about to stop",
    "Sessions planned at a service after the week it closes (a school centre over the summer, a programme "
    "that "
    "ends) will not happen; the plan needs the handover before it closes.",
    f"{ACCESS}; {PCCP} item 8",
)
ESCORT = rule(
    "feasibility.escort_unavailable",
    "warning",
    "Getting there depends on someone who is not free then",
    "When the person needs someone to drive or take them (parents for a teenager, a relative for an older "
    "adult) and the case says that person works or is busy at that time, the sessions will be missed; the "
    "time, the place or the way there has to fit who can take them.",
    f"{ACCESS}; {PCCP} item 8",
)
CHILDCARE = rule(
    "feasibility.childcare_in_person",
    "warning",
    "In-person sessions despite no childcare",
    "Parents without childcare miss clinic sessions; home visits, telehealth or on-site childcare make care "
    "possible.",
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
_FAMILY_INTERPRETER = re.compile(
    r"\b(?:son|daughter|child|children|kids?|husband|wife|partner|sister|brother|niece|nephew|grandchild\w*|"
    r"relative|family\s+member|friend|neighbou?r)\b[^.;]{0,60}\binterpret\w*|\binterpret\w*\b[^.;]{0,40}\b(?:by|"
    r"from)\s+(?:her|his|their)\s+(?:son|daughter|child|husband|wife|partner|sister|brother|relative)",
    re.IGNORECASE,
)
_PROFESSIONAL_LANGUAGE = re.compile(
    r"professional\s+interpret|trained\s+interpret|certified\s+interpret|qualified\s+interpret|"
    r"interpret\w*\s+service|language\s+line|(?:phone|video|telephone)\s+interpret|"
    r"(?:bilingual|spanish-speaking|language-concordant|concordant)\s+(?:clinician|counsel+or|therapist|"
    r"psychologist|worker|nurse|doctor|staff)",
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
        return float(_WORDS.get(value, value))
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


_AT_CLOCK = re.compile(r"\b(?:at|from)\s+(\d{1,2})(?::(\d{2}))?\s*(a\.?\s*m\.?|p\.?\s*m\.?)", re.IGNORECASE)
"""A session time written in a description ('sessions at 4 p.m.'), not any time it mentions ('an 8 a.m.-2 p.m.
sleep window')."""


def _hour(m: re.Match[str]) -> int:
    return int(m.group(1)) % 12 + (12 if m.group(3).lower().startswith("p") else 0)


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
    return set(_session_times(item.frequency, item.duration, item.time_of_day or "", item.description))


@lru_cache(maxsize=8192)
def _session_times(frequency: str, duration: str, time_of_day: str, description: str) -> frozenset[str]:
    stated = _parts_in(f"{frequency} {duration}")
    if stated:
        return frozenset(stated)
    broad = _OF_TIME.get(time_of_day, set())
    told = {_part_of(_hour(m)) for m in _AT_CLOCK.finditer(description)}
    told = {p for p in told if not broad or p in broad}
    return frozenset(told or broad)


_FREE = re.compile(
    r"\bfree\b|no[- ]cost|at\s+no\s+charge|sliding[- ](?:fee|scale)|no\s+co-?pay|co-?pay\s+waived|waived|"
    r"covered\s+by|(?:insurance|medicaid|medicare|plan)\s+(?:covers|pays)|fee\s+help|grant[- ]funded|"
    r"does\s+not\s+count\s+against",
    re.IGNORECASE,
)
_GETS_THERE = re.compile(
    r"\bdrives?\s+(?:her|him|them)\b|\bgives?\s+(?:her|him|them)\s+a\s+(?:lift|ride)|\blift\b|\bride\b|"
    r"\bvan\b|transit|bus\s+(?:pass|tokens?|fares?)|tokens?|fares?\s+(?:fund|paid|covered)|vouchers?|\btaxi\b|"
    r"rideshare|transport\s+(?:is\s+)?(?:provided|arranged)|"
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
    """Whether an intervention is the thing the barrier names (its own words: half of the distinctive
    ones)."""
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
    testing', 'the community psychiatry clinic'); else, when the case says neither, the default for its
    kind."""
    if barrier.formats and item.format in barrier.formats:
        return True
    if by_format:
        named = {f for pattern, f in _FORMAT_WORDS if pattern.search(barrier.applies_to)}
        if named:
            return item.format in named
    if barrier.applies_to.strip():
        return _names(barrier, item)
    return default and not barrier.formats


def week_range(item: Intervention) -> tuple[int | None, int | None]:
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
    if matches(_BRIDGE_WORDS, text) or re.search(r"ongoing|open-ended|\buntil\b", text, re.I):
        return None
    _, last = week_range(item)
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


_REMOTE_ONLY = re.compile(
    r"\ball\s+(?:care|therapy|treatment|contact|sessions?|appointments?|visits?)\b[^.;]{0,30}\b(?:telehealth|"
    r"video|phone|remote\w*|from\s+home)|\bevery\s+(?:session|appointment|visit|contact)\s+(?:is\s+)?(?:by|on|"
    r"over)\s+(?:telehealth|video|phone)|telehealth\s+only|\bonly\s+by\s+(?:telehealth|video|phone)",
    re.IGNORECASE,
)
"""A mitigation promising that all care is remote ('all care is by telehealth from home'); an in-person visit
in the same plan breaks it."""
_IN_PERSON_WORDS = re.compile(r"in[- ]person|at\s+the\s+clinic|visit", re.IGNORECASE)
_PHONE_BARRIER = re.compile(r"\bphones?\b|\bcalls?\b|\bminutes\b|\btexts?\b", re.IGNORECASE)
_TEXTS = re.compile(r"\btexts?\b|\btext\s+messages?|\breminders?\b|\bsms\b", re.IGNORECASE)
_DELIVERY_WORDS = (
    (re.compile(r"\bphone|\bcalls?\b", re.I), "phone"),
    (re.compile(r"\bvideo|\btelehealth", re.I), "telehealth"),
)


def _transport_barriers(ctx: PlanContext, item: Intervention) -> list[Barrier]:
    """Transport barriers that stand in the way of this intervention: open ones it does not link (for care at
    least weekly: the burden of the journey), and mitigated ones whose mitigation is to keep all care remote
    (any recurring visit breaks that promise)."""
    weekly = at_least_weekly(item.frequency)
    out = []
    for b in ctx.barriers_in_force:
        if b.kind != "transport":
            continue
        mitigation = ctx.mitigated_barriers.get(b.id)
        if mitigation is None:
            if b.id not in item.linked_facts and weekly:
                out.append(b)
        elif matches(_REMOTE_ONLY, mitigation) and not (
            matches(_GETS_THERE, mitigation) or matches(_IN_PERSON_WORDS, mitigation)
        ):
            out.append(b)
    return out


def check(ctx: PlanContext) -> Iterator[Finding]:
    open_barriers = [b for b in ctx.barriers_in_force if b.id not in ctx.mitigated_barriers]
    interventions = [item for _, item in ctx.plan.interventions()]

    def open_of(kind: str, item: Intervention | None) -> list[Barrier]:
        return [
            b for b in open_barriers if b.kind == kind and (item is None or b.id not in item.linked_facts)
        ]

    for item in interventions:
        name = f"Intervention '{isolate(item.description)}'"
        text = _text(item)
        attended = item.delivery in ("in_person", "community")
        recurring = attended and (at_least_weekly(item.frequency) or sessions_per_week(item.frequency) > 0)
        if recurring and not matches(_GETS_THERE, text):
            for b in _transport_barriers(ctx, item):
                times = session_times(item)
                # A transport barrier with times ('the car is with her husband at night') blocks only those.
                if b.unavailable and times and not times & set(b.unavailable):
                    continue
                if _affected(b, item, default=True):
                    yield TRANSPORT.finding(
                        item.id,
                        f"{name} is {item.frequency.rstrip('.').lower() or 'planned'} "
                        f"{'in person' if item.delivery == 'in_person' else 'in the community'}, but: "
                        f"'{isolate(b.text)}'.",
                        "Offer telehealth or phone sessions for most weeks, fewer in-person visits bundled "
                        "with "
                        "other appointments, transport vouchers, or home visits; or say how they will get "
                        "there.",
                        [cite(b)],
                    )
                    break
        if attended and (escort := _escort_clash(ctx, item)) is not None:
            barrier, who, when = escort
            yield ESCORT.finding(
                item.id,
                f"{name} is {when} and relies on {isolate(who.who)} to get there, but: "
                f"'{isolate(barrier.text)}'.",
                f"Choose a time {isolate(who.who)} can take {_them(ctx)}, someone else who can, a way to get "
                "there without them (bus fare, a ride the service arranges), or sessions by video or where "
                f"{_they(ctx)} already {'are' if _they(ctx) == 'they' else 'is'}.",
                [cite(barrier)],
            )
        if item.delivery != "self_directed":
            clash = _schedule_clash(item, _schedule_barriers(ctx, item, open_barriers))
            if clash is not None:
                barrier, when, free = clash
                yield SCHEDULE.finding(
                    item.id,
                    f"{name} is {when}, but: '{isolate(barrier.text)}'.",
                    (f"Offer it in the {free}" if free else "Offer a time the person says they can make")
                    + ", by phone or video if that helps, or a group that meets then.",
                    [cite(barrier)],
                )
        digital = [b for b in open_of("digital_access", item) if _digital_blocks(b, item, text)]
        if digital:
            how = "by phone or text" if item.delivery == "phone" or matches(_TEXTS, text) else "by telehealth"
            yield DIGITAL.finding(
                item.id,
                f"{name} is {how}, but: '{isolate(digital[0].text)}'.",
                "Offer phone sessions, a loaned device, phone or data credit, a private room at a library or "
                "clinic, or meet in person on days they are there anyway.",
                [cite(digital[0])],
            )
        elif blocked := _blocked_by(open_barriers, item):
            yield BLOCKED.finding(
                item.id,
                f"{name} is {blocked[1]}, but: '{isolate(blocked[0].text)}'.",
                "Choose a way the person can use (in person, written, one-to-one, with an aid fitted "
                "first), or "
                "remove what stands in the way before it starts.",
                [cite(blocked[0])],
            )
        if item.delivery == "in_person" and at_least_weekly(item.frequency) and not matches(_CHILD_OK, text):
            childcare = open_of("childcare", item)
            if childcare:
                yield CHILDCARE.finding(
                    item.id,
                    f"{name} is {item.frequency} in person, but: '{isolate(childcare[0].text)}'.",
                    "Offer home visits, telehealth at nap time, sessions where the baby can come, or on-site "
                    "childcare.",
                    [cite(childcare[0])],
                )

    yield from _service_ends(ctx, open_barriers, interventions)
    yield from _too_often(ctx, open_barriers, interventions)
    yield from _waitlists(ctx, open_barriers, interventions)
    yield from _costs(open_barriers, interventions)
    yield from _language(ctx)


def _them(ctx: PlanContext) -> str:
    return {"Her": "her", "His": "him"}.get(ctx.possessive, "them")


def _they(ctx: PlanContext) -> str:
    return {"Her": "she", "His": "he"}.get(ctx.possessive, "they")


_TAKES = (
    r"driv\w*|lifts?|rides?|accompan\w*|escort\w*|(?:tak|bring|collect|fetch)\w*\s+(?:her|him|them)\b|"
    r"picks?\s+(?:her|him|them)\s+up"
)


@lru_cache(maxsize=256)
def _relies_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """'her parents drive her', 'driven by her mother', 'a lift from his daughter': someone named taking the
    person there (not merely taking part: 'her mother joins by video' is no journey)."""
    who = "|".join(re.escape(n) + "s?" for n in names)
    return re.compile(
        rf"\b(?:{who})\b[^.;]{{0,40}}?\b(?:{_TAKES})|\b(?:{_TAKES})[^.;]{{0,30}}?\b(?:{who})\b", re.I
    )


def _escort_clash(ctx: PlanContext, item: Intervention) -> tuple[Barrier, Escort, str] | None:
    """A barrier whose escort the intervention relies on to get there (in its own words, or in the plan's
    mitigation of that barrier when the intervention links it or is what the barrier names), at a time the
    case says the escort is not free."""
    for barrier in ctx.barriers_in_force:
        if not barrier.escorts:
            continue
        own = _text(item)
        mitigation = ctx.planned_barriers.get(barrier.id, "")
        if not (barrier.id in item.linked_facts or _names(barrier, item)):
            mitigation = ""
        times = session_times(item) or _parts_in(mitigation)
        for escort in barrier.escorts:
            pattern = _relies_pattern(tuple(escort.names()))
            if not (matches(pattern, own) or matches(pattern, mitigation)):
                continue
            clash = times & set(escort.unavailable)
            if clash:
                return barrier, escort, _at(clash)
    return None


def _digital_blocks(barrier: Barrier, item: Intervention, text: str) -> bool:
    """A digital barrier stops video by default, and phone calls or texts when the case says so (no minutes,
    no signal for calls)."""
    if item.delivery == "telehealth":
        return not matches(_PHONE_FALLBACK, text)
    phone_named = matches(_PHONE_BARRIER, f"{barrier.text} {barrier.applies_to}")
    return phone_named and (item.delivery == "phone" or matches(_TEXTS, text))


def _blocked_by(barriers: list[Barrier], item: Intervention) -> tuple[Barrier, str] | None:
    """A barrier of another kind whose words name a way of delivering care this intervention uses ('cannot
    follow
    phone calls or groups')."""
    for barrier in barriers:
        if barrier.kind not in ("other", "language") or not barrier.applies_to.strip() or barrier.ends_week:
            continue
        words = barrier.applies_to
        if item.format == "group" and matches(re.compile(r"\bgroups?\b", re.I), words):
            return barrier, "a group"
        for pattern, delivery in _DELIVERY_WORDS:
            if item.delivery == delivery and matches(pattern, words):
                return barrier, "by phone" if delivery == "phone" else "by video"
    return None


def _schedule_barriers(ctx: PlanContext, item: Intervention, open_barriers: list[Barrier]) -> list[Barrier]:
    """Barriers an intervention's time is checked against: those the plan has not removed (a hope to ask for
    time off removes nothing). A time the plan states outright ('Tuesdays at 2 p.m.') clashes even when the
    intervention links the barrier; linking it only excuses a time left vague."""
    stated = bool(_parts_in(f"{item.frequency} {item.duration}")) or bool(_AT_CLOCK.search(item.description))
    return [
        b
        for b in open_barriers
        if b.kind != "transport" and (stated or b.id not in item.linked_facts) and _unavailable(b)
    ]


def _service_ends(ctx: PlanContext, barriers: list[Barrier], items: list[Intervention]) -> Iterator[Finding]:
    for barrier in barriers:
        if barrier.ends_week is None or ctx.plan.written_at_week > barrier.ends_week + 4:
            continue
        for item in items:
            if not _names(barrier, item):
                continue
            _, last = week_range(item)
            weeks = re.search(r"(\d+)\s*(?:weeks?|sessions?)", item.duration, re.I)
            if last is None and weeks and sessions_per_week(item.frequency) >= 1:
                last = ctx.plan.written_at_week + int(weeks.group(1))
            if last is not None and last > barrier.ends_week:
                yield SERVICE_ENDS.finding(
                    item.id,
                    f"'{isolate(item.description)}' runs to week {last}, but: '{isolate(barrier.text)}' "
                    "(about "
                    f"week {barrier.ends_week}).",
                    "Plan the handover before it closes: the referral, a first appointment kept, and what "
                    "bridges the gap.",
                    [cite(barrier)],
                )
                break


def _unavailable(barrier: Barrier) -> set[str]:
    if barrier.unavailable:
        return set(barrier.unavailable)
    if barrier.kind == "work_hours":
        return {"morning", "afternoon"}  # the case says only 'work hours': the working day
    return set()


_ORDER = ("morning", "afternoon", "evening", "night", "weekend")


def _at(parts: set[str]) -> str:
    """When a session is, as a clinician says it: 'in the evening', 'during the day' (morning and afternoon),
    'at the weekend'."""
    parts = set(parts)
    words = []
    if {"morning", "afternoon"} <= parts:
        words.append("during the day")
        parts -= {"morning", "afternoon"}
    words += [
        ("at the weekend" if p == "weekend" else "at night" if p == "night" else f"in the {p}")
        for p in _ORDER
        if p in parts
    ]
    return " or ".join(words)


def _schedule_clash(item: Intervention, barriers: list[Barrier]) -> tuple[Barrier, str, str] | None:
    times = session_times(item)
    if not times:
        return None
    for barrier in barriers:
        blocked = _unavailable(barrier)
        if times & blocked:
            when = _at(times)
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
                f"Fit the plan into {fmt(limit)} session{'s' if limit != 1 else ''} a week: combine visits, "
                "move "
                "some work to self-help between sessions, or space the less urgent ones out.",
                [cite(barrier)],
                subject=barrier.id,
            )


def _is_bridge(item: Intervention) -> bool:
    """Care that keeps the person engaged while they wait: a group, peer support, case management, phone or
    community contact, or anything that says it bridges the wait. Self-help counts only when it says so: a
    diary is not a bridge to trauma therapy."""
    return (
        item.format in ("group", "peer_support", "case_management")
        or item.delivery in ("phone", "community")
        or matches(_BRIDGE_WORDS, _text(item))
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
            "Add a bridge that lasts until the start: a drop-in or skills group, peer support, guided "
            "self-help "
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
            and not matches(_FREE, _text(i))
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
                f"'{isolate(paid[0].description)}'{more} will cost the person, but: "
                f"'{isolate(barrier.text)}', "
                "and the plan says nothing about cost.",
                "Check for a sliding-scale fee or benefits, use group sessions, and add free community, "
                "faith-based or peer supports; say in the plan how it will be paid for.",
                [cite(barrier)],
            )


def _language(ctx: PlanContext) -> Iterator[Finding]:
    for barrier in (b for b in ctx.barriers_in_force if b.kind == "language"):
        named = [
            lang
            for lang in _LANGUAGES
            if lang in barrier.text.lower() or lang in ctx.case.cultural_social_context.lower()
        ]
        text = ctx.plan_text
        professional = matches(_PROFESSIONAL_LANGUAGE, text) or any(
            matches(re.compile(rf"\b(?:in|speaks?|speaking)\s+{lang}\b", re.I), text) for lang in named
        )
        family = matches(_FAMILY_INTERPRETER, text)
        if family and not professional:
            yield LANGUAGE.finding(
                None,
                f"The case notes a language barrier ('{isolate(barrier.text)}'), and the plan has a relative "
                "interpret: family members, and above all children, are not interpreters.",
                "Book a professional interpreter (in person, phone or video) for every session, or refer to "
                "a "
                "clinician who speaks "
                + (named[0].capitalize() if named else "the person's preferred language")
                + "; the family can still take part as family.",
                [cite(barrier)],
                subject=barrier.id,
            )
        elif not family and not matches(_INTERPRETER, text) and not any(lang in text for lang in named):
            yield LANGUAGE.finding(
                None,
                f"The case notes a language barrier ('{isolate(barrier.text)}'), but the plan mentions no "
                "interpreter or language-concordant care.",
                "Book a professional interpreter for every session (not family members), or refer to a "
                "clinician "
                "who speaks "
                + (named[0].capitalize() if named else "the person's preferred language")
                + "; give written material in that language.",
                [cite(barrier)],
                subject=barrier.id,
            )
