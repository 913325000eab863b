"""The trainee's workspace page: pick an assigned case, write the plan, see critique, save, submit, revise.

Composition only: the case viewer, plan editor and critique panel come from ``itp_toolkit.widgets``; saving
is ``DraftSession``; who may open which case is decided by the store (``list_assigned_cases``,
``start_draft``), never by what the page shows.

Identity: ``apps.identity`` decides (the hub's user always wins; ``?as=`` only in a demo workspace; else
``user=`` or the workspace's configured user).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import ITPError, NotFound
from ..formats.cache import ByteCache
from ..model import CaseStudy
from ..model.base import isolate
from ..store import PlanStore
from ..store.records import DraftSummary
from ..store.workshops import Workshop
from ..widgets._common import auto_layout, batched_open, close_tree, css, page_root, shared, text_html
from ..widgets.my_plans import MyPlans
from ..widgets.workshop import WorkshopEntry
from ._context import page_context
from .identity import HUB_USER_VAR, resolve_user  # noqa: F401  (re-exported)

if TYPE_CHECKING:  # imported when a case is opened (see open_case), so the case picker is usable sooner
    from ..services.drafting import Clock, DraftSession
    from ..widgets import CaseViewer, CritiquePanel, PlanEditor
    from ..widgets.drafting import DraftControls, Scheduler
    from ..widgets.feedback import FeedbackView
    from ..widgets.history import RevisionHistory
    from ..widgets.plan_outline import PlanOutline


class TraineeWorkspace(w.VBox):
    """The whole page for one trainee. ``open_case(case_id)`` is the Python twin of picking a case."""

    def __init__(
        self,
        store: PlanStore,
        user: str,
        cases: Mapping[str, CaseStudy],
        *,
        autosave_delay: float = 1.5,
        critique_delay: float = 0.3,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        workshop_refresh: float | None = 3.0,
        reopen_last: bool = True,
        plot_cache: ByteCache | None = None,
        **kwargs: Any,
    ):
        self.store = store
        self._plot_cache = plot_cache
        """Where the case's scores plot drawn for one page is kept for the next (the workspace's)."""
        self._clock = clock
        self.user = user
        self._cases = dict(cases)
        self._autosave_delay = autosave_delay
        self._critique_delay = critique_delay
        self._scheduler = scheduler
        self.session: DraftSession | None = None
        self._opening = False
        self._workshop_id: int | None = None
        """The workshop of the draft in the editor, if it is a workshop draft."""
        self._frozen = False
        """The workshop has left drafting: the plan is read-only though the draft is not submitted."""
        self.case_viewer: CaseViewer | None = None
        self.editor: PlanEditor | None = None
        """The plan's editor; None while the page shows the reopened plan as its outline."""
        self.outline: PlanOutline | None = None
        """The plan read as a document with "Edit plan", where the editor will be (after a reload)."""
        self._plan_column: w.VBox | None = None
        self.critique: CritiquePanel | None = None
        self.controls: DraftControls | None = None
        self.history: RevisionHistory | None = None
        self.feedback: FeedbackView | None = None
        make = shared()
        self.header = make(w.HTML, classes=("itp-trainee-header",))
        # Wide enough for case titles (they run to 70 characters); the label in its own short column.
        self.case_picker = w.Dropdown(
            description="Case",
            options=[],
            value=None,
            layout=w.Layout(width="auto", min_width="28em", max_width="64em", flex="1 1 auto"),
            style={"description_width": "3em"},
            _dom_classes=("itp-case-picker",),
        )
        self.open_button = w.Button(
            description="Open case",
            tooltip="Open your plan for this case",
            button_style="primary",
            layout=auto_layout(),
            _dom_classes=("itp-open-case",),
        )
        self.next_week_button = w.Button(
            description="Next week",
            tooltip="Move the exercise on a week: new events and scores appear in the case",
            layout=w.Layout(width="auto", display="none"),  # its own: shown once a case is open
            _dom_classes=("itp-next-week",),
        )
        self.message = make(w.Label, classes=("itp-app-message",))
        self.body = make(w.VBox, classes=("itp-trainee-body",))
        self.open_button.on_click(lambda _: self.open_case(self.case_picker.value))
        self.next_week_button.on_click(lambda _: self.next_week())
        # Workshops: join by code; the workshop draft opens in this same editor (see widgets.workshop).
        self.workshop = WorkshopEntry(
            store,
            user,
            self._cases,
            on_open=lambda d, case_id: self.open_case(case_id, draft=d),
            on_phase=self._workshop_phase,
            auto_refresh=workshop_refresh,
            scheduler=scheduler,
        )
        # "My plans": every assigned case with its due date and state; a row's button opens it here.
        self.my_plans = MyPlans(store, user, self._cases, on_open=self.open_case)
        super().__init__(
            [
                self.header,
                self.my_plans,
                make(
                    w.HBox,
                    [self.case_picker, self.open_button, self.next_week_button],
                    classes=("itp-toolbar", "itp-trainee-toolbar"),
                ),
                self.workshop,
                self.message,
                self.body,
            ],
            **kwargs,
        )
        css(self, "itp-trainee-workspace")
        page_root(self)
        self._load_assignments()
        if reopen_last:
            self._opening = True
            try:
                self.reopen_last_case()
            finally:
                self._opening = False

    # --- Python twins of the page's actions ----------------------------------------------------------------

    @property
    def assigned_case_ids(self) -> list[str]:
        return [value for _, value in self.case_picker.options]

    def last_case_id(self) -> str | None:
        """The assigned case whose coursework draft the trainee saved last (kept per user in the store)."""
        try:
            drafts = self.store.list_drafts(owner=self.user, actor=self.user)
        except ITPError:
            return None
        mine = [
            d
            for d in drafts
            if d.workshop_id is None and d.latest_revision > 0 and d.case_id in self.assigned_case_ids
        ]
        return max(mine, key=lambda d: d.updated_at).case_id if mine else None

    def reopen_last_case(self) -> bool:
        """After a reload: open the case the trainee worked on last, so they carry on where they were.

        The plan comes up as its outline (one block of HTML) with "Edit plan", not in the editor: a large
        plan's editor is some 700 widgets, and a room of trainees reloading at once would wait for all of
        them before the page answers. Any edit builds the editor (``edit_plan``)."""
        case_id = self.last_case_id()
        if case_id is None:
            return False
        self.case_picker.value = case_id
        self.open_case(case_id, outline=True)
        return self.session is not None

    def open_case(
        self, case_id: str | None, *, draft: DraftSummary | None = None, outline: bool = False
    ) -> None:
        """Open (or reopen) the trainee's draft for an assigned case, at its latest revision; or ``draft``
        (a workshop draft the store gave them on joining) for its case. A case chosen on the page opens in
        the editor; with ``outline`` (the page reopening the last case on load) the plan is shown read-only
        with "Edit plan". Opening the draft already shown as its outline opens it in the editor."""
        if not case_id:
            self.message.value = "Pick a case first."
            return
        if draft is None and case_id not in self.assigned_case_ids:
            # The dropdown only offers assigned cases, but a browser can send any value: check again here.
            self.message.value = f"Case {case_id} is not assigned to you."
            return
        # Imported here, not at the top: a page's kernel shows the case picker before paying for these.
        from ..services.drafting import DraftSession

        try:
            draft = draft or self.store.start_draft(case_id, actor=self.user)
            if self.session is not None and self.session.draft_id == draft.id:
                # Already open (the case reopened after a reload): keep the editor as it is, or build it
                # where the outline is (choosing the case again asks for it).
                if not outline:
                    self.edit_plan()
                return
            case = self._cases.get(case_id)
            if case is None:
                raise NotFound(f"case {case_id} is not in this workspace's case library")
            session = DraftSession(self.store, draft.id, self.user, case=case, clock=self._clock)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        self._close_draft()
        with batched_open():
            self._build(case, draft, session, outline=outline)

    def _build(self, case: CaseStudy, draft: DraftSummary, session: DraftSession, *, outline: bool) -> None:
        """The page for one draft: save bar; case | plan (state and feedback, then the editor or, with
        ``outline``, the plan as a document) | critique; saved versions below. Built in one batch: every
        widget opens once with its final state."""
        from ..widgets import CaseViewer, CritiquePanel
        from ..widgets.drafting import DraftControls
        from ..widgets.feedback import FeedbackView
        from ..widgets.history import RevisionHistory
        from ..widgets.plan_outline import PlanOutline

        case_id = case.id
        self.case_picker.value = case_id if case_id in self.assigned_case_ids else None
        self.session = session
        week = session.plan.written_at_week
        self.case_viewer = CaseViewer(case, week=week, plot_cache=self._plot_cache)
        self.editor, self.outline = None, None
        # At the editor's week from the start: a week set after construction would rerun the critique and
        # replace its first widgets while the browser is still building them.
        self.critique = CritiquePanel(
            session.plan,
            case,
            week=week,
            delay=self._critique_delay,
            dismissals=self._dismissals(draft.id),
        )
        self._workshop_id = draft.workshop_id
        shown = self.workshop.workshop
        self._frozen = bool(
            draft.workshop_id is not None
            and shown is not None
            and shown.id == draft.workshop_id
            and shown.phase != "drafting"
        )
        self.controls = DraftControls(
            session,
            in_workshop=draft.workshop_id is not None,
            week=week,
            autosave_delay=self._autosave_delay,
            scheduler=self._scheduler,
            on_plan_replaced=self._plan_replaced,
        )
        self.history = RevisionHistory(session)
        self.feedback = FeedbackView(self.store, draft.id, self.user, session.plan)
        self._shown_status = self.feedback.status
        session.on_change(self._session_changed)
        self._last_revision = session.revision
        if self._frozen:
            self.controls.freeze()
        if outline:
            self.outline = PlanOutline(
                session.plan, case, on_edit=self.edit_plan, editable=not (session.locked or self._frozen)
            )
            self.outline.show(session.plan, self.feedback.annotations, self.feedback.names)
            self.critique.on_focus(self._edit_at)
            plan_view: w.Widget = self.outline
        else:
            plan_view = self._make_editor(case, week)
        make = shared()
        lower = make(
            w.Accordion,
            [self.history],
            titles=("Revisions: what changed, sitting by sitting",),
            classes=("itp-trainee-lower",),
        )
        columns = make(
            w.HBox,
            [
                make(
                    w.VBox,
                    [self.case_viewer],
                    layout=make.layout(width="31%"),
                    classes=("itp-col-case", "itp-column", "itp-scroll-column"),
                ),
                plan_column := make(
                    w.VBox,
                    [self.feedback, plan_view],
                    layout=make.layout(width="43%"),
                    classes=("itp-col-plan", "itp-column", "itp-scroll-column"),
                ),
                make(
                    w.VBox,
                    [self.critique],
                    layout=make.layout(width="26%"),
                    classes=("itp-col-critique", "itp-column", "itp-scroll-column"),
                ),
            ],
            layout=make.layout(width="100%", align_items="flex-start"),
            classes=("itp-trainee-columns",),
        )
        self._plan_column = plan_column
        self.body.children = [self.controls, columns, lower]
        self.next_week_button.layout.display = "inline-flex"
        self._which = "workshop plan" if draft.workshop_id is not None else "plan"
        self._case_title = case.title
        if outline:
            self.message.value = f"Your {self._which} for {isolate(case.title)}, as you saved it last."
        else:
            self.message.value = f"Editing your {self._which} for {isolate(case.title)}."
        if not self.my_plans.folded:
            self.my_plans.set_folded(True)  # the editor, not the list, is what the page is open for now
        state = (session.revision > 0, session.locked)
        if state != getattr(self, "_plans_state", None) and not self._opening:
            self.my_plans.refresh()  # (while the page opens, the list was read a moment ago)
        self._plans_state = state

    def _make_editor(self, case: CaseStudy, week: int) -> PlanEditor:
        """The plan's editor at ``week``, wired to the critique, the autosave and the comment threads."""
        from ..widgets import PlanEditor, connect_critique

        session, critique, feedback = self.session, self.critique, self.feedback
        assert session is not None and critique is not None and feedback is not None
        self.editor = editor = PlanEditor(session.plan, case, week=week)
        connect_critique(editor, critique)
        editor.on_reply = self._reply
        editor.show_comments(feedback.annotations, feedback.names)
        editor.observe(self._edited, "plan")
        editor.disabled = session.locked or self._frozen
        return editor

    def edit_plan(self) -> None:
        """What "Edit plan" does: the editor built where the outline is, with the plan as saved, and the
        keyboard's focus put into it (on its first field, once the browser shows it)."""
        outline, column, session = self.outline, self._plan_column, self.session
        if self.editor is not None or outline is None or column is None or session is None:
            return
        if self.critique is not None:
            self.critique.on_focus(self._edit_at, remove=True)
        week = self.case_viewer.week if self.case_viewer is not None else session.plan.written_at_week
        with batched_open():
            editor = self._make_editor(outline.case, week)
            self._focus_when_shown(editor.plan_fields.get("title"))
            column.children = [editor if c is outline else c for c in column.children]
        self.outline = None
        close_tree(outline)
        self.message.value = f"Editing your {self._which} for {isolate(self._case_title)}."

    def _edit_at(self, element_id: str) -> None:
        """A finding chosen while the plan is an outline: open the editor there."""
        self.edit_plan()
        if self.editor is not None:
            self.editor.focus(element_id)

    @staticmethod
    def _focus_when_shown(field: w.Widget | None) -> None:
        """Put the keyboard's focus on ``field`` once the browser shows it. A focus request sent before
        the browser has made the field's view is dropped, so wait for its view count (which the browser
        sends when it shows the field), then ask once."""
        if field is None:
            return

        def shown(change: dict) -> None:
            if change["new"]:
                field.unobserve(shown, "_view_count")
                field.focus()

        field._view_count = 0
        field.observe(shown, "_view_count")

    def next_week(self) -> None:
        """Move the exercise on a week: new timeline events and scores appear and can be revised for."""
        if self.case_viewer is None or self.controls is None:
            return
        self.case_viewer.advance()
        week = self.case_viewer.week
        if self.editor is not None:
            self.editor.week = week  # the critique follows the editor's week
        elif self.critique is not None:
            self.critique.week = week
        self.controls.set_week(week)

    # --- plumbing ----------------------------------------------------------------------------------------

    def _load_assignments(self) -> None:
        try:
            person = self.store.find_person(self.user, actor=self.user)
            assignments = self.store.list_assigned_cases(trainee=self.user, actor=self.user)
        except ITPError as exc:
            self.header.value = text_html("ITP Toolkit — trainee workspace", "h2")
            self.message.value = str(exc)
            self.open_button.disabled = True
            return
        self.header.value = text_html(f"{isolate(person.display_name)}'s treatment plans", "h1") + text_html(
            "ITP Toolkit · trainee workspace", "p", "itp-muted"
        )
        options = []
        for case_id in dict.fromkeys(a.case_id for a in assignments):
            case = self._cases.get(case_id)
            if case is not None:
                options.append((case.title, case_id))
        self.case_picker.options = options
        self.case_picker.value = None
        if not options:
            self.message.value = "No cases are assigned to you yet. Ask your supervisor."

    def _edited(self, change: dict) -> None:
        session, controls = self.session, self.controls
        if session is None or controls is None:
            return
        try:
            session.edit(change["new"])
        except ITPError as exc:
            controls.error_label.value = str(exc)
            if self.editor is not None:
                self.editor.set_plan(session.plan)
            return
        controls.plan_edited()

    def _reply(self, annotation_id: int, body: str) -> None:
        """A trainee's answer in a comment thread: stored, then the threads shown again with it."""
        self.store.reply(annotation_id, body, actor=self.user)
        if self.feedback is not None and self.editor is not None:
            self.feedback.refresh()
            self.editor.show_comments(self.feedback.annotations, self.feedback.names)

    def _dismissals(self, draft_id: int) -> list:
        """Findings the supervisor marked not applicable here (released feedback); none if the store says
        no."""
        try:
            return self.store.list_dismissals(draft_id, actor=self.user)
        except ITPError:
            return []

    def _workshop_phase(self, workshop: Workshop) -> None:
        """The workshop moved on (the page's timer noticed): once drafting is over, the editor turns read-only
        at once; the workshop strip above it says why."""
        if self._workshop_id != workshop.id or workshop.phase == "drafting":
            return
        self._frozen = True
        if self.editor is not None:
            self.editor.disabled = True
        if self.outline is not None:
            self.outline.set_editable(False)
        if self.controls is not None:
            self.controls.freeze()

    def _session_changed(self, session: DraftSession) -> None:
        if self.editor is not None:
            self.editor.disabled = session.locked or self._frozen
        if self.outline is not None:
            self.outline.set_editable(not (session.locked or self._frozen))
        if self.critique is not None and self.critique.plan != session.plan:
            # The session's plan carries what changed for each event revised for; critique reads that one.
            self.critique.plan = session.plan
        if (session.revision > 0, session.locked) != getattr(self, "_plans_state", None):
            # First saved, or handed in: My plans says so.
            self._plans_state = (session.revision > 0, session.locked)
            self.my_plans.refresh()
        if session.revision != self._last_revision:
            self._last_revision = session.revision
            if self.history is not None:
                self.history.refresh()
        if self.feedback is not None:
            if session.draft_status != getattr(self, "_shown_status", None):
                self._shown_status = session.draft_status
                if session.draft_status == "in_progress":
                    # The first save of a new draft: the banner follows, no store read (nothing released).
                    self.feedback.show_status(session.draft_status, session.revision)
                else:
                    # Submitted, returned or signed off: the banner says so, with the latest feedback.
                    self.feedback.refresh()
                    if self.editor is not None:
                        self.editor.show_comments(self.feedback.annotations, self.feedback.names)
                    if self.outline is not None:
                        self.outline.show(session.plan, self.feedback.annotations, self.feedback.names)
            if self.feedback.annotations and self.feedback.plan is not session.plan:
                self.feedback.set_plan(session.plan)

    def _plan_replaced(self) -> None:
        """The session's plan changed under the editor (reload, revise): show it. Revising from the outline
        is editing: the editor opens with the new revision."""
        if self.outline is not None:
            self.edit_plan()
        if self.session is not None and self.editor is not None and self.editor.plan != self.session.plan:
            self.editor.set_plan(self.session.plan)

    def _close_draft(self) -> None:
        for old in self.body.children:  # the columns and boxes around the parts, too
            close_tree(old)
        for part in (
            self.critique,
            self.editor,
            self.outline,
            self.case_viewer,
            self.controls,
            self.history,
            self.feedback,
        ):
            if part is not None:
                part.close()


def trainee_workspace(
    workspace: Any = None,
    *,
    user: str | None = None,
    store: PlanStore | None = None,
    case_library: Mapping[str, CaseStudy] | str | Path | None = None,
    autosave_delay: float = 1.5,
) -> w.Widget:
    """The trainee page for ``workspace`` (a Workspace, a directory, or ``$ITP_WORKSPACE``).

    ``store`` and ``case_library`` override the workspace's; ``user`` is used only without JupyterHub.
    Errors (no workspace, unknown user) come back as a page that says what to do, not a traceback.
    """
    try:
        page = page_context(workspace, user=user, store=store, case_library=case_library)
    except ITPError as exc:
        return page_root(
            w.VBox(
                [
                    w.HTML(text_html("ITP Toolkit — trainee workspace", "h2")),
                    w.Label(str(exc), _dom_classes=("itp-app-message",)),
                ],
                _dom_classes=(
                    "itp-trainee-workspace",
                    "itp-app-error",
                ),
            )
        )
    with batched_open():  # the page (and the case reopened in it) opens in one batch
        return TraineeWorkspace(
            page.store, page.user, page.cases, autosave_delay=autosave_delay, plot_cache=page.plot_cache
        )
