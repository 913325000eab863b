"""Standardized outcome measures: published ranges, severity bands and change rules.

Pure data and arithmetic, so critique rules, plots and reports all read the same numbers. Sources are named
on each instrument; ``docs/critique-rules.md`` and ``shared/reference/clinical.md`` give the citations.
Higher scores mean more symptoms on every instrument here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Band:
    """A published severity band, inclusive at both ends."""

    low: int
    high: int
    label: str

    def contains(self, score: float) -> bool:
        return self.low <= score <= self.high


@dataclass(frozen=True)
class Instrument:
    """A standardized measure and the rules its publishers give for reading change on it."""

    code: str
    name: str
    minimum: int
    maximum: int
    items: int
    item_maximum: int
    bands: tuple[Band, ...]
    loinc: str | None = None
    clinical_cutoff: int | None = None
    """Scores at or above this are the 'clinical' range; crossing below it is part of clinically significant
    change."""
    response_drop_fraction: float | None = None
    """Response = a drop of at least this fraction of the baseline (PHQ-9: 0.5, NQF 1885)."""
    remission_below: int | None = None
    """Remission = a score strictly below this (PHQ-9: < 5, CMS159)."""
    reliable_change_points: int | None = None
    """Smallest drop the publishers treat as reliable (beyond measurement error)."""
    meaningful_change_points: int | None = None
    """Drop the publishers treat as clinically meaningful, where one is given separately."""
    risk_item: int | None = None
    """1-based item whose score above 0 calls for a risk follow-up (PHQ-9 item 9, EPDS item 10)."""
    source: str = ""
    scoring_note: str = ""
    item_allowed: tuple[int, ...] | None = field(default=None)
    """Allowed item values when they are not simply 0..item_maximum (AUDIT items 9-10 are 0, 2 or 4)."""

    def band_for(self, score: float) -> Band:
        """The severity band a score falls in; a score outside the range is a ValueError."""
        check_score(self.code, score)
        for band in self.bands:
            if band.contains(score):
                return band
        # Fractional scores between integer bands (e.g. 9.5) belong to the lower band.
        for band in self.bands:
            if band.low <= math.floor(score) <= band.high:
                return band
        raise ValueError(
            f"{self.code}: no band for score {score}"
        )  # pragma: no cover - bands cover the range


def _bands(*rows: tuple[int, int, str]) -> tuple[Band, ...]:
    return tuple(Band(low, high, label) for low, high, label in rows)


INSTRUMENTS: dict[str, Instrument] = {
    i.code: i
    for i in (
        Instrument(
            code="PHQ-9",
            name="Patient Health Questionnaire-9 (depression)",
            minimum=0,
            maximum=27,
            items=9,
            item_maximum=3,
            bands=_bands(
                (0, 4, "minimal"),
                (5, 9, "mild"),
                (10, 14, "moderate"),
                (15, 19, "moderately severe"),
                (20, 27, "severe"),
            ),
            loinc="44261-6",
            clinical_cutoff=10,
            response_drop_fraction=0.5,
            remission_below=5,
            reliable_change_points=6,
            risk_item=9,
            source="Kroenke, Spitzer & Williams 2001; response NQF 1885; remission CMS159; "
            "reliable change 6 points per the NHS Talking Therapies manual",
        ),
        Instrument(
            code="GAD-7",
            name="Generalized Anxiety Disorder-7",
            minimum=0,
            maximum=21,
            items=7,
            item_maximum=3,
            bands=_bands((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")),
            loinc="70274-6",
            clinical_cutoff=10,
            response_drop_fraction=0.27,
            reliable_change_points=4,
            source="Spitzer et al. 2006; cut-off 10; about 27% drop is a clinically important change; "
            "reliable change 4 points per the NHS Talking Therapies manual",
        ),
        Instrument(
            code="PCL-5",
            name="PTSD Checklist for DSM-5",
            minimum=0,
            maximum=80,
            items=20,
            item_maximum=4,
            bands=_bands((0, 32, "below probable-PTSD threshold"), (33, 80, "probable PTSD")),
            clinical_cutoff=33,
            reliable_change_points=5,
            meaningful_change_points=10,
            source="Weathers et al. 2013; National Center for PTSD: cut-point 31-33, "
            "5 points reliable change, 10 points clinically meaningful",
            scoring_note="The cut-point is given as 31-33; the toolkit uses 33 as the upper, conservative "
            "end.",
        ),
        Instrument(
            code="AUDIT",
            name="Alcohol Use Disorders Identification Test",
            minimum=0,
            maximum=40,
            items=10,
            item_maximum=4,
            bands=_bands(
                (0, 7, "zone I (low risk)"),
                (8, 15, "zone II (hazardous)"),
                (16, 19, "zone III (harmful)"),
                (20, 40, "zone IV (possible dependence)"),
            ),
            loinc="75624-7",
            clinical_cutoff=8,
            source="Babor et al. 2001 (WHO); a target is usually one zone down",
        ),
        Instrument(
            code="AUDIT-C",
            name="AUDIT-Consumption (first three AUDIT items)",
            minimum=0,
            maximum=12,
            items=3,
            item_maximum=4,
            bands=_bands((0, 2, "negative"), (3, 3, "positive for women"), (4, 12, "positive")),
            loinc="75626-2",
            clinical_cutoff=4,
            source="Bush et al. 1998; positive at 4 or more for men, 3 or more for women",
        ),
        Instrument(
            code="EPDS",
            name="Edinburgh Postnatal Depression Scale",
            minimum=0,
            maximum=30,
            items=10,
            item_maximum=3,
            bands=_bands(
                (0, 9, "low likelihood"), (10, 12, "possible depression"), (13, 30, "probable depression")
            ),
            clinical_cutoff=13,
            risk_item=10,
            source=(
                "Cox, Holden & Sagovsky 1987; 13 or more probable depression; item 10 asks about self-harm"
            ),
        ),
    )
}


def get_instrument(code: str) -> Instrument:
    """The instrument with this code (case-insensitive, e.g. 'phq-9'); KeyError names the known codes."""
    key = code.strip().upper()
    if key in INSTRUMENTS:
        return INSTRUMENTS[key]
    raise KeyError(f"unknown measure {code!r}; known: {', '.join(INSTRUMENTS)}")


def is_standard_measure(name: str | None) -> bool:
    """True when ``name`` is the code of an instrument the toolkit knows."""
    return bool(name) and name.strip().upper() in INSTRUMENTS  # type: ignore[union-attr]


def check_score(code: str, score: float) -> None:
    """ValueError unless ``score`` lies inside the instrument's published range."""
    inst = get_instrument(code)
    if not (inst.minimum <= score <= inst.maximum):
        raise ValueError(f"{inst.code} score {score} is outside its range {inst.minimum}-{inst.maximum}")


def check_item_scores(code: str, items: list[int], total: float | None = None) -> None:
    """ValueError unless the item scores fit the instrument (count, item range) and add up to ``total``."""
    inst = get_instrument(code)
    if len(items) != inst.items:
        raise ValueError(f"{inst.code} has {inst.items} items, got {len(items)}")
    for n, value in enumerate(items, start=1):
        allowed = _allowed_item_values(inst, n)
        if value not in allowed:
            raise ValueError(f"{inst.code} item {n} = {value} is not one of {sorted(allowed)}")
    if total is not None and sum(items) != total:
        raise ValueError(f"{inst.code} item scores add up to {sum(items)}, not the total {total}")


def _allowed_item_values(inst: Instrument, item: int) -> set[int]:
    if inst.code == "AUDIT" and item in (9, 10):
        return {0, 2, 4}
    return set(range(0, inst.item_maximum + 1))


def severity_label(code: str, score: float) -> str:
    """The published band label for a score, e.g. PHQ-9 12 -> 'moderate'."""
    return get_instrument(code).band_for(score).label


def response_threshold(code: str, baseline: float) -> float | None:
    """The highest score that would count as a treatment response from ``baseline`` (None if undefined)."""
    inst = get_instrument(code)
    check_score(code, baseline)
    if inst.response_drop_fraction is None:
        return None
    return baseline * (1 - inst.response_drop_fraction)


def is_response(code: str, baseline: float, current: float) -> bool:
    """Response: the score dropped by at least the published fraction of baseline (PHQ-9: 50%)."""
    threshold = response_threshold(code, baseline)
    check_score(code, current)
    if threshold is None:
        raise ValueError(f"{code} has no published response rule")
    return baseline > 0 and current <= threshold + 1e-9


def is_remission(code: str, score: float) -> bool:
    """Remission: the score is below the published remission line (PHQ-9: < 5)."""
    inst = get_instrument(code)
    check_score(code, score)
    if inst.remission_below is None:
        raise ValueError(f"{inst.code} has no published remission rule")
    return score < inst.remission_below


def reliable_change_index(before: float, after: float, sd: float, reliability: float) -> float:
    """Jacobson & Truax (1991) RCI = (after - before) / sqrt(2 * SE^2), SE = SD * sqrt(1 - r).

    Negative values are improvement on symptom measures. ``sd`` is the baseline (normative or clinical)
    standard deviation and ``reliability`` the test-retest (or internal-consistency) coefficient.
    """
    if sd <= 0:
        raise ValueError("standard deviation must be positive")
    if not (0 <= reliability < 1):
        raise ValueError("reliability must be in [0, 1)")
    standard_error = sd * math.sqrt(1 - reliability)
    s_diff = math.sqrt(2 * standard_error**2)
    return (after - before) / s_diff


def reliable_change_threshold(sd: float, reliability: float) -> float:
    """Smallest score difference that is reliable at p < .05: 1.96 * sqrt(2) * SD * sqrt(1 - r)."""
    return 1.96 * math.sqrt(2) * sd * math.sqrt(1 - reliability)


def is_reliable_change(before: float, after: float, sd: float, reliability: float) -> bool:
    """|RCI| > 1.96."""
    return abs(reliable_change_index(before, after, sd, reliability)) > 1.96


def is_clinically_significant_improvement(
    code: str, before: float, after: float, sd: float, reliability: float
) -> bool:
    """Reliable improvement that also moves from the clinical range (>= cut-off) to below it."""
    inst = get_instrument(code)
    if inst.clinical_cutoff is None:
        raise ValueError(f"{inst.code} has no clinical cut-off")
    check_score(code, before)
    check_score(code, after)
    improved = reliable_change_index(before, after, sd, reliability) < -1.96
    return improved and before >= inst.clinical_cutoff > after


def needs_risk_follow_up(code: str, item_scores: list[int] | None) -> bool:
    """True when the instrument's risk item (PHQ-9 item 9, EPDS item 10) is above 0."""
    inst = get_instrument(code)
    if inst.risk_item is None or not item_scores:
        return False
    return item_scores[inst.risk_item - 1] > 0


def zone_down_target(code: str, baseline: float) -> float | None:
    """For banded measures without a response rule (AUDIT): the top of the band below the baseline's band."""
    inst = get_instrument(code)
    band = inst.band_for(baseline)
    idx = inst.bands.index(band)
    if idx == 0:
        return None
    return float(inst.bands[idx - 1].high)
