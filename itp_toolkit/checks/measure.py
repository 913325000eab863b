"""Measurement-based targets: standardized measures take the case's latest score as baseline, aim for the
change their publishers call meaningful, and are scheduled for re-measurement.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..model.base import isolate
from ..model.measures import Instrument, zone_down_target
from .context import PlanContext, cite_score, fmt, instrument_for
from .findings import Finding, rule
from .sources import AUDIT, GAD7, MBC, PCCP, PCL5, PHQ9

NO_BASELINE = rule(
    "measure.no_baseline",
    "warning",
    "Standardized measure without a baseline",
    "The baseline is the score the target is measured against; the case already has one.",
    f"{MBC}; {PCCP} item 7",
)
BASELINE_NOT_LATEST = rule(
    "measure.baseline_not_latest",
    "warning",
    "Baseline is not the case's latest score at the plan's week",
    "A baseline copied from the wrong week (or invented) makes every later comparison wrong.",
    MBC,
)
NO_CASE_SCORE = rule(
    "measure.no_case_score",
    "info",
    "The case has no score on this measure yet",
    "A target on a measure nobody has given yet needs a baseline administration first.",
    MBC,
)
TARGET_NOT_LOWER = rule(
    "measure.target_not_lower",
    "problem",
    "Target is not lower than the baseline",
    "Higher scores mean more symptoms on every instrument here, so a target at or above baseline is no "
    "improvement.",
    "Instrument scoring manuals (higher = more symptoms)",
)
SHORT_OF_PUBLISHED = rule(
    "measure.target_short_of_published",
    "warning",
    "Target falls short of the published change rule",
    "Published rules say what change counts: PHQ-9 response (>=50% drop) or remission (<5); GAD-7 below 10 "
    "or a "
    ">=27% drop; PCL-5 a 10-point drop; AUDIT one zone down. A smaller target may be noise.",
    f"{PHQ9}; {GAD7}; {PCL5}; {AUDIT}",
)
NO_REMEASURE = rule(
    "measure.no_remeasure",
    "warning",
    "No re-measurement scheduled",
    "Measurement-based care repeats the measure (every session to every 4 weeks) so the plan can change "
    "course.",
    f"{MBC}; {PCCP} item 7",
)
REMEASURE_AFTER_TARGET = rule(
    "measure.remeasure_after_target",
    "warning",
    "First re-measurement comes after the target week",
    "If the measure is next given after the target week, nobody will know in time whether the target was "
    "met.",
    MBC,
)


def published_target(inst: Instrument, baseline: float) -> tuple[float | None, str]:
    """The highest score that counts as meaningful change from ``baseline`` by the publisher's rule, and why.

    None when the baseline is already in the range the rule aims for (e.g. PHQ-9 below 5).
    """
    if inst.code == "PCL-5":
        points = inst.meaningful_change_points or 10
        if baseline - points < inst.minimum:
            return None, "the score is already low"
        return baseline - points, f"a clinically meaningful change is a drop of {points} points"
    if inst.code == "AUDIT":
        target = zone_down_target(inst.code, baseline)
        if target is None:
            return None, "the score is already in the lowest zone"
        return target, "one zone down is the usual goal"
    if inst.response_drop_fraction is not None:
        response = baseline * (1 - inst.response_drop_fraction)
        if inst.remission_below is not None:
            if baseline < inst.remission_below:
                return None, "the score is already in remission"
            remission = inst.remission_below - 1
            return max(response, remission), (
                f"a response (a drop of at least {round(inst.response_drop_fraction * 100)}%) "
                f"or remission (below {inst.remission_below})"
            )
        if inst.clinical_cutoff is not None:
            if baseline < inst.clinical_cutoff:
                return None, "the score is already below the cut-off"
            return max(response, inst.clinical_cutoff - 1), (
                f"below the cut-off {inst.clinical_cutoff} or a drop of at least "
                f"{round(inst.response_drop_fraction * 100)}%"
            )
    if inst.clinical_cutoff is not None:
        if baseline < inst.clinical_cutoff:
            return None, "the score is already below the cut-off"
        return inst.clinical_cutoff - 1, f"below the clinical cut-off {inst.clinical_cutoff}"
    return None, "no published change rule"


def target_suggestion(inst: Instrument, baseline: float, lead: str) -> str:
    """'Her latest PHQ-9 is 17 (week 2): a response ... would be 8 or lower.'"""
    threshold, why = published_target(inst, baseline)
    if threshold is None:
        return f"{lead}; {why}, so aim to keep it there."
    return f"{lead}: {why} would be {fmt(math.floor(threshold + 1e-9))} or lower."


def check(ctx: PlanContext) -> Iterator[Finding]:
    plan = ctx.plan
    for _, _, obj in plan.objectives():
        inst = instrument_for(obj.measure)
        if inst is None:
            continue
        name = f"Objective '{isolate(obj.description)}'"
        latest = ctx.index.latest(inst.code, plan.written_at_week)
        evidence = [cite_score(latest)] if latest else []
        point_text = f"{fmt(latest.score)} (week {latest.week})" if latest else ""
        lead = f"{ctx.possessive} latest {inst.code} is {point_text}" if latest else ""

        if latest is None:
            yield NO_CASE_SCORE.finding(
                obj.id,
                f"{name} uses {inst.code}, but the case has no {inst.code} score by week "
                f"{plan.written_at_week}.",
                f"Give the {inst.code} at the next session and set the target from that baseline.",
            )
        if obj.baseline is None:
            if latest is not None:
                yield NO_BASELINE.finding(
                    obj.id,
                    f"{name} uses {inst.code} without a baseline.",
                    f"Use the latest {inst.code}, {point_text}, as the baseline. "
                    + target_suggestion(inst, latest.score, lead),
                    evidence,
                )
        elif latest is not None and abs(obj.baseline - latest.score) > 1e-9:
            yield BASELINE_NOT_LATEST.finding(
                obj.id,
                f"{name} gives a {inst.code} baseline of {fmt(obj.baseline)}, but the latest score by "
                f"week {plan.written_at_week} is {point_text}.",
                f"Use {fmt(latest.score)} as the baseline. " + target_suggestion(inst, latest.score, lead),
                evidence,
            )

        baseline = obj.baseline if obj.baseline is not None else (latest.score if latest else None)
        base_lead = (
            lead
            if latest is not None and baseline == latest.score
            else f"From a baseline of {fmt(baseline or 0)}"
        )
        in_range = baseline is not None and inst.minimum <= baseline <= inst.maximum
        if (
            obj.target is not None
            and baseline is not None
            and in_range
            and inst.minimum <= obj.target <= inst.maximum
        ):
            if obj.target >= baseline:
                yield TARGET_NOT_LOWER.finding(
                    obj.id,
                    f"{name}: the {inst.code} target {fmt(obj.target)} is not below the baseline "
                    f"{fmt(baseline)}; higher {inst.code} scores mean more symptoms.",
                    target_suggestion(inst, baseline, base_lead),
                    evidence,
                )
            else:
                threshold, why = published_target(inst, baseline)
                if threshold is not None and obj.target > threshold + 1e-9:
                    yield SHORT_OF_PUBLISHED.finding(
                        obj.id,
                        f"{name}: {inst.code} {fmt(baseline)} -> {fmt(obj.target)} falls short of {why}.",
                        target_suggestion(inst, baseline, base_lead),
                        evidence,
                    )

        if obj.remeasure_every_weeks is None:
            yield NO_REMEASURE.finding(
                obj.id,
                f"{name} does not say how often {inst.code} is given again.",
                f"Repeat the {inst.code} every 2-4 weeks (or every session) and review the plan if it is "
                "not falling.",
            )
        elif obj.target_week is not None and obj.target_week > plan.written_at_week:
            span = obj.target_week - plan.written_at_week
            if obj.remeasure_every_weeks > span:
                yield REMEASURE_AFTER_TARGET.finding(
                    obj.id,
                    f"{name}: {inst.code} is repeated every {obj.remeasure_every_weeks} weeks, but the "
                    f"target is due in {span} weeks (week {obj.target_week}).",
                    f"Repeat the {inst.code} at least every {max(1, min(4, span))} weeks.",
                )
