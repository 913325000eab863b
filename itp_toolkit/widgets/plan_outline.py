"""The plan read as a document, with "Edit plan": where the editor will be, until the trainee edits.

A reopened page shows the plan the trainee saved last as one block of escaped HTML (``views.review``'s
``plan_document_html``, the supervisor's reading of a plan) and the released comments on its parts under
their numbered titles (``views.feedback``). A large plan's editor is about 700 widgets; this is five. The
page builds the editor in its place when the trainee presses "Edit plan" (``edit()``, its Python twin) or
does anything else that edits the plan. Critique findings link to the parts here as they do in the editor
(the same fragment ids), so a finding's link still scrolls to its element.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ipywidgets as w

from ..model import Annotation, CaseStudy, TreatmentPlan
from ..views.feedback import element_threads_html
from ..views.html import text_html
from ..views.review import element_labels, plan_document_html
from ._common import css, shared


class PlanOutline(w.VBox):
    """One plan, read-only, and the button that opens it in the editor."""

    def __init__(
        self,
        plan: TreatmentPlan,
        case: CaseStudy,
        *,
        on_edit: Callable[[], None],
        editable: bool = True,
        **kwargs: Any,
    ):
        self._case = case
        self._on_edit = on_edit
        self.plan = plan
        self.annotations: list[Annotation] = []
        self.names: dict[str, str] = {}
        self.edit_button = w.Button(
            description="Edit plan",
            tooltip="Open the plan in the editor to change it",
            button_style="primary",
            layout=w.Layout(width="auto"),  # its own: hidden while the plan is read-only
            _dom_classes=("itp-edit-plan",),
        )
        self.edit_button.on_click(lambda _: self.edit())
        make = shared()
        self.document = make(w.HTML, classes=("itp-plan-document",))
        heading = make(w.HTML, text_html("Your plan", "h3"), classes=("itp-plan-document-heading",))
        bar = make(w.HBox, [heading, self.edit_button], classes=("itp-toolbar", "itp-plan-outline-bar"))
        super().__init__([bar, self.document], **kwargs)
        css(self, "itp-plan-outline-view")
        self.set_editable(editable)
        self._render()

    @property
    def case(self) -> CaseStudy:
        return self._case

    @property
    def editable(self) -> bool:
        return self.edit_button.layout.display != "none"

    def edit(self) -> None:
        """What pressing "Edit plan" does: the page builds the editor in this one's place."""
        if self.editable:
            self._on_edit()

    def set_editable(self, editable: bool) -> None:
        """A submitted, signed-off or frozen plan is only read: no "Edit plan" then."""
        self.edit_button.layout.display = None if editable else "none"

    def show(
        self,
        plan: TreatmentPlan,
        annotations: Iterable[Annotation] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        """Show ``plan`` (and, when given, the released comments on its parts instead of the last ones)."""
        self.plan = plan
        if annotations is not None:
            self.annotations = list(annotations)
        if names is not None:
            self.names = dict(names)
        self._render()

    def _render(self) -> None:
        value = plan_document_html(self.plan, self._case, anchors=True)
        threads = element_threads_html(self.annotations, self.names, element_labels(self.plan))
        if threads:
            value += text_html("Comments on parts of the plan", "h3", "itp-plan-document-heading") + threads
        if self.document.value != value:
            self.document.value = value
