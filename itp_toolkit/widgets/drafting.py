"""Autosave and the draft's buttons: Save now, Submit for supervision, Revise, and conflict choices.

One save status only (the indicator); where the draft stands in supervision is the page's banner
(``widgets.feedback``), in words.

All rules (when to save, what a conflict means, what is kept) live in ``itp_toolkit.drafting.DraftSession``;
this widget shows its state and schedules its autosave: ``autosave_delay`` seconds after the last edit,
and again with a growing delay while the database keeps failing (never for a conflict, which needs the
trainee's choice). Every button has a Python twin (``save_now()``, ``submit()``...) for headless tests.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as w
import traitlets as t

from ..errors import ITPError
from ..model.base import isolate
from ..services.drafting import DraftSession, revisable_events
from ._common import auto_layout, css, shared, text_html

MAX_RETRY_DELAY = 30.0


class Handle(Protocol):
    def cancel(self) -> Any: ...


Scheduler = Callable[[float, Callable[[], None]], Handle]
"""``scheduler(delay_seconds, callback)`` runs ``callback`` later and returns something with ``cancel()``."""


def default_scheduler(delay: float, callback: Callable[[], None]) -> Handle:
    """The kernel's event loop when there is one (Voila, JupyterLab), else a timer thread (scripts, tests)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        timer = threading.Timer(delay, callback)
        timer.daemon = True
        timer.start()
        return timer
    return loop.call_later(delay, callback)


_STATE_TEXT = {"saved": "Saved", "unsaved": "Unsaved changes", "saving": "Saving…", "error": "Not saved"}
_STATUS_KIND = {"saved": "ok", "unsaved": "busy", "saving": "busy", "error": "error"}


class AutosaveIndicator(w.HTML):
    """'Saved' / 'Unsaved changes' / 'Saving…' / 'Not saved: why', with a CSS class per state."""

    state = t.Unicode("saved", help="saved, unsaved, saving or error (mirrors the session).")
    message = t.Unicode("", help="The session's message, shown as text (escaped).")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        css(self, "itp-autosave")
        self._render()

    @t.observe("state", "message")
    def _changed(self, change: dict) -> None:
        self._render()

    def _render(self) -> None:
        for state in _STATE_TEXT:
            self.remove_class(f"itp-save-{state}")
        self.add_class(f"itp-save-{self.state}")
        # One line, one truth: the session's own message when it has one ("Saved as revision 3 at 10:42",
        # "Nothing saved yet"), else the state's word; never a second status beside it.
        headline = _STATE_TEXT.get(self.state, self.state)
        text = self.message or headline
        self.value = text_html(
            text, "span", f"itp-save-state itp-status itp-status--{_STATUS_KIND[self.state]}"
        )


class DraftControls(w.VBox):
    """The autosave indicator and the buttons that act on the whole draft."""

    autosave_delay = t.Float(1.5, help="Seconds after the last edit before saving on its own.")
    error = t.Unicode("", help="Why the last button press was refused ('' if it worked).")

    def __init__(
        self,
        session: DraftSession,
        *,
        in_workshop: bool = False,
        week: int = 0,
        autosave_delay: float = 1.5,
        scheduler: Scheduler | None = None,
        on_plan_replaced: Callable[[], None] | None = None,
        **kwargs: Any,
    ):
        self.session = session
        self.in_workshop = in_workshop
        """A workshop draft: handed in to the facilitator, not submitted for supervision."""
        self.frozen = False
        """The workshop left drafting: nothing more can be saved (``freeze``)."""
        self.week = week
        self._schedule = scheduler or default_scheduler
        self._pending: Handle | None = None
        self._retry_delay = autosave_delay
        self._lock = threading.Lock()
        self._on_plan_replaced = on_plan_replaced
        self.indicator = AutosaveIndicator(layout=auto_layout())
        self.save_button = w.Button(
            description="Save now", tooltip="Save now", layout=auto_layout(), _dom_classes=("itp-save-now",)
        )
        self.submit_button = w.Button(
            description="Hand in" if in_workshop else "Submit for supervision",
            tooltip="Hand your plan in to the facilitator"
            if in_workshop
            else "Hand the latest saved revision to your supervisor",
            button_style="primary",
            layout=auto_layout(),
            _dom_classes=("itp-submit",),
        )
        self.revise_event = w.Dropdown(
            description="Revise for",
            options=[],
            layout=w.Layout(width="auto", min_width="18em"),
            _dom_classes=("itp-revise-event",),
        )
        self.revise_event.style.description_width = "initial"
        self.revise_button = w.Button(
            description="Revise",
            tooltip="Start a new revision of the plan for the chosen event or feedback",
            layout=auto_layout(),
            _dom_classes=("itp-revise",),
        )
        self.reload_button = w.Button(
            description="Load the latest",
            button_style="warning",
            layout=auto_layout(),
            _dom_classes=("itp-reload-latest",),
        )
        self.save_mine_button = w.Button(
            description="Save mine as new",
            button_style="warning",
            layout=auto_layout(),
            _dom_classes=("itp-save-mine",),
        )
        self.conflict_box = w.HBox(
            [self.reload_button, self.save_mine_button], _dom_classes=("itp-conflict",)
        )
        self.error_label = shared()(w.Label, classes=("itp-draft-error",))
        self.save_button.on_click(lambda _: self.save_now())
        self.submit_button.on_click(lambda _: self.submit())
        self.revise_button.on_click(lambda _: self.revise(self.revise_event.value or None))
        self.reload_button.on_click(lambda _: self.reload_latest())
        self.save_mine_button.on_click(lambda _: self.save_mine())
        super().__init__(
            [
                w.HBox(
                    [
                        self.indicator,
                        self.save_button,
                        self.submit_button,
                        self.revise_event,
                        self.revise_button,
                    ],
                    _dom_classes=("itp-toolbar",),
                ),
                self.conflict_box,
                self.error_label,
            ],
            **kwargs,
        )
        css(self, "itp-draft-controls")
        self.autosave_delay = autosave_delay
        session.on_change(lambda _s: self._render())
        self._render()

    # --- Python twins of the buttons ---------------------------------------------------------------------

    def save_now(self) -> None:
        self._cancel_pending()
        self._run(self._save)
        self._keep_retrying()

    def submit(self) -> None:
        self._cancel_pending()
        self._run(self.session.submit)

    def revise(self, event_id: str | None = None) -> None:
        def act() -> None:
            self.session.revise(event_id, week=self.week)
            self._plan_replaced()

        self._run(act)

    def reload_latest(self) -> None:
        def act() -> None:
            self.session.reload_latest()
            self._plan_replaced()

        self._run(act)

    def save_mine(self) -> None:
        self._run(self.session.save_as_new_from_latest)

    def set_week(self, week: int) -> None:
        self.week = week
        self._render()

    # --- autosave ----------------------------------------------------------------------------------------

    def plan_edited(self) -> None:
        """Call after every edit: (re)starts the countdown to the autosave."""
        self._retry_delay = self.autosave_delay
        self._arm(self.autosave_delay)

    def _arm(self, delay: float) -> None:
        self._cancel_pending()
        self._pending = self._schedule(delay, self._tick)

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _tick(self) -> None:
        self._pending = None
        session = self.session
        if session.autosave_due(self.autosave_delay):
            self._save()
            self._keep_retrying()
        elif session.state == "unsaved":
            # Typed again since the timer started: wait for the pause.
            self._arm(self.autosave_delay)

    def _keep_retrying(self) -> None:
        """After a save (timer or button): while the database fails, try again, less and less often.

        The Save button cancels the pending autosave, so without this a failed press would leave the text
        unsaved until the next keystroke."""
        session = self.session
        if session.state == "error" and session.status.conflict_with is None and not session.locked:
            self._retry_delay = min(MAX_RETRY_DELAY, self._retry_delay * 2)
            self._arm(self._retry_delay)
        elif session.state == "unsaved":
            self._arm(self.autosave_delay)

    def _save(self) -> None:
        # One save at a time, whether from the timer or the button.
        if not self._lock.acquire(blocking=False):
            return
        try:
            self.session.save()
        finally:
            self._lock.release()

    # --- plumbing ----------------------------------------------------------------------------------------

    def _plan_replaced(self) -> None:
        if self._on_plan_replaced is not None:
            self._on_plan_replaced()

    def freeze(self) -> None:
        """The workshop left drafting: no more saves, hand-ins or revisions from this page. An autosave
        already due still runs, so the store's refusal says what happened to the last words typed."""
        self.frozen = True
        self._render()

    def _run(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except ITPError as exc:
            self.error = str(exc)
            self.error_label.value = str(exc)
        else:
            self.error = ""
            self.error_label.value = ""
        self._render()

    def _render(self) -> None:
        s = self.session
        status = s.status
        self.indicator.state = status.state
        self.indicator.message = status.message
        conflict = status.conflict_with is not None
        self.conflict_box.layout.display = "flex" if conflict else "none"
        self.submit_button.disabled = s.locked or conflict or self.frozen
        self.save_button.disabled = s.locked or status.state == "saved" or self.frozen
        case = s.case
        events = revisable_events(case, s.plan, self.week) if case is not None else []
        labels = {e.id: f"Week {e.week}: {isolate(e.title)}" for e in (case.timeline if case else [])}
        options = [("feedback (no new event)", "")] + [(labels[e], e) for e in events]
        if list(self.revise_event.options) != options:
            self.revise_event.options = options
            self.revise_event.value = ""
        self.revise_button.disabled = s.locked or self.frozen
