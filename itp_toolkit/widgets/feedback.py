"""Where the draft stands and the supervisor's released feedback, at the top of the plan.

One banner says where the submission stands, in words ("Returned for revision", with the supervisor's
summary; "Signed off"), what was released ("2 new comments, rubric released") and the submission history
(submitted revision 7 → returned → submitted revision 9 → signed off). Below it: the rubric as a table
(criterion titles, the level and what it means, the supervisor's comment) and comments on the whole plan
or on parts since removed. Comments on an element sit beside that element in the editor
(``PlanEditor.show_comments``), with a marker on its header and the thread under it.

Annotations anchor to permanent element ids, so a comment written on revision 2 still sits beside its goal
in revision 5, even if the goal was reworded or moved. The store only returns *released* feedback to the
trainee; this widget adds no rule of its own. People appear by display name, never by login; all text is
escaped (``views.feedback``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from ..errors import ITPError
from ..model import Annotation, Rubric, RubricScore, TreatmentPlan
from ..store import PlanStore
from ..views.critique import element_text
from ..views.feedback import (
    feedback_summary,
    rubric_table,
    status_html,
    submission_steps,
    thread_html,
)
from ._common import auto_layout, css, shared


class FeedbackView(w.VBox):
    """The draft's state in supervision and its released feedback, for one draft."""

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
        self.rubrics = list(rubrics)
        if not self.rubrics:
            from ..checks.rubrics import default_rubric

            self.rubrics = [default_rubric()]
        self.annotations: list[Annotation] = []
        self.scores: list[RubricScore] = []
        self.submissions: list = []
        self.status = "empty"
        self.latest_revision = 0
        self.names: dict[str, str] = {}
        self.summary = ""
        """'2 new comments, rubric released' ('' when nothing is released)."""
        self.error = ""
        self.state = shared()(w.HTML, classes=("itp-draft-status", "itp-feedback-state"))
        self.details = w.HTML(_dom_classes=("itp-feedback-items",))
        self.refresh_button = w.Button(
            description="Check for feedback",
            tooltip="Look for feedback your supervisor has released since the page opened",
            layout=auto_layout(),
            _dom_classes=("itp-feedback-refresh",),
        )
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__([self.state, self.details, self.refresh_button], **kwargs)
        css(self, "itp-feedback")
        self.refresh()

    # --- reading -----------------------------------------------------------------------------------------

    def set_plan(self, plan: TreatmentPlan) -> None:
        """Place the same feedback beside the elements of another revision (the one on screen)."""
        self.plan = plan
        self._render()

    def refresh(self) -> None:
        """Read the draft's status, submissions and released feedback again."""
        try:
            draft = self._store.get_draft(self.draft_id, actor=self.actor)
            self.status, self.latest_revision = draft.status, draft.latest_revision
            self.submissions = self._store.list_submissions(self.draft_id, actor=self.actor)
            self.annotations = self._store.list_annotations(self.draft_id, actor=self.actor)
            self.scores = self._store.list_scores(self.draft_id, actor=self.actor)
            self._learn_names({a.author for a in self.annotations} | {s.rater for s in self.scores})
        except ITPError as exc:
            self.error = f"Feedback unavailable: {exc}"
        else:
            self.error = ""
        self._render()

    def show_status(self, status: str, latest_revision: int) -> None:
        """The draft's state changed by the trainee's own save ('Not started' -> 'Draft in progress'): show it
        without reading the store again (a save releases no feedback and hands nothing in)."""
        self.status, self.latest_revision = status, latest_revision
        self._render()

    def comments_for(self, element_id: str | None) -> list[Annotation]:
        """The comments (and replies) on one element, or on the whole plan (``None``)."""
        return [a for a in self.annotations if a.element_id == element_id]

    @property
    def orphaned(self) -> list[Annotation]:
        """Comments on elements the plan no longer has: listed apart, never dropped."""
        present = {e.id for e in self.plan.elements()}
        return [a for a in self.annotations if a.element_id is not None and a.element_id not in present]

    def _learn_names(self, logins: set[str]) -> None:
        for login in logins - self.names.keys():
            try:
                self.names[login] = self._store.find_person(login, actor=self.actor).display_name
            except ITPError:
                continue  # shown as "A supervisor", never as the login

    # --- showing -----------------------------------------------------------------------------------------

    def _summary_comment(self) -> tuple[str, str]:
        """The supervisor's overall comment on the decided submission (written with the decision)."""
        decided = [s for s in self.submissions if s.status in ("returned", "accepted")]
        if not decided:
            return "", ""
        last = decided[-1]
        overall = [
            a
            for a in self.annotations
            if a.element_id is None and a.parent_id is None and a.revision == last.revision
        ]
        if not overall:
            return "", ""
        a = overall[-1]
        return a.body, self.names.get(a.author, "A supervisor")

    def _render(self) -> None:
        self.summary = feedback_summary(self.annotations, self.scores, self.latest_revision)
        comment, by = self._summary_comment()
        banner = status_html(
            self.status,
            submission_steps(self.submissions),
            summary_comment=comment,
            summary_by=by,
            feedback=self.error or self.summary,
        )
        if self.state.value != banner:
            self.state.value = banner
        parts = [rubric_table(r, self.scores, self.names) for r in self.rubrics]
        general = [a for a in self.comments_for(None) if not comment or a.body != comment]
        if general:
            parts.append(thread_html(general, self.names, title="On the whole plan"))
        if self.orphaned:
            parts.append(
                thread_html(
                    self.orphaned,
                    self.names,
                    title="On parts you have since removed",
                )
            )
        value = "".join(p for p in parts if p)
        if self.details.value != value:
            self.details.value = value
        self.details.layout.display = "block" if value else "none"

    def element_label(self, element_id: str) -> str:
        return element_text(self.plan, element_id)
