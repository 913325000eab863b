"""What the workshop pages show, computed without widgets: the progress board, the countdown, the phase.

Text comes back raw (names are people's text): whoever puts it in HTML escapes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..store.workshops import PHASES, WorkshopProgress

PHASE_TEXT = {
    "drafting": "Drafting: everyone writes their own plan; nobody can see anyone else's yet.",
    "review": "Review: drafts are frozen and everyone can read the group's drafts.",
    "debrief": "Debrief: what the group agreed on, where it split, and the exemplars.",
    "closed": "Closed: the workshop is over; your plan stays in your workspace.",
}
NEXT_ACTION = {"drafting": "Open review", "review": "Open debrief", "debrief": "Close workshop"}
"""The facilitator's one forward button in each phase (phases only go forward)."""


@dataclass(frozen=True)
class ProgressRow:
    """One line of the facilitator's board."""

    trainee: str
    name: str
    joined: str
    state: str
    revision: int
    last_saved: str


def ago(when: dt.datetime | None, now: dt.datetime) -> str:
    """'just now', '40 s ago', '3 min ago', '2 h ago'; '—' for never."""
    if when is None:
        return "—"
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def draft_state(p: WorkshopProgress) -> str:
    """'joined' (nothing saved), 'drafting' (saved at least once), 'submitted'."""
    if p.submitted or p.status in ("submitted", "returned", "accepted"):
        return "submitted"
    return "drafting" if p.latest_revision > 0 else "joined"


def progress_rows(progress: Sequence[WorkshopProgress], now: dt.datetime) -> list[ProgressRow]:
    return [
        ProgressRow(
            p.trainee,
            p.display_name,
            f"{p.joined_at:%H:%M}",
            draft_state(p),
            p.latest_revision,
            ago(p.last_saved_at, now),
        )
        for p in progress
    ]


def progress_counts(progress: Sequence[WorkshopProgress]) -> dict[str, int]:
    """How many joined, are drafting (saved something, not submitted), have submitted."""
    states = [draft_state(p) for p in progress]
    return {
        "joined": len(states),
        "drafting": states.count("drafting"),
        "submitted": states.count("submitted"),
    }


def progress_summary(progress: Sequence[WorkshopProgress]) -> str:
    c = progress_counts(progress)
    return f"{c['joined']} joined · {c['drafting']} drafting · {c['submitted']} submitted"


def countdown(ends_at: dt.datetime | None, now: dt.datetime, phase: str = "drafting") -> str:
    """'12:05 left' while drafting with a timer, 'Time is up' after it, '' without one or past drafting."""
    if ends_at is None or phase != "drafting":
        return ""
    left = int((ends_at - now).total_seconds())
    if left <= 0:
        return "Time is up: finish your sentence; the facilitator will open review."
    minutes, seconds = divmod(left, 60)
    return f"{minutes}:{seconds:02d} left"


def next_action(phase: str) -> str | None:
    return NEXT_ACTION.get(phase)


def phase_step(phase: str) -> str:
    """'Step 2 of 4: review' for the phase strip."""
    return f"Step {PHASES.index(phase) + 1} of {len(PHASES)}: {phase}" if phase in PHASES else phase
