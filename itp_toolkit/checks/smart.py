"""SMART objectives: specific behaviour, measurable (measure, baseline, target), achievable, relevant,
time-bound.

An objective is the step a supervisor and the person can check together on a given week; without a
behaviour, a number and a date nobody can tell whether it was reached. A completion objective (a dated one-off
step: a safety plan written and shared, an assessment booked) is SMART in its own way: what is done, who does
it, and by when; it has no measure, baseline or target to ask for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from ..model import Objective
from ..model.base import isolate
from . import unsafe_targets
from .context import PlanContext, fmt, instrument_for, item_instrument_for
from .findings import Finding, rule
from .sources import CARF, GRADED_TASKS, PCCP, SCORE_FLOORS, SMART, TIME_TO_RESPONSE, TJC
from .text import content_words

NOT_SPECIFIC = rule(
    "smart.not_specific",
    "warning",
    "Objective names no observable behaviour",
    "'Feel better' or 'reduce symptoms' cannot be observed or counted; a specific behaviour (what, how "
    "often, "
    "with whom) tells the person and the team what success looks like.",
    f"{SMART}; {PCCP} item 5",
)
NO_MEASURE = rule(
    "smart.no_measure",
    "problem",
    "Objective has no measure",
    "Surveyors require measurable objectives; without a measure or a count progress cannot be shown.",
    f"{TJC}; {CARF}",
)
NO_BASELINE = rule(
    "smart.no_baseline",
    "warning",
    "Counted objective has no baseline",
    "A target means little without the starting point: '3 walks a week' is a big change from 0, none from 3.",
    f"{SMART}; {PCCP} item 7",
)
NO_TARGET = rule(
    "smart.no_target",
    "problem",
    "Objective has a measure but no target",
    "A measure without a target cannot tell anyone whether the objective was met.",
    f"{TJC}; {SMART}",
)
NO_TARGET_DATE = rule(
    "smart.no_target_date",
    "problem",
    "Objective has no target week or date",
    "Time-specific objectives are a survey requirement; a date is what makes review possible.",
    f"{TJC}; {CARF}; {SMART}",
)
TARGET_WEEK_PASSED = rule(
    "smart.target_week_passed",
    "warning",
    "Target week is not after the plan's week",
    "An objective due on or before the week the plan was written is already late when it is agreed.",
    SMART,
)
OUT_OF_RANGE = rule(
    "smart.target_out_of_range",
    "problem",
    "Baseline or target outside the measure's range",
    "A score the instrument cannot produce (PHQ-9 above 27, a negative count) signals a typo or a misread "
    "scale.",
    "Published instrument ranges (itp_toolkit.model.measures)",
)
IMPLAUSIBLE = rule(
    "smart.implausible_target",
    "warning",
    "Target is not achievable from the baseline in the time given",
    "Targets at a scale's floor (PHQ-9 0; remission is below 5), at a count's ceiling (every day, 100%), or "
    "very "
    "large drops in a few weeks set the person up to fail and hide real progress: more than half of those "
    "who "
    "respond to depression treatment need 8 weeks or more.",
    f"{SMART} (achievable); {TIME_TO_RESPONSE}; {SCORE_FLOORS}",
)
NO_STEP_UP = rule(
    "smart.no_step_up",
    "warning",
    "A behaviour from near zero expected in full at once",
    "A behaviour or attendance that is rare now (the baseline) is built up in steps; expecting all of it "
    "within "
    "a week or two skips the steps that make it reachable.",
    f"{SMART} (achievable); {GRADED_TASKS}",
)
NO_RESPONSIBLE = rule(
    "smart.no_responsible",
    "warning",
    "Completion objective does not say who does it",
    "A one-off step (a safety plan shared, an assessment booked) is done by someone: the person, a support "
    "or the "
    "team; unnamed, everyone assumes someone else will do it.",
    f"{SMART}; {PCCP} item 6",
)
ONE_OFF_AS_MEASURED = rule(
    "smart.one_off_step_as_measured",
    "info",
    "A one-off step written as a measured objective",
    "A dated one-off step needs no measure, baseline or target; recording it as a completion objective says "
    "who "
    "does it and keeps the measured rules out of the way.",
    SMART,
)
NOT_RELEVANT = rule(
    "smart.not_relevant",
    "info",
    "Objective shares nothing with its goal or problem",
    "An objective should be a step toward its goal; one that shares no words, measure or case fact with it "
    "may belong under another goal.",
    SMART,
)

FAST_WEEKS = 6
"""A drop of more than half the baseline in fewer than this many weeks is not plausible (STAR*D: most
responders needed 8 weeks or more)."""
SLOW_WEEKS = 12
"""A drop of more than three quarters of the baseline in fewer than this many weeks is not plausible."""
STEP_UP_WEEKS = 2
"""A behaviour from near zero expected in full within this many weeks skips the steps."""

_VAGUE = re.compile(
    r"\b(?:(?:feel|feels|sleep|sleeps|cope|copes|do|does|get|gets|be|function|functions)\s+better"
    r"|(?:reduce|reduces|decrease|decreases|lessen|alleviate)\s+(?:\w+\s+)?symptoms?"
    r"|less\s+(?:depressed|anxious|stressed|sad|angry)"
    r"|gain\s+insight|understand|understanding|be\s+happier|more\s+positive|self[- ]esteem"
    r"|improve[sd]?\s+(?:\w+\s+)?(?:mood|functioning|coping|quality\s+of\s+life|wellbeing|well-being))\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(?:once|twice|one|two|three|four|five|six|seven|eight|nine|ten|daily|nightly|weekly|every)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"%|percent|proportion|share of", re.IGNORECASE)
_PER_PERIOD = re.compile(
    r"\b(?:a|per|each|every)\s+(?:day|week|month)\b|/\s*w(?:ee)?k|\b(?:daily|weekly|nightly)\b|"
    r"\b(?:days?|nights?|mornings?|evenings?|times|sessions?|lectures?|classes|shifts?)\b",
    re.IGNORECASE,
)
_FREQUENCY_WORDS = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven)\s+(?:of\s+\d+\s+)?(?:days?|nights?|mornings?|evenings?|times|"
    r"lectures?|classes|sessions?)\b|\b(?:days?|nights?|times)\s+a\s+week\b|\bdaily\b|\bevery\s+(?:day|night|"
    r"morning|evening|lecture|class|session)\b",
    re.IGNORECASE,
)
_MONITORING = re.compile(
    r"\b(?:chart|diary|diaries|log|logs|tracker|tracking|self-monitor\w*|records?)\b", re.I
)
_PER_WEEK = re.compile(r"\b(?:a|per|each)\s+week\b|/\s*w(?:ee)?k|weekly", re.IGNORECASE)
_DAILY_UNITS = re.compile(r"\b(?:days?|nights?|mornings?|evenings?)\b", re.IGNORECASE)


def check(ctx: PlanContext) -> Iterator[Finding]:
    plan = ctx.plan
    for problem, goal, obj in plan.objectives():
        name = f"Objective '{isolate(obj.description)}'"
        kind = ctx.objective_kinds[obj.id]
        if kind == "measured":
            yield from _measured(ctx, obj, name)
        else:
            yield from _completion(obj, name, kind)

        if obj.target_week is None and obj.target_date is None:
            yield NO_TARGET_DATE.finding(
                obj.id,
                f"{name} has no target week or date.",
                f"Give a target week after week {plan.written_at_week}, ideally before the plan review"
                + (f" (week {plan.review.review_week})." if plan.review.review_week else "."),
            )
        elif obj.target_week is not None and obj.target_week <= plan.written_at_week:
            yield TARGET_WEEK_PASSED.finding(
                obj.id,
                f"{name} is due at week {obj.target_week}, but the plan is written at week "
                f"{plan.written_at_week}.",
                "Move the target week after the plan's week.",
            )

        inst = instrument_for(obj.measure)
        if kind == "measured":
            yield from _range_and_plausibility(ctx, obj, inst, name)
        yield from unsafe_targets.check_objective(ctx, obj)
        for item in obj.interventions:
            yield from unsafe_targets.check_intervention(item)

        if inst is None and not (set(obj.linked_facts) & ctx.index.facts.keys()):
            context_words = content_words(
                " ".join(
                    [
                        goal.statement,
                        problem.statement,
                        problem.evidenced_by,
                        *(i.description for i in obj.interventions),
                    ]
                )
            )
            if context_words and not (content_words(obj.description + " " + obj.measure) & context_words):
                yield NOT_RELEVANT.finding(
                    obj.id,
                    f"{name} shares no words, measure or case fact with its goal "
                    f"'{isolate(goal.statement)}'.",
                    "Check that this step leads toward the goal, or move it under the goal it serves.",
                )


def _measured(ctx: PlanContext, obj: Objective, name: str) -> Iterator[Finding]:
    inst = instrument_for(obj.measure)
    if (_VAGUE.search(obj.description) and not _NUMBER.search(obj.description)) or len(
        content_words(obj.description)
    ) < 2:
        yield NOT_SPECIFIC.finding(
            obj.id,
            f"{name} does not name an observable behaviour.",
            f"Say what {_they(ctx)} will do, how often and with whom, e.g. 'walks with her sister 3 "
            "mornings a "
            "week'.",
        )
    if not obj.measure.strip():
        yield NO_MEASURE.finding(
            obj.id,
            f"{name} has no measure.",
            "Add a standard measure (e.g. PHQ-9, GAD-7) or say what will be counted (nights, walks, drinks); "
            "if it is a one-off step, make it a completion objective.",
        )
        return
    if obj.baseline is None and inst is None:
        yield NO_BASELINE.finding(
            obj.id,
            f"{name} counts '{isolate(obj.measure)}' but gives no baseline.",
            "Record the count now (ask at the next session or from a one-week diary) before setting a "
            "target.",
        )
    if obj.target is None:
        yield NO_TARGET.finding(
            obj.id,
            f"{name} has a measure ({isolate(obj.measure)}) but no target.",
            "Add the number that would mean this step is done.",
        )


def _they(ctx: PlanContext) -> str:
    return {"Her": "she", "His": "he", "Their": "they"}.get(ctx.possessive, "the person")


_VAGUE_STEP = re.compile(
    r"^\s*(?:work(?:s|ing)?\s+on|address(?:es|ing)?|explor\w+|discuss\w*|focus\w*\s+on|consider\w*|"
    r"look(?:s|ing)?\s+(?:at|into)|think\w*\s+about|deal\w*\s+with|improv\w+|increas\w+|reduc\w+)\b",
    re.IGNORECASE,
)


def _completion(obj: Objective, name: str, kind: str) -> Iterator[Finding]:
    words = content_words(obj.description)
    vague = _VAGUE.search(obj.description) or (_VAGUE_STEP.search(obj.description) and len(words) < 5)
    if len(words) < 3 or vague:
        yield NOT_SPECIFIC.finding(
            obj.id,
            f"{name} does not say what step is done.",
            "Name the step and what shows it is done, e.g. 'safety plan written with her and shared with her "
            "sister' or 'sleep assessment booked and attended'.",
        )
    if kind == "one_off":
        yield ONE_OFF_AS_MEASURED.finding(
            obj.id,
            f"{name} is a one-off step written as a measured objective.",
            "Make it a completion objective and say who does it; it needs no measure, baseline or target.",
        )
    elif not obj.who.strip():
        yield NO_RESPONSIBLE.finding(
            obj.id,
            f"{name} does not say who does it.",
            "Say who does the step: the person, a named support, or the team member responsible.",
        )


def _range_and_plausibility(ctx: PlanContext, obj, inst, name: str) -> Iterator[Finding]:
    if inst is None:
        item_inst = item_instrument_for(obj.measure)
        top = item_inst.item_maximum if item_inst else float("inf")
        bad = [
            f"{label} {fmt(v)}"
            for label, v in (("baseline", obj.baseline), ("target", obj.target))
            if v is not None and not (0 <= v <= top)
        ]
        if bad and item_inst:
            yield OUT_OF_RANGE.finding(
                obj.id,
                f"{name}: {' and '.join(bad)} outside the range of one {item_inst.code} "
                f"item (0-{item_inst.item_maximum}).",
                f"One {item_inst.code} item scores 0 to {item_inst.item_maximum}; check the numbers.",
            )
            return
        if bad:
            yield OUT_OF_RANGE.finding(
                obj.id,
                f"{name} has a negative {' and '.join(bad)}.",
                "Counts cannot be negative; check the numbers.",
            )
            return
        if item_inst is None:
            yield from _counted_plausibility(ctx, obj, name)
        return
    bad = [
        f"{label} {fmt(v)}"
        for label, v in (("baseline", obj.baseline), ("target", obj.target))
        if v is not None and not (inst.minimum <= v <= inst.maximum)
    ]
    if bad:
        yield OUT_OF_RANGE.finding(
            obj.id,
            f"{name}: {' and '.join(bad)} outside the {inst.code} range {inst.minimum}-{inst.maximum}.",
            f"{inst.code} scores run from {inst.minimum} to {inst.maximum}.",
        )
        return
    if obj.baseline is None or obj.target is None or obj.baseline <= 0 or obj.target >= obj.baseline:
        return
    drop = (obj.baseline - obj.target) / obj.baseline
    weeks = obj.target_week - ctx.plan.written_at_week if obj.target_week is not None else None
    reasons = []
    if obj.target <= inst.minimum and obj.baseline > inst.minimum:
        floor = inst.bands[0]
        reasons.append(
            f"{fmt(obj.target)} is the floor of the scale, which people without symptoms rarely score"
            + (
                f" (remission is below {inst.remission_below})"
                if inst.remission_below is not None
                else f" ({floor.low}-{floor.high} is '{floor.label}')"
            )
        )
    if weeks is not None and weeks > 0 and drop > 0.5 and weeks < FAST_WEEKS:
        reasons.append(
            f"a {round(drop * 100)}% drop in {weeks} weeks is faster than treatment usually works (most "
            "responders need 8 weeks or more)"
        )
    elif weeks is not None and weeks > 0 and drop > 0.75 and weeks < SLOW_WEEKS:
        reasons.append(f"a {round(drop * 100)}% drop in {weeks} weeks is rarely reached")
    if reasons:
        yield IMPLAUSIBLE.finding(
            obj.id,
            f"{name}: {inst.code} {fmt(obj.baseline)} -> {fmt(obj.target)}"
            + (f" by week {obj.target_week}" if obj.target_week is not None else "")
            + f": {'; '.join(reasons)}.",
            _achievable_suggestion(inst, obj.baseline),
        )


def _counted_plausibility(ctx: PlanContext, obj: Objective, name: str) -> Iterator[Finding]:
    """Counted behaviours: built up in steps from the baseline, and not aimed at a perfect ceiling."""
    if obj.baseline is None or obj.target is None or obj.target <= obj.baseline:
        return
    text = f"{obj.measure} {obj.description}"
    percent = bool(_PERCENT.search(obj.measure))
    weeks = obj.target_week - ctx.plan.written_at_week if obj.target_week is not None else None
    gain = obj.target - obj.baseline
    near_zero = obj.baseline <= max(1.0, 0.2 * obj.target)
    # A behaviour repeated over time (so many days a week, a share of lectures) is built up; a count of
    # one-off
    # steps done (three applications in) or of self-monitoring (a daily chart) is not.
    repeated = (
        percent or _PER_PERIOD.search(obj.measure) or _FREQUENCY_WORDS.search(obj.description)
    ) and not _MONITORING.search(text)
    if (
        repeated
        and weeks is not None
        and 0 < weeks <= STEP_UP_WEEKS
        and near_zero
        and gain >= (50 if percent else 3)
    ):
        yield NO_STEP_UP.finding(
            obj.id,
            f"{name}: from {fmt(obj.baseline)} to {fmt(obj.target)}"
            + ("%" if percent else "")
            + f" within {weeks} week{'s' if weeks != 1 else ''}, with no step in between.",
            "Set a first step a little above the baseline (e.g. "
            + (
                f"{fmt(min(obj.target, obj.baseline + 25))}%"
                if percent
                else f"{fmt(min(obj.target, obj.baseline + 1))}"
            )
            + " in the first weeks), then build up to the full target by a later week.",
        )
        return
    ceiling = (percent and obj.target >= 100) or (
        _PER_WEEK.search(text) and _DAILY_UNITS.search(text) and obj.target >= 7
    )
    if ceiling and obj.baseline <= obj.target / 2:
        yield IMPLAUSIBLE.finding(
            obj.id,
            f"{name}: {fmt(obj.target)}{'%' if percent else ' a week'} means every "
            + ("time" if percent else "day")
            + ", with no room for an off day, from a baseline of "
            + f"{fmt(obj.baseline)}{'%' if percent else ''}.",
            "Aim for most days (e.g. 5 of 7, or 80%) and keep every day as a later goal if the person wants "
            "it.",
        )


def _achievable_suggestion(inst, baseline: float) -> str:
    from .measure import published_target

    target, why = published_target(inst, baseline)
    if target is None:
        return "Choose a first target the person believes is reachable, and allow at least 8-12 weeks."
    return f"From {fmt(baseline)}, {why}: aim for {fmt(math.floor(target + 1e-9))} or lower over 8-12 weeks."
