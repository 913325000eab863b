"""Targets that are unsafe as well as out of reach: stopping a long-term benzodiazepine at once (or faster
than
the joint guideline's taper), and a risk behaviour (self-harm, heavy drinking, daily drug use) expected to
stop
within days with no step-down. They belong to the SMART family (the objective is not achievable, and not
safe);
``smart.check`` runs them on every objective and intervention.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache

from ..model import Intervention, Objective
from ..model.base import isolate
from .context import PlanContext, fmt, instrument_for, item_instrument_for
from .findings import Finding, rule
from .sources import BZD_TAPER, NICE_ALCOHOL, NO_HARM_CONTRACTS

ABRUPT_DISCONTINUATION = rule(
    "smart.abrupt_discontinuation",
    "problem",
    "A benzodiazepine stopped at once or tapered too fast",
    "After a month or more of regular use a benzodiazepine is tapered, not stopped: abrupt discontinuation "
    "can "
    "bring serious, even life-threatening, withdrawal. The joint guideline starts with dose reductions of "
    "5-10% "
    "every 2-4 weeks, usually no more than 25% every 2 weeks, slowed or paused if withdrawal appears.",
    BZD_TAPER,
)
STOPS_AT_ONCE = rule(
    "smart.risk_behaviour_stops_at_once",
    "warning",
    "A risk behaviour expected to stop at once",
    "Expecting self-harm, heavy drinking or daily drug use to stop within days, with no step-down, sets the "
    "person up to 'fail' and hides the lapses that need a response; no-harm promises have no evidence behind "
    "them, and stopping heavy drinking at once can bring dangerous withdrawal. Plan a step-down and what "
    "happens after a lapse.",
    f"{NO_HARM_CONTRACTS}; {NICE_ALCOHOL}",
)


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
    r"\b(?:taper\w*|gradual\w*|slow\w*|step(?:s|ped)?[- ]down|in\s+steps|step\s+by\s+step|reduc\w*|lower\w*|"
    r"wean\w*|decreas\w*|cut\s+(?:back|down)|\d+\s*%|percent)\b",
    re.IGNORECASE,
)
"""Words of a step-down ('taper', 'reduce', 'step down'); not a Twelve-Step programme's 'steps'."""
MAX_TAPER_PER_TWO_WEEKS = 0.25
"""The joint guideline: a taper should typically not exceed 25% every 2 weeks."""
_TAPER_STEP = (
    "Plan a taper with the prescriber and the person: reduce by about 5-10% of the dose every 2-4 weeks (no "
    "more than 25% in 2 weeks), check for withdrawal at each step and slow or pause if it appears, and add "
    "support for the symptoms it was treating (e.g. CBT for insomnia or anxiety)."
)


@lru_cache(maxsize=8192)
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
        f"{name}: {fmt(obj.baseline)} -> 0 within {weeks} week{'s' if weeks != 1 else ''}, with no "
        "step-down.",
        detail[0].upper() + detail[1:] + ".",
    )


def check_intervention(item: Intervention) -> Iterator[Finding]:
    if _stops_benzodiazepine(f"{item.description} {item.modality} {item.frequency} {item.duration}"):
        yield ABRUPT_DISCONTINUATION.finding(
            item.id,
            f"Intervention '{isolate(item.description)}' stops a benzodiazepine at once.",
            _TAPER_STEP,
        )


def check_objective(ctx: PlanContext, obj: Objective) -> Iterator[Finding]:
    yield from _objective_targets(ctx, obj)
