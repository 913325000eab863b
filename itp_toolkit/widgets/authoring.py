"""For notebook authors: a plan editor bound to a stored draft, and a critique bound to an editor.

``DraftEditor`` is the trainee page's editor and autosave in one widget (``PlanEditor`` over a
``services.drafting.DraftSession``, with ``DraftControls``): what a trainee types is saved after a pause, as
on the page. ``critique_for`` builds a ``CritiquePanel`` that follows an editor (either kind).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import traitlets as t

from ..errors import ITPError
from ..model import CaseStudy, TreatmentPlan
from ..services.drafting import Clock, DraftSession
from ..store import PlanStore
from .critique_panel import CritiquePanel, connect_critique
from .drafting import DraftControls, Scheduler
from .plan_editor import PlanEditor


class DraftEditor(w.VBox):
    """A stored draft in the plan editor, saved after each pause in typing as ``actor``.

    >>> draft = store.start_draft("case-college-anxiety", actor="ana")  # doctest: +SKIP
    >>> DraftEditor(store, draft.id, "ana", case)  # doctest: +SKIP
    """

    plan = t.Instance(
        TreatmentPlan, help="The draft as typed (the session's plan, records of revisions kept)."
    )
    week = t.Int(0, help="Exercise week: only events revealed by then are offered as links.")

    def __init__(
        self,
        store: PlanStore,
        draft_id: int,
        actor: str,
        case: CaseStudy,
        *,
        autosave_delay: float = 1.5,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        **kwargs: Any,
    ):
        """``scheduler`` and ``clock`` default to the kernel's event loop and the wall clock (tests pass
        their own)."""
        self.session = DraftSession(store, draft_id, actor, case=case, clock=clock)
        week = self.session.plan.written_at_week
        self.editor = PlanEditor(self.session.plan, case, week=week)
        self.controls = DraftControls(
            self.session,
            week=week,
            autosave_delay=autosave_delay,
            scheduler=scheduler,
            on_plan_replaced=self._replaced,
        )
        super().__init__([self.controls, self.editor], **kwargs)
        self.add_class("itp-draft-editor")
        self.plan = self.session.plan
        self.week = week
        self.editor.disabled = self.session.locked
        self.editor.observe(self._edited, "plan")
        self.session.on_change(self._session_changed)

    def focus(self, element_id: str) -> bool:
        """Show an element (what clicking a critique finding does)."""
        return self.editor.focus(element_id)

    @t.observe("week")
    def _week_changed(self, change) -> None:
        if hasattr(self, "controls"):
            self.editor.week = change["new"]
            self.controls.set_week(change["new"])

    def _edited(self, change: dict) -> None:
        try:
            self.session.edit(change["new"])
        except ITPError as exc:
            self.controls.error_label.value = str(exc)
            self.editor.set_plan(self.session.plan)
            return
        self.controls.plan_edited()

    def _session_changed(self, session: DraftSession) -> None:
        self.editor.disabled = session.locked
        self.plan = session.plan

    def _replaced(self) -> None:
        if self.editor.plan != self.session.plan:
            self.editor.set_plan(self.session.plan)
        self.plan = self.session.plan


def critique_for(editor: PlanEditor | DraftEditor, **kwargs: Any) -> CritiquePanel:
    """A critique panel that follows ``editor``: reruns as it is edited, at its exercise week, and a clicked
    finding shows its element. ``kwargs`` go to ``CritiquePanel`` (``delay``, ``peers``...).

    >>> editor = PlanEditor(plan, case)  # doctest: +SKIP
    >>> widgets.HBox([editor, critique_for(editor)])  # doctest: +SKIP
    """
    case = editor.editor.case if isinstance(editor, DraftEditor) else editor.case
    kwargs.setdefault("week", editor.week)
    panel = CritiquePanel(editor.plan, case, **kwargs)
    connect_critique(editor, panel)
    return panel
