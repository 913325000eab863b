"""How each instrument's scores changed from the first to the latest known by a week, in plain words.

The readings use the instruments' published rules (``model.measures``): response (a drop of the published
fraction of baseline), remission (below the published line), and a reliable change (a drop or rise of at
least the publishers' reliable-change points). Pure data, for the measures plot widget and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import CaseStudy
from ..model.measures import is_remission, is_response, severity_label
from .measures import measure_series


@dataclass(frozen=True)
class MeasureChange:
    """One instrument: first and latest score known by the week, and what the change means."""

    instrument: str
    name: str
    first_week: int
    first_score: float
    latest_week: int
    latest_score: float
    band: str
    reading: str


def _reading(code: str, reliable_points: int | None, first: float, latest: float, more: bool) -> str:
    if not more:
        return "one score so far: no change to read yet"
    parts = []
    change = latest - first
    if reliable_points is not None:
        if change <= -reliable_points:
            parts.append("reliable improvement")
        elif change >= reliable_points:
            parts.append("reliable worsening")
        else:
            parts.append(f"change within measurement error (under {reliable_points} points)")
    try:
        if is_response(code, first, latest):
            parts.append("response (published drop from baseline)")
    except ValueError:
        pass  # no published response rule for this instrument
    try:
        if is_remission(code, latest):
            parts.append("remission")
    except ValueError:
        pass
    if parts:
        return "; ".join(parts)
    moved = (
        f"down {-change:g} points" if change < 0 else f"up {change:g} points" if change > 0 else "unchanged"
    )
    return f"{moved} (no published reliable-change or response rule for {code})"


def measure_changes(case: CaseStudy, week: int) -> list[MeasureChange]:
    """First against latest score per instrument known by ``week`` (intake and revealed events)."""
    out = []
    for s in measure_series(case, week):
        inst = s.instrument
        out.append(
            MeasureChange(
                instrument=inst.code,
                name=inst.name,
                first_week=s.weeks[0],
                first_score=s.scores[0],
                latest_week=s.weeks[-1],
                latest_score=s.scores[-1],
                band=severity_label(inst.code, s.scores[-1]),
                reading=_reading(
                    inst.code, inst.reliable_change_points, s.scores[0], s.scores[-1], len(s.scores) > 1
                ),
            )
        )
    return out
