"""Workshop pages: the facilitator's page, the live progress page (for a projector), the debrief page.

The trainee's side of a workshop (join by code, draft in the usual editor, the group's drafts after review,
the debrief beside their own plan) is part of the trainee page (``widgets.workshop.WorkshopEntry``).
Composition only; identity from ``apps.identity``; errors come back as a page that says what to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..errors import ITPError
from ..model import CaseStudy
from ..model.base import isolate
from ..store import PlanStore
from ..views.workshop import PHASE_NAMES, board_html
from ..widgets._common import css, text_html
from ..widgets.drafting import Scheduler
from ..widgets.workshop import REFRESH_SECONDS, DebriefView, FacilitatorPanel, ProgressBoard, Refresher
from ._context import page_context


def _page_context(
    workspace: Any, user: str | None, store: PlanStore | None, case_library: Any
) -> tuple[PlanStore, dict[str, CaseStudy], str]:
    page = page_context(workspace, user=user, store=store, case_library=case_library)
    return page.store, page.cases, page.user


def _error_page(title: str, exc: ITPError, cls: str) -> w.Widget:
    return w.VBox(
        [w.HTML(text_html(title, "h2")), w.Label(str(exc), _dom_classes=("itp-app-message",))],
        _dom_classes=(
            cls,
            "itp-app-error",
        ),
    )


def facilitator_page(
    workspace: Any = None,
    *,
    user: str | None = None,
    store: PlanStore | None = None,
    case_library: Mapping[str, CaseStudy] | str | Path | None = None,
    auto_refresh: float | None = REFRESH_SECONDS,
    scheduler: Scheduler | None = None,
) -> w.Widget:
    """Create and run a workshop (supervisors; the store refuses anyone else's workshop actions)."""
    try:
        store, cases, who = _page_context(workspace, user, store, case_library)
        person = store.find_person(who, actor=who)
        if person.role != "supervisor":
            raise ITPError(
                f"{isolate(person.display_name)} is a trainee: workshops are joined from the trainee page."
            )
        return FacilitatorPanel(store, who, cases, auto_refresh=auto_refresh, scheduler=scheduler)
    except ITPError as exc:
        return _error_page("ITP Toolkit — workshop", exc, "itp-facilitator")


class ProgressPage(w.VBox):
    """Pick a workshop; its board then updates itself (for the projector while the group drafts): the join
    code, phase and time left large enough for the back of the room, then who has joined and handed in."""

    def __init__(
        self,
        store: PlanStore,
        user: str,
        *,
        auto_refresh: float | None = REFRESH_SECONDS,
        scheduler: Scheduler | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        **kwargs: Any,
    ):
        self.store, self.user = store, user
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.picker = w.Dropdown(
            description="Workshop",
            options=[],
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-progress-picker",),
        )
        self.board: ProgressBoard | None = None
        self.banner = w.HTML(_dom_classes=("itp-progress-banner",))
        self.message = w.Label(_dom_classes=("itp-progress-message",))
        self.holder = w.VBox(_dom_classes=("itp-progress-holder",))
        self.refresher = Refresher(self.refresh, auto_refresh, scheduler) if auto_refresh else None
        self.picker.observe(lambda ch: self.show(ch["new"]), "value")
        # The notebook's heading titles the page; the projector needs the board, not a second title.
        super().__init__([self.picker, self.message, self.holder], **kwargs)
        css(self, "itp-progress-page")
        mine = store.list_my_workshops(actor=user)
        self.picker.options = [
            (f"{isolate(ws.title)} ({PHASE_NAMES.get(ws.phase, ws.phase).lower()})", ws.id) for ws in mine
        ]
        if not mine:
            self.message.value = "You run no open workshop. Create one on the facilitator page."

    def show(self, workshop_id: int | None) -> None:
        if workshop_id is None:
            return
        self.board = ProgressBoard(self.store, self.user, workshop_id, clock=self._clock)
        self.holder.children = [self.banner, self.board]
        self._render_banner()
        if self.refresher is not None:
            self.refresher.start()

    def refresh(self) -> None:
        if self.board is not None:
            self._render_banner()
            self.board.refresh()

    def _render_banner(self) -> None:
        if self.board is None:
            return
        try:
            ws = self.store.get_workshop(self.board.workshop_id, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        value = board_html(ws.title, ws.phase, ws.join_code, ws.ends_at, self._clock())
        if self.banner.value != value:
            self.banner.value = value


def progress_page(
    workspace: Any = None,
    *,
    user: str | None = None,
    store: PlanStore | None = None,
    auto_refresh: float | None = REFRESH_SECONDS,
    scheduler: Scheduler | None = None,
) -> w.Widget:
    try:
        store, _cases, who = _page_context(workspace, user, store, {})
        return ProgressPage(store, who, auto_refresh=auto_refresh, scheduler=scheduler)
    except ITPError as exc:
        return _error_page("Workshop progress", exc, "itp-progress-page")


class DebriefPage(w.VBox):
    """Pick a workshop in debrief (or closed) and see its debrief as you may: a trainee sees their own plan
    beside the group; the facilitator sees the group and the exemplars."""

    def __init__(self, store: PlanStore, user: str, cases: Mapping[str, CaseStudy], **kwargs: Any):
        self.store, self.user, self.cases = store, user, dict(cases)
        self.picker = w.Dropdown(
            description="Workshop",
            options=[],
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-debrief-picker",),
        )
        self.view: DebriefView | None = None
        self.message = w.Label(_dom_classes=("itp-debrief-message",))
        self.holder = w.VBox(_dom_classes=("itp-debrief-holder",))
        self.picker.observe(lambda ch: self.show(ch["new"]), "value")
        super().__init__([self.picker, self.message, self.holder], **kwargs)
        css(self, "itp-debrief-page")
        ready = [
            ws
            for ws in store.list_my_workshops(include_closed=True, actor=user)
            if ws.phase in ("debrief", "closed")
        ]
        self.picker.options = [(ws.title, ws.id) for ws in ready]
        if not ready:
            self.message.value = "No workshop has reached its debrief yet."

    def show(self, workshop_id: int | None) -> None:
        if workshop_id is None:
            return
        try:
            ws = self.store.get_workshop(workshop_id, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        case = self.cases.get(ws.case_id)
        if case is None:
            self.message.value = "This workshop's case is not in this workspace's case library."
            return
        self.view = DebriefView(self.store, self.user, workshop_id, case)
        self.holder.children = [self.view]


def debrief_page(
    workspace: Any = None,
    *,
    user: str | None = None,
    store: PlanStore | None = None,
    case_library: Mapping[str, CaseStudy] | str | Path | None = None,
) -> w.Widget:
    try:
        store, cases, who = _page_context(workspace, user, store, case_library)
        return DebriefPage(store, who, cases)
    except ITPError as exc:
        return _error_page("Workshop debrief", exc, "itp-debrief-page")
