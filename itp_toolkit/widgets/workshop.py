"""Workshop widgets: the facilitator's panel and live progress board, the trainee's join box and workshop
strip (phase, countdown, the group's drafts once review opens), and the debrief view.

Every rule (who may join, blind drafting, frozen drafts, who sees what) is the store's; these widgets show
what the store returns and say why when it refuses. What is shown is computed by pure functions
(``views.workshop``, ``compare.debrief``); every piece of text goes into HTML escaped.

Live pages refresh themselves with a kernel-side timer (``Refresher``: the kernel's event loop calls
``refresh()`` every few seconds and the changed widgets are pushed to the browser). ``refresh()`` is also
the Python twin that tests call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from markupsafe import Markup

from ..errors import ITPError, NotFound
from ..model import CaseStudy
from ..model.base import Clock, isolate, utc_now
from ..store import PlanStore
from ..store.records import DraftSummary
from ..store.workshops import Workshop
from ..views.workshop import (
    CONFIRM_TEXT,
    PHASE_NAMES,
    PHASE_TEXT,
    STATE_TEXT,
    board_html,
    countdown,
    next_action,
    phase_step,
    progress_rows,
    progress_summary,
)
from ._common import css, text_html
from .drafting import Handle, Scheduler, default_scheduler

if TYPE_CHECKING:  # the comparison code (pandas, matplotlib) is imported at review and debrief time only:
    from ..compare.debrief import Debrief  # the trainee page shows this widget and must start quickly

REFRESH_SECONDS = 3.0
_DEBRIEF_CSS = Markup(
    "<style>.itp-debrief-content table{border-collapse:collapse;margin:4px 0 12px}"
    ".itp-debrief-content caption{text-align:left;font-weight:600;padding:4px 0}"
    ".itp-debrief-content th,.itp-debrief-content td{text-align:left;padding:3px 12px 3px 0;"
    "border-bottom:1px solid #ccc;vertical-align:top}</style>"
)
_STRIP_CSS = Markup(
    "<style>.itp-workshop-strip p{margin:4px 0}.itp-workshop-frozen{border-left:6px solid #8a5a00;"
    "background:#fff4dc;color:#111;padding:8px 12px;font-size:1.1em}"
    "</style>"
)


class Refresher:
    """Calls ``refresh`` every ``interval`` seconds on the kernel's event loop until ``stop()``.

    One pending call at a time, rescheduled after each run, so a slow database never piles calls up.
    A failing refresh is reported through ``refresh`` itself (widgets show the message) and retried.
    """

    def __init__(self, refresh: Callable[[], None], interval: float, scheduler: Scheduler | None = None):
        self._refresh = refresh
        self.interval = interval
        self._scheduler = scheduler or default_scheduler
        self._handle: Handle | None = None
        self.running = False

    def start(self) -> None:
        if not self.running:
            self.running = True
            self._schedule()

    def stop(self) -> None:
        self.running = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _schedule(self) -> None:
        self._handle = self._scheduler(self.interval, self._tick)

    def _tick(self) -> None:
        if not self.running:
            return
        try:
            self._refresh()
        finally:
            if self.running:
                self._schedule()


# ---------------------------------------------------------------------- facilitator


class ProgressBoard(w.VBox):
    """Who joined, who is drafting, when each last saved, who submitted; ``refresh()`` re-reads the store."""

    def __init__(
        self, store: PlanStore, user: str, workshop_id: int, *, clock: Clock | None = None, **kwargs: Any
    ):
        self.store, self.user, self.workshop_id = store, user, workshop_id
        self._clock = clock or utc_now
        self.summary = w.HTML(_dom_classes=("itp-progress-summary",))
        self.table = w.HTML(_dom_classes=("itp-progress-table",))
        self.rows: list = []
        super().__init__([self.summary, self.table], **kwargs)
        css(self, "itp-progress-board")
        self.refresh()

    def refresh(self) -> None:
        try:
            progress = self.store.workshop_progress(self.workshop_id, actor=self.user)
        except ITPError as exc:
            self.summary.value = text_html(f"Progress not updated: {exc}", "p", "itp-progress-error")
            return
        self.rows = progress_rows(progress, self._clock())
        summary = text_html(progress_summary(progress), "strong")
        if self.summary.value != summary:
            self.summary.value = summary
        body = Markup("").join(
            Markup(
                '<tr class="itp-progress-row itp-state-{}" data-trainee="{}"><td>{}</td><td>{}</td>'
                "<td>{}</td><td>{}</td><td>{}</td></tr>"
            ).format(
                r.state,
                r.trainee,
                r.name,
                r.joined,
                STATE_TEXT.get(r.state, r.state),
                r.revision or "—",
                r.last_saved,
            )
            for r in self.rows
        )
        table = str(
            Markup(
                '<table><caption class="itp-visually-hidden">Who has joined and how far each has got'
                '</caption><tr><th scope="col">Trainee</th><th scope="col">Joined at</th>'
                '<th scope="col">Draft</th>'
                '<th scope="col">Saves</th><th scope="col">Last saved</th></tr>{}</table>'
            ).format(body)
            if self.rows
            else Markup('<p class="itp-empty">Nobody has joined yet. Share the code.</p>')
        )
        if self.table.value != table:
            self.table.value = table


class FacilitatorPanel(w.VBox):
    """Create a workshop (case, cohort and/or join code, optional timer), then run it: the forward phase
    button, the live progress board, picking exemplars once review is open, and the debrief."""

    def __init__(
        self,
        store: PlanStore,
        user: str,
        cases: Mapping[str, CaseStudy],
        *,
        auto_refresh: float | None = REFRESH_SECONDS,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        **kwargs: Any,
    ):
        self.store, self.user, self.cases = store, user, dict(cases)
        self._clock = clock or utc_now
        self.workshop: Workshop | None = None
        self.board: ProgressBoard | None = None
        self.debrief: DebriefView | None = None
        self.message = w.Label(_dom_classes=("itp-workshop-message",))
        self.case_picker = w.Dropdown(
            description="Case",
            options=[(c.title, cid) for cid, c in self.cases.items()],
            layout=w.Layout(width="auto", max_width="100%"),
            _dom_classes=("itp-workshop-case",),
        )
        cohorts = []
        try:
            cohorts = self.store.list_cohorts(actor=user)
        except ITPError as exc:
            self.message.value = str(exc)
        self.cohort_picker = w.Dropdown(
            description="Cohort",
            options=[(c.name, c.id) for c in cohorts] + [("No cohort: join code only", None)],
            value=cohorts[0].id if cohorts else None,
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-workshop-cohort",),
        )
        self.with_code = w.Checkbox(
            value=True, description="Join code", _dom_classes=("itp-workshop-with-code",)
        )
        self.minutes = w.BoundedIntText(
            value=20,
            min=0,
            max=24 * 60,
            description="Minutes to draft (0: no timer)",
            style={"description_width": "initial"},
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-workshop-minutes",),
        )
        self.title_input = w.Text(
            description="Title", placeholder="Workshop title (optional)", _dom_classes=("itp-workshop-title",)
        )
        self.create_button = w.Button(
            description="Create workshop",
            button_style="primary",
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-workshop-create",),
        )
        self.create_button.on_click(lambda _: self.create())
        self.existing = w.Dropdown(
            description="Or run",
            options=[],
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-workshop-existing",),
        )
        self.open_button = w.Button(
            description="Open this workshop",
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-workshop-open",),
        )
        self.open_button.on_click(lambda _: self.open_workshop(self.existing.value))
        self.form = w.VBox(
            [
                w.HBox([self.case_picker, self.cohort_picker]),
                w.HBox([self.title_input, self.with_code, self.minutes]),
                w.HBox([self.create_button]),
                w.HBox([self.existing, self.open_button]),
            ],
            _dom_classes=("itp-workshop-form",),
        )
        self.header = w.HTML(_dom_classes=("itp-workshop-header",))
        self.advance_button = w.Button(
            button_style="primary", layout=w.Layout(width="auto"), _dom_classes=("itp-workshop-advance",)
        )
        self.advance_button.on_click(lambda _: self.ask_advance())
        # Phases only go forward: the forward button asks first, in words that say what will happen.
        self.confirm_text = w.Label(_dom_classes=("itp-workshop-confirm-text",))
        self.confirm_button = w.Button(
            button_style="danger", layout=w.Layout(width="auto"), _dom_classes=("itp-workshop-confirm",)
        )
        self.confirm_button.on_click(lambda _: self.advance())
        self.cancel_button = w.Button(
            description="Not yet", layout=w.Layout(width="auto"), _dom_classes=("itp-workshop-cancel",)
        )
        self.cancel_button.on_click(lambda _: self._hide_confirm())
        self.confirm_box = w.HBox(
            [self.confirm_text, self.confirm_button, self.cancel_button],
            layout=w.Layout(display="none", align_items="center", flex_flow="row wrap"),
            _dom_classes=("itp-workshop-confirm-box",),
        )
        self.other_button = w.Button(
            description="Start or open another workshop",
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-workshop-other",),
        )
        self.other_button.on_click(lambda _: self._show_form())
        self.exemplar_picker = w.Dropdown(
            description="Exemplar",
            options=[],
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-exemplar-picker",),
        )
        self.exemplar_note = w.Textarea(
            placeholder="Why this plan is worth discussing", _dom_classes=("itp-exemplar-note-input",)
        )
        self.exemplar_button = w.Button(
            description="Pick as exemplar", layout=w.Layout(width="auto"), _dom_classes=("itp-exemplar-pick",)
        )
        self.exemplar_button.on_click(
            lambda _: self.pick_exemplar(self.exemplar_picker.value, self.exemplar_note.value)
        )
        self.exemplar_box = w.VBox(
            [w.HBox([self.exemplar_picker, self.exemplar_button]), self.exemplar_note],
            _dom_classes=("itp-exemplar-box",),
        )
        self.running = w.VBox(_dom_classes=("itp-workshop-running",))
        self.refresher = Refresher(self.refresh, auto_refresh, scheduler) if auto_refresh else None
        super().__init__(
            [self.form, self.message, self.running],
            **kwargs,
        )
        css(self, "itp-facilitator")
        self._load_existing()

    # --- Python twins -----------------------------------------------------------------------------------

    def create(self) -> Workshop | None:
        try:
            workshop = self.store.create_workshop(
                self.case_picker.value,
                title=self.title_input.value.strip(),
                cohort_id=self.cohort_picker.value,
                with_code=self.with_code.value,
                minutes=self.minutes.value or None,
                actor=self.user,
            )
        except ITPError as exc:
            self.message.value = str(exc)
            return None
        self._show(workshop)
        self._load_existing()
        return workshop

    def open_workshop(self, workshop_id: int | None) -> None:
        if workshop_id is None:
            self.message.value = "Pick a workshop first."
            return
        try:
            self._show(self.store.get_workshop(workshop_id, actor=self.user))
        except ITPError as exc:
            self.message.value = str(exc)

    def ask_advance(self) -> None:
        """What the forward button does: say what moving on will do, and wait for "Yes"."""
        if self.workshop is None or next_action(self.workshop.phase) is None:
            return
        action = next_action(self.workshop.phase) or ""
        self.confirm_text.value = CONFIRM_TEXT.get(self.workshop.phase, f"{action} now?")
        self.confirm_button.description = f"Yes, {action[0].lower()}{action[1:]}"
        self.confirm_box.layout.display = "flex"
        self.advance_button.disabled = True

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"
        self.advance_button.disabled = False

    def advance(self) -> None:
        """Move the workshop on (open review, open debrief, or close): the confirmed forward step."""
        self._hide_confirm()
        if self.workshop is None:
            return
        step = {
            "drafting": self.store.open_review,
            "review": self.store.open_debrief,
            "debrief": self.store.close_workshop,
        }.get(self.workshop.phase)
        if step is None:
            return
        try:
            self._show(step(self.workshop.id, actor=self.user))
        except ITPError as exc:
            self.message.value = str(exc)

    def pick_exemplar(self, draft_id: int | None, note: str = "") -> None:
        if draft_id is None:
            self.message.value = "Pick a draft to hold up."
            return
        try:
            self.store.pick_exemplar(draft_id, note, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        self.exemplar_note.value = ""
        self.message.value = "Exemplar picked: it shows in the debrief."
        if self.debrief is not None:
            self.debrief.refresh()

    def refresh(self) -> None:
        """Re-read the workshop (phase, timer) and the board; what the timer calls."""
        if self.workshop is None:
            return
        try:
            workshop = self.store.get_workshop(self.workshop.id, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        if workshop.phase != self.workshop.phase:
            self._show(workshop)
            return
        self.workshop = workshop
        self._render_header()
        if self.board is not None:
            self.board.refresh()

    # --- plumbing ---------------------------------------------------------------------------------------

    def _load_existing(self) -> None:
        try:
            mine = self.store.list_my_workshops(actor=self.user)
        except ITPError:
            mine = []
        self.existing.options = [
            (f"{isolate(ws.title)} ({PHASE_NAMES.get(ws.phase, ws.phase)})", ws.id) for ws in mine
        ]
        self.existing.value = mine[0].id if mine else None
        self.existing.layout.display = self.open_button.layout.display = "flex" if mine else "none"

    def _show_form(self) -> None:
        self.form.layout.display = "flex"
        self.other_button.layout.display = "none"

    def _show(self, workshop: Workshop) -> None:
        self.workshop = workshop
        self.message.value = ""
        if self.board is None or self.board.workshop_id != workshop.id:
            self.board = ProgressBoard(self.store, self.user, workshop.id, clock=self._clock)
        else:
            self.board.refresh()
        self._render_header()
        action = next_action(workshop.phase)
        self.advance_button.description = action or ""
        self.advance_button.layout.display = "inline-flex" if action else "none"
        self._hide_confirm()
        # Running a workshop, the board is what the room sees: the set-up form folds away.
        self.form.layout.display = "none"
        self.other_button.layout.display = "inline-flex"
        parts: list[w.Widget] = [
            self.header,
            w.HBox([self.advance_button, self.other_button], _dom_classes=("itp-workshop-actions",)),
            self.confirm_box,
            self.board,
        ]
        if workshop.phase in ("review", "debrief", "closed"):
            self._load_exemplar_choices()
            parts.append(self.exemplar_box)
        if workshop.phase in ("debrief", "closed"):
            case = self.cases.get(workshop.case_id)
            if case is not None:
                if self.debrief is None or self.debrief.workshop_id != workshop.id:
                    self.debrief = DebriefView(self.store, self.user, workshop.id, case)
                else:
                    self.debrief.refresh()
                # In the debrief the room discusses the debrief: it comes before who joined when.
                parts.insert(parts.index(self.board), self.debrief)
        self.running.children = parts
        if self.refresher is not None:
            self.refresher.start()

    def _render_header(self) -> None:
        ws = self.workshop
        if ws is None:
            return
        header = board_html(ws.title, ws.phase, ws.join_code, ws.ends_at, self._clock())
        if self.header.value != header:
            self.header.value = header

    def _load_exemplar_choices(self) -> None:
        if self.workshop is None:
            return
        try:
            drafts = [
                d
                for d in self.store.list_workshop_drafts(self.workshop.id, actor=self.user)
                if d.latest_revision
            ]
        except ITPError as exc:
            self.message.value = str(exc)
            return
        names = self._display_names()
        self.exemplar_picker.options = [
            (f"{isolate(names.get(d.owner, d.owner))} (save {d.latest_revision})", d.id) for d in drafts
        ]
        self.exemplar_picker.value = None

    def _display_names(self) -> dict[str, str]:
        """Participants' display names, from the board (people by name, never by login)."""
        if self.workshop is None:
            return {}
        try:
            return {
                p.trainee: p.display_name
                for p in self.store.workshop_progress(self.workshop.id, actor=self.user)
            }
        except ITPError:
            return {}

    def close(self) -> None:
        if self.refresher is not None:
            self.refresher.stop()
        super().close()


def text_html_widget(text: str, tag: str = "p") -> w.HTML:
    return w.HTML(text_html(text, tag))


# ---------------------------------------------------------------------- debrief


class DebriefView(w.VBox):
    """The debrief as the viewer may see it: group consensus and divergence, the score spread, the
    exemplars; for a trainee, their own plan beside the group."""

    def __init__(self, store: PlanStore, user: str, workshop_id: int, case: CaseStudy, **kwargs: Any):
        self.store, self.user, self.workshop_id, self.case = store, user, workshop_id, case
        self.content = w.HTML(_dom_classes=("itp-debrief-content",))
        self.debrief: Debrief | None = None
        super().__init__([self.content], **kwargs)
        css(self, "itp-debrief")
        self.refresh()

    def refresh(self) -> None:
        from ..compare.debrief import debrief_sections, gather_debrief

        try:
            self.debrief = gather_debrief(self.store, self.workshop_id, self.case, actor=self.user)
        except ITPError as exc:
            self.content.value = text_html(str(exc))
            return
        self.content.value = str(
            _DEBRIEF_CSS + Markup("<h3>Debrief</h3>") + Markup("").join(debrief_sections(self.debrief))
        )


# ---------------------------------------------------------------------- trainee


class PeerDrafts(w.VBox):
    """The group's drafts for a trainee: hidden while drafting is blind (the store returns only your own),
    readable (anonymized, read-only) once review opens."""

    def __init__(self, store: PlanStore, user: str, workshop_id: int, **kwargs: Any):
        self.store, self.user, self.workshop_id = store, user, workshop_id
        self.content = w.HTML(_dom_classes=("itp-peer-drafts-content",))
        self.peers: list[DraftSummary] = []
        super().__init__([self.content], **kwargs)
        css(self, "itp-peer-drafts")
        self.refresh()

    def refresh(self) -> None:
        try:
            drafts = self.store.list_workshop_drafts(self.workshop_id, actor=self.user)
        except ITPError as exc:
            self.content.value = text_html(str(exc))
            return
        self.peers = [d for d in drafts if d.owner != self.user]
        if not self.peers:
            value = text_html(
                "The group's drafts stay hidden until the facilitator opens review (blind drafting).",
                "p",
                "itp-peers-hidden",
            )
        else:
            from ..compare.cohort import trainee_labels
            from ..compare.debrief import plan_outline_html

            labels = trainee_labels([d.owner for d in drafts], anonymized=True)
            parts = []
            for d in self.peers:
                if not d.latest_revision:
                    body = Markup('<p class="itp-empty">(nothing saved)</p>')
                else:
                    try:
                        body = plan_outline_html(self.store.get_revision(d.id, actor=self.user))
                    except ITPError as exc:
                        body = Markup("<p>{}</p>").format(str(exc))
                parts.append(
                    Markup('<div class="itp-peer-draft"><h4>{}</h4>{}</div>').format(labels[d.owner], body)
                )
            value = str(Markup("<h3>The group's drafts (read-only)</h3>") + Markup("").join(parts))
        if self.content.value != value:
            self.content.value = value


class WorkshopEntry(w.VBox):
    """The trainee's way into a workshop: a code box (or their cohort's open workshops), then a strip with
    the phase and countdown that updates itself, the group's drafts from review on, and the debrief.

    ``on_open(draft, case_id)`` is called to put the workshop draft in the page's plan editor;
    ``on_phase(workshop)`` whenever the workshop is shown or its phase changes (the page makes the editor
    read-only the moment review opens).
    """

    def __init__(
        self,
        store: PlanStore,
        user: str,
        cases: Mapping[str, CaseStudy],
        *,
        on_open: Callable[[DraftSummary, str], None] | None = None,
        on_phase: Callable[[Workshop], None] | None = None,
        auto_refresh: float | None = REFRESH_SECONDS,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        **kwargs: Any,
    ):
        self.store, self.user, self.cases = store, user, dict(cases)
        self._on_open = on_open
        self._on_phase = on_phase
        self._clock = clock or utc_now
        self.workshop: Workshop | None = None
        self.draft: DraftSummary | None = None
        self._listed: dict[int, Workshop] = {}
        self.peers: PeerDrafts | None = None
        self.debrief: DebriefView | None = None
        self.code = w.Text(
            placeholder="Workshop code", description="Workshop", _dom_classes=("itp-join-code",)
        )
        self.join_button = w.Button(
            description="Join", layout=w.Layout(width="auto"), _dom_classes=("itp-join-button",)
        )
        self.join_button.on_click(lambda _: self.join(self.code.value))
        self.open_workshops = w.Dropdown(
            description="Your workshops",
            options=[],
            layout=w.Layout(width="auto", margin="2px 2px 2px 24px"),  # apart from "Join": another way in
            style={"description_width": "initial"},
            _dom_classes=("itp-join-cohort-workshop",),
        )
        self.join_open_button = w.Button(
            description="Go to this workshop",
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-join-cohort-button",),
        )
        self.join_open_button.on_click(lambda _: self._join_listed())
        self.message = w.Label(_dom_classes=("itp-join-message",))
        self.status = w.HTML(_dom_classes=("itp-workshop-status",))
        self.open_draft_button = w.Button(
            description="Back to my workshop plan",
            layout=w.Layout(width="auto", align_self="flex-start"),
            _dom_classes=("itp-open-workshop-draft",),
        )
        self.open_draft_button.on_click(lambda _: self._open_draft())
        self.group = w.VBox(_dom_classes=("itp-workshop-group",))
        self.refresher = Refresher(self.refresh, auto_refresh, scheduler) if auto_refresh else None
        self.join_row = w.HBox([self.code, self.join_button, self.open_workshops, self.join_open_button])
        super().__init__([self.join_row, self.message, self.status, self.group], **kwargs)
        css(self, "itp-workshop-entry")
        self._load_open()

    # --- Python twins -----------------------------------------------------------------------------------

    def join(self, code: str | None = None, *, workshop_id: int | None = None) -> DraftSummary | None:
        """Join by code (or a cohort workshop by id) and open the workshop draft in the editor."""
        if workshop_id is None and not (code or "").strip():
            self.message.value = "Type the code your facilitator gave you."
            return None
        try:
            if workshop_id is not None:
                draft = self.store.join_workshop(workshop_id=workshop_id, actor=self.user)
            else:
                draft = self.store.join_workshop(code, actor=self.user)
            if draft.workshop_id is None:  # the store returns a workshop draft; say so if it ever does not
                raise NotFound("the store returned a draft outside the workshop")
            workshop = self.store.get_workshop(draft.workshop_id, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return None
        self.draft, self.workshop = draft, workshop
        self.code.value = ""
        self.message.value = f"Joined {isolate(workshop.title)}."
        self._render()
        self._open_draft()
        if self.refresher is not None:
            self.refresher.start()
        return draft

    def refresh(self) -> None:
        """Re-read the phase: a change shows the group's drafts (review) or the debrief."""
        if self.workshop is None:
            return
        try:
            workshop = self.store.get_workshop(self.workshop.id, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        changed = workshop.phase != self.workshop.phase
        self.workshop = workshop
        if changed:
            self._render()
        else:
            self._render_status()

    # --- plumbing ---------------------------------------------------------------------------------------

    def _join_listed(self) -> None:
        if self.open_workshops.value is None:
            self.message.value = "Pick a workshop from the list."
            return
        listed = self._listed.get(self.open_workshops.value)
        if listed is not None and listed.joined:
            self.rejoin(listed.id)
        else:
            self.join(workshop_id=self.open_workshops.value)

    def rejoin(self, workshop_id: int) -> DraftSummary | None:
        """Go back to a workshop already joined (after a reload, in any phase): no code needed."""
        try:
            workshop = self.store.get_workshop(workshop_id, actor=self.user)
            draft = next(
                (
                    d
                    for d in self.store.list_workshop_drafts(workshop_id, actor=self.user)
                    if d.owner == self.user
                ),
                None,
            )
        except ITPError as exc:
            self.message.value = str(exc)
            return None
        if draft is None:
            self.message.value = "You have no plan in this workshop."
            return None
        self.draft, self.workshop = draft, workshop
        self.message.value = ""
        self._render()
        self._open_draft()
        if self.refresher is not None:
            self.refresher.start()
        return draft

    def _load_open(self) -> None:
        try:
            open_ones = [
                ws
                for ws in self.store.list_my_workshops(actor=self.user)
                if ws.joined or ws.phase == "drafting"
            ]
        except ITPError:
            open_ones = []
        self._listed = {ws.id: ws for ws in open_ones}
        self.open_workshops.options = [
            (
                f"{isolate(ws.title)} ({PHASE_NAMES.get(ws.phase, ws.phase).lower()}"
                + (", joined)" if ws.joined else ")"),
                ws.id,
            )
            for ws in open_ones
        ]
        self.open_workshops.value = open_ones[0].id if open_ones else None
        shown = "inline-flex" if open_ones else "none"
        self.open_workshops.layout.display = self.join_open_button.layout.display = shown

    def _open_draft(self) -> None:
        if self.draft is not None and self._on_open is not None:
            self._on_open(self.draft, self.draft.case_id)

    def _render_status(self) -> None:
        ws = self.workshop
        if ws is None:
            return
        left = countdown(ws.ends_at, self._clock(), ws.phase)
        frozen = (
            Markup(
                '<p class="itp-workshop-frozen" role="status"><strong>{} is open: your plan is '
                "read-only now.</strong> Drafting time is over, so nothing more is saved; "
                "read the group's drafts below.</p>"
            ).format(PHASE_NAMES.get(ws.phase, ws.phase))
            if ws.phase != "drafting"
            else Markup("")
        )
        value = str(
            _STRIP_CSS
            + Markup(
                '<div class="itp-workshop-strip"><p><strong>{}</strong> · '
                '<span class="itp-workshop-phase" data-phase="{}">{}</span>{}</p><p>{}</p>{}</div>'
            ).format(
                ws.title,
                ws.phase,
                phase_step(ws.phase),
                Markup(' · <span class="itp-workshop-countdown">{}</span>').format(left)
                if left
                else Markup(""),
                PHASE_TEXT.get(ws.phase, ""),
                frozen,
            )
        )
        if self.status.value != value:
            self.status.value = value

    def _render(self) -> None:
        ws = self.workshop
        if ws is None:
            return
        self.join_row.layout.display = "none"
        self._render_status()
        if self._on_phase is not None:
            self._on_phase(ws)
        parts: list[w.Widget] = [self.open_draft_button]
        if self.peers is None:
            self.peers = PeerDrafts(self.store, self.user, ws.id)
        else:
            self.peers.refresh()
        parts.append(self.peers)
        if ws.phase in ("debrief", "closed"):
            case = self.cases.get(ws.case_id)
            if case is not None:
                if self.debrief is None:
                    self.debrief = DebriefView(self.store, self.user, ws.id, case)
                else:
                    self.debrief.refresh()
                parts.append(self.debrief)
        self.group.children = parts

    def close(self) -> None:
        if self.refresher is not None:
            self.refresher.stop()
        super().close()
