"""What the workshop pages show, computed without widgets: the progress board, the countdown, the phase,
and the projector board (``board_html``: join code, phase and time left, large enough for the back of a room).

Text comes back raw (names are people's text): whoever puts it in HTML escapes it; ``board_html`` escapes
everything it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..store.workshops import PHASES, WorkshopProgress

PHASE_TEXT = {
    "drafting": "Drafting: everyone writes their own plan; nobody can see anyone else's yet.",
    "review": "Review: drafts are frozen and everyone can read the group's drafts.",
    "debrief": "Debrief: what the group agreed on, where it split, and the exemplars.",
    "closed": "Closed: the workshop is over; your plan stays in your workspace.",
}
NEXT_ACTION = {"drafting": "Open review", "review": "Open debrief", "debrief": "Close workshop"}
"""The facilitator's one forward button in each phase (phases only go forward)."""
CONFIRM_TEXT = {
    "drafting": "Open review now? Every draft freezes, and everyone can read the group's drafts.",
    "review": "Open the debrief now? Everyone sees where the group agreed and split, and the exemplars.",
    "debrief": "Close the workshop now? Nobody can change anything in it afterwards.",
}
"""What the facilitator confirms before a phase moves on (it cannot move back)."""
PHASE_NAMES = {"drafting": "Drafting", "review": "Review", "debrief": "Debrief", "closed": "Closed"}
STATE_TEXT = {"joined": "Joined, nothing saved yet", "drafting": "Drafting", "submitted": "Handed in"}
"""A trainee's state on the board, in the room's words."""


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
    return f"{c['joined']} joined · {c['drafting']} drafting · {c['submitted']} handed in"


def countdown(ends_at: dt.datetime | None, now: dt.datetime, phase: str = "drafting") -> str:
    """'12:05 left' while drafting with a timer, 'Time is up' after it, '' without one or past drafting."""
    if ends_at is None or phase != "drafting":
        return ""
    left = int((ends_at - now).total_seconds())
    if left <= 0:
        return "Time is up: finish your sentence; the facilitator will open review."
    minutes, seconds = divmod(left, 60)
    return f"{minutes}:{seconds:02d} left"


def time_left(ends_at: dt.datetime | None, now: dt.datetime, phase: str = "drafting") -> tuple[str, str]:
    """(big figure, its caption) for the projector: ('12:05', 'left'), ('0:00', 'Time is up'), or
    ('', '') without a timer or past drafting."""
    if ends_at is None or phase != "drafting":
        return "", ""
    left = int((ends_at - now).total_seconds())
    if left <= 0:
        return "0:00", "Time is up"
    minutes, seconds = divmod(left, 60)
    return f"{minutes}:{seconds:02d}", "left"


BOARD_CSS = Markup(
    "<style>"
    ".itp-board{font-family:var(--jp-ui-font-family,system-ui,sans-serif);color:#111;margin:0 0 12px}"
    ".itp-board-title{font-size:28px;font-weight:600;margin:0 0 8px;line-height:1.2}"
    ".itp-board-row{display:flex;flex-wrap:wrap;gap:16px;align-items:stretch}"
    ".itp-board-cell{border:2px solid #444;border-radius:10px;padding:8px 24px;min-width:220px;"
    "background:#fff}"
    ".itp-board-label{display:block;font-size:22px;color:#333;margin:0}"
    ".itp-board-big{display:block;font-size:80px;line-height:1.1;font-weight:700;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".itp-board-code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;letter-spacing:.12em;"
    "background:none}"
    ".itp-board-phase.itp-board-big{font-size:56px;line-height:1.45}"
    ".itp-board-help{font-size:22px;margin:10px 0 0;max-width:60em}"
    ".itp-progress-summary{font-size:26px;margin:8px 0}"
    ".itp-progress-table table{font-size:18px;border-collapse:collapse}"
    ".itp-progress-table th,.itp-progress-table td{padding:4px 14px;text-align:left;"
    "border-bottom:1px solid #ccc}"
    ".itp-board-late .itp-board-countdown{color:#a00000}"
    ".itp-visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
    "</style>"
)


def board_html(
    title: str,
    phase: str,
    join_code: str | None,
    ends_at: dt.datetime | None,
    now: dt.datetime,
) -> str:
    """The projector board: the join code, the phase and the time left in type readable from the back of a
    room, and the phase's one-line meaning. Escaped HTML."""
    figure, caption = time_left(ends_at, now, phase)
    cells = []
    if join_code and phase == "drafting":
        cells.append(
            Markup(
                '<div class="itp-board-cell"><span class="itp-board-label">Join code</span>'
                '<code class="itp-join-code-shown itp-board-code itp-board-big">{}</code></div>'
            ).format(join_code)
        )
    step = f"Step {PHASES.index(phase) + 1} of {len(PHASES)}" if phase in PHASES else ""
    cells.append(
        Markup(
            '<div class="itp-board-cell"><span class="itp-board-label">{}</span>'
            '<span class="itp-workshop-phase itp-board-phase itp-board-big" data-phase="{}">{}</span></div>'
        ).format(step, phase, PHASE_NAMES.get(phase, phase))
    )
    if figure:
        cells.append(
            Markup(
                '<div class="itp-board-cell" role="timer" aria-label="Time left">'
                '<span class="itp-board-label">{}</span>'
                '<span class="itp-board-countdown itp-board-big">{}</span></div>'
            ).format("Time left" if caption == "left" else caption, figure)
        )
    late = " itp-board-late" if caption == "Time is up" else ""
    return str(
        BOARD_CSS
        + Markup(
            '<section class="itp-board{}" aria-label="Workshop board"><p class="itp-board-title">{}</p>'
            '<div class="itp-board-row">{}</div><p class="itp-board-help">{}</p></section>'
        ).format(late, title, Markup("").join(cells), PHASE_TEXT.get(phase, ""))
    )


def next_action(phase: str) -> str | None:
    return NEXT_ACTION.get(phase)


def phase_step(phase: str) -> str:
    """'Step 2 of 4: review' for the phase strip."""
    return f"Step {PHASES.index(phase) + 1} of {len(PHASES)}: {phase}" if phase in PHASES else phase
