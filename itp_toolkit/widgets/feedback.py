"""The supervisor's released feedback, shown beside the plan elements it is about.

Annotations anchor to permanent element ids, so a comment written on revision 2 still sits beside its goal
in revision 5, even if the goal was reworded or moved. Comments on elements the trainee has since removed
are listed apart, never dropped. The store only returns *released* feedback to the trainee; this widget
adds no rule of its own. Supervisor text is escaped like any other text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from ..errors import ITPError
from ..model import Annotation, Rubric, RubricScore, TreatmentPlan
from ..store import PlanStore
from ..views import plan_outline
from ._common import css, list_html, text_html


def _comment_html(a: Annotation) -> str:
    tags = f" [{', '.join(a.tags)}]" if a.tags else ""
    when = f"{a.created_at:%Y-%m-%d}" if a.created_at else ""
    head = text_html(f"{a.author} on revision {a.revision} {when}{tags}".strip(), "div", "itp-feedback-meta")
    body = text_html(a.body, "div", "itp-feedback-body")
    resolved = text_html("resolved", "span", "itp-feedback-resolved") if a.resolved else ""
    return f'<div class="itp-feedback-comment">{head}{body}{resolved}</div>'


class FeedbackView(w.VBox):
    """Released comments by plan element, and released rubric scores, for one draft."""

    def __init__(
        self,
        store: PlanStore,
        draft_id: int,
        actor: str,
        plan: TreatmentPlan,
        *,
        rubrics: Iterable[Rubric] = (),
        **kwargs: Any,
    ):
        self._store = store
        self.draft_id = draft_id
        self.actor = actor
        self.plan = plan
        self._criteria = {(r.id, c.id): f"{r.title}: {c.title}" for r in rubrics for c in r.criteria}
        self.annotations: list[Annotation] = []
        self.scores: list[RubricScore] = []
        self.refresh_button = w.Button(
            description="Check for feedback", icon="refresh", _dom_classes=("itp-feedback-refresh",)
        )
        self.summary = w.Label(_dom_classes=("itp-feedback-summary",))
        self.body = w.VBox(_dom_classes=("itp-feedback-items",))
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__([w.HBox([self.refresh_button, self.summary]), self.body], **kwargs)
        css(self, "itp-feedback")
        self.refresh()

    def set_plan(self, plan: TreatmentPlan) -> None:
        """Place the same feedback beside the elements of another revision (the one on screen)."""
        self.plan = plan
        self._render()

    def refresh(self) -> None:
        try:
            self.annotations = self._store.list_annotations(self.draft_id, actor=self.actor)
            self.scores = self._store.list_scores(self.draft_id, actor=self.actor)
        except ITPError as exc:
            self.summary.value = f"Feedback unavailable: {exc}"
            return
        self._render()

    def comments_for(self, element_id: str | None) -> list[Annotation]:
        return [a for a in self.annotations if a.element_id == element_id]

    def _render(self) -> None:
        n, m = len(self.annotations), len(self.scores)
        self.summary.value = (
            f"{n} comment{'s' if n != 1 else ''} and {m} score{'s' if m != 1 else ''} released"
            if n or m
            else "No feedback released yet."
        )
        parts: list[w.Widget] = []
        general = self.comments_for(None)
        if general:
            parts.append(self._block("The whole plan", general, "itp-feedback-plan"))
        present = {e.id for e in self.plan.elements()}
        labels = {row.element_id: row.label for row in plan_outline(self.plan)}
        for element in self.plan.elements():
            comments = self.comments_for(element.id)
            if comments:
                label = labels.get(element.id) or _element_text(element)
                parts.append(self._block(label, comments, "itp-feedback-element", element.id))
        orphaned = [a for a in self.annotations if a.element_id is not None and a.element_id not in present]
        if orphaned:
            parts.append(self._block("On parts you have since removed", orphaned, "itp-feedback-removed"))
        if self.scores:
            rows = [
                f"Revision {s.revision} — {self._criteria.get((s.rubric_id, s.criterion_id), f'{s.rubric_id}: {s.criterion_id}')}: "
                f"{s.score}/4 ({s.rater})" + (f" — {s.comment}" if s.comment else "")
                for s in self.scores
            ]
            parts.append(
                w.HTML(
                    text_html("Rubric scores", "h4") + list_html(rows), _dom_classes=("itp-feedback-scores",)
                )
            )
        self.body.children = parts

    def _block(
        self, title: str, comments: list[Annotation], cls: str, element_id: str | None = None
    ) -> w.HTML:
        html = text_html(title, "h4", "itp-feedback-anchor") + "".join(_comment_html(a) for a in comments)
        block = w.HTML(
            html,
            _dom_classes=(
                "itp-feedback-block",
                cls,
            ),
        )
        if element_id is not None:
            # A class per element lets the page (and tests) find the comments beside a given element.
            block.add_class(f"itp-feedback-for-{element_id}")
        return block


def _element_text(element: Any) -> str:
    for name in ("statement", "description", "how", "mitigation", "reason", "text"):
        value = getattr(element, name, "")
        if value:
            return str(value)
    return element.id
