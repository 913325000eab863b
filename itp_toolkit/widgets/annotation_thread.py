"""A comment thread on one plan element: comments and replies, in memory or in the plan store.

In memory (no ``store``) it is a discussion prompt in a teaching notebook: nothing is saved, the thread
lives as long as the kernel. With ``store`` and ``draft_id`` every comment, reply and resolve is one store
call as ``author`` (the store decides who may comment on which draft; its refusal is shown, not raised).
Comment text is escaped like all text a person typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ipywidgets as w

from ..compare.cohort import threads
from ..errors import ITPError
from ..model import Annotation, CaseStudy, TreatmentPlan
from ..model.annotation import AnnotationTag
from ..store import PlanStore
from ._common import css, text_html
from .plan_compare import element_caption

_STYLE = """<style>
.itp-thread-comment, .itp-thread-reply { border-left: 3px solid #9aa5b1; padding: 2px 8px; margin: 6px 0; }
.itp-thread-reply { margin-left: 24px; border-left-color: #cbd2d9; }
.itp-thread-meta { font-size: 12px; color: #52606d; }
.itp-thread-resolved { font-size: 12px; color: #2f8132; }
.itp-thread-about { font-weight: 600; margin-bottom: 4px; }
</style>"""


def _comment_html(a: Annotation, reply: bool) -> str:
    when = f" {a.created_at:%Y-%m-%d %H:%M}" if a.created_at else ""
    tags = f" [{', '.join(a.tags)}]" if a.tags else ""
    cls = "itp-thread-reply" if reply else "itp-thread-comment"
    head = text_html(f"{a.author}{when}{tags}", "div", "itp-thread-meta")
    done = text_html("resolved", "span", "itp-thread-resolved") if a.resolved and not reply else ""
    return f'<div class="{cls}">{head}{text_html(a.body, "div", "itp-thread-body")}{done}</div>'


class AnnotationThread(w.VBox):
    """Comments on ``element_id`` of ``plan`` (None: the whole plan), with a box to add one. Given the
    ``case``, the heading names the case fact the element is about.

    >>> AnnotationThread(plan, "gol-sleep", author="Dr. Okafor")  # in memory  # doctest: +SKIP
    >>> AnnotationThread(plan, "gol-sleep", author="dr.okafor", store=store, draft_id=7)  # doctest: +SKIP
    """

    def __init__(
        self,
        plan: TreatmentPlan,
        element_id: str | None,
        *,
        author: str,
        store: PlanStore | None = None,
        draft_id: int | None = None,
        revision: int | None = None,
        case: CaseStudy | None = None,
        **kwargs,
    ):
        element = None
        if element_id is not None:
            element = next((e for e in plan.elements() if e.id == element_id), None)
            if element is None:
                raise ValueError(f"{element_id!r} is not an element of this plan")
        if store is not None and draft_id is None:
            raise ValueError("a store-backed thread needs the draft_id it is about")
        self.plan = plan
        self.element_id = element_id
        self.author = author
        self._store = store
        self._draft_id = draft_id
        self._revision = revision
        self._memory: list[Annotation] = []
        self.annotations: list[Annotation] = []
        """The thread as last shown, oldest first."""
        about = element_caption(element, case) if element is not None else "The whole plan"
        self.heading = w.HTML(text_html(about, "div", "itp-thread-about"), _dom_classes=("itp-thread-head",))
        self.body = w.HTML(_dom_classes=("itp-thread-items",))
        self.text = w.Textarea(
            placeholder="Add a comment", layout=w.Layout(width="96%"), _dom_classes=("itp-thread-text",)
        )
        self.button = w.Button(description="Comment", icon="comment", _dom_classes=("itp-thread-add",))
        self.message = w.Label(_dom_classes=("itp-thread-message",))
        self.button.on_click(lambda _: self.comment(self.text.value))
        super().__init__([self.heading, self.body, self.text, w.HBox([self.button, self.message])], **kwargs)
        css(self, "itp-annotation-thread")
        self.refresh()

    # --- Python twins of the controls ----------------------------------------------------------------------

    def comment(self, body: str, tags: Iterable[AnnotationTag] = ()) -> Annotation | None:
        """Add a comment: a reply to the thread when there is one, else its first comment."""
        if not body.strip():
            self.message.value = "Write the comment first."
            return None
        roots = threads(self.annotations)
        try:
            made = self._reply(roots[0][0], body) if roots else self._first(body, list(tags))
        except (ITPError, ValueError) as exc:  # a store's refusal, or text the model refuses (NUL, too long)
            self.message.value = str(exc)
            return None
        self.text.value = ""
        self.message.value = ""
        self.refresh()
        return made

    def resolve(self, resolved: bool = True) -> None:
        """Mark the thread dealt with (or reopen it)."""
        roots = threads(self.annotations)
        if not roots:
            self.message.value = "Nothing to resolve yet."
            return
        root = roots[0][0]
        try:
            if self._store is not None:
                assert root.id is not None
                self._store.resolve(root.id, resolved=resolved, actor=self.author)
            else:
                self._memory = [
                    a.model_copy(update={"resolved": resolved}) if a is root else a for a in self._memory
                ]
        except ITPError as exc:
            self.message.value = str(exc)
            return
        self.refresh()

    def refresh(self) -> None:
        """Read the thread again (store-backed: someone else may have replied)."""
        if self._store is not None:
            assert self._draft_id is not None
            try:
                every = self._store.list_annotations(self._draft_id, actor=self.author)
            except ITPError as exc:
                self.message.value = str(exc)
                every = []
            self.annotations = [a for a in every if a.element_id == self.element_id]
        else:
            self.annotations = list(self._memory)
        parts = []
        for root, replies in threads(self.annotations):
            parts.append(_comment_html(root, False))
            parts.extend(_comment_html(r, True) for r in replies)
        self.body.value = _STYLE + ("".join(parts) or text_html("No comments yet.", "p", "itp-thread-empty"))

    # --- plumbing ---------------------------------------------------------------------------------------

    def _first(self, body: str, tags: list[AnnotationTag]) -> Annotation:
        if self._store is not None:
            assert self._draft_id is not None
            return self._store.add_annotation(
                self._draft_id,
                body,
                element_id=self.element_id,
                revision=self._revision,
                tags=tags,
                actor=self.author,
            )
        return self._remember(body, tags, None)

    def _reply(self, root: Annotation, body: str) -> Annotation:
        if self._store is not None:
            assert root.id is not None
            return self._store.reply(root.id, body, actor=self.author)
        return self._remember(body, [], root.id)

    def _remember(self, body: str, tags: list[AnnotationTag], parent: int | None) -> Annotation:
        made = Annotation(
            id=len(self._memory) + 1,
            draft_id=0,
            element_id=self.element_id,
            revision=1,
            author=self.author,
            body=body,
            tags=tags,
            parent_id=parent,
            created_at=dt.datetime.now(dt.UTC),
        )
        self._memory.append(made)
        return made
