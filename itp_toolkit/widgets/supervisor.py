"""The supervisor's review page: the queue of plans waiting, one plan reviewed and decided, plans compared.

The first screen answers "whose plans are waiting for me?": every plan handed in to this supervisor, waiting
ones first, each opened with one click. An opened plan reads as a document beside its critique, comment
threads (resolve a trainee's reply there), the rubric (a level and a comment per criterion) and the decision:
release, return for revision with a summary, or sign off, each irreversible step confirmed first.

Thin on purpose: tables and text come from ``itp_toolkit.views.review`` and ``itp_toolkit.compare`` (pure,
escaped), every write is one store method (one transaction; the store checks role and cohort again). Each
action has a Python twin (``open_draft``, ``load``, ``compare``, ``select_draft``, ``annotate``, ``score``,
``release``, ``return_for_revision``, ``sign_off``, ``resolve``) so tests drive the page without a browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import ipywidgets as w
import pandas as pd
from markupsafe import escape

from ..checks import Finding, critique, individualization_score
from ..checks.rubrics import default_rubric, evidence_by_criterion
from ..compare.by_element import ElementRow, compare_by_element
from ..compare.cohort import (
    CATEGORY_TITLES,
    CohortDraft,
    choices_frame,
    cohort_table,
    group_anchors,
    group_choice,
    individualization_alt,
    individualization_frame,
    individualization_histogram,
    similarity_alt,
    similarity_heatmap,
    similarity_matrix,
    trainee_labels,
)
from ..compare.scores import mean_score
from ..errors import ITPError, PermissionDenied
from ..model import Annotation, CaseStudy, Dismissal, Rubric
from ..model.annotation import AnnotationTag
from ..model.base import isolate
from ..store import PlanStore
from ..store.records import DraftSummary, Submission
from ..views.html import image_html
from ..views.measures import figure_png
from ..views.review import (
    QueueRow,
    compare_html,
    critique_html,
    element_labels,
    history_html,
    history_steps,
    plan_document_html,
    queue_summary,
    review_queue,
    rubric_levels_html,
    status_words,
    table_html,
    thread_html,
    when_words,
)
from ._common import Factory, button, css, page_root, text_html

TAGS: tuple[AnnotationTag, ...] = ("strength", "concern", "question", "risk", "cultural")
ALL_COHORTS = -1
"""The cohort picker's 'All my cohorts' (a Dropdown value cannot be None and still be a choice)."""
Decision = Literal["return", "sign_off"]


def frame_html(
    frame: pd.DataFrame, columns: list[str], *, cls: str, headers: Sequence[str] | None = None
) -> str:
    """A DataFrame as a table with every cell escaped and human ``headers`` (default: the column names).

    Built with ``escape`` and plain joins: a 1,000-trainee cohort table has tens of thousands of cells."""
    rows = (
        ["" if pd.isna(v) else v for v in record]
        for record in frame[columns].itertuples(index=False, name=None)
    )
    return table_html(list(headers or columns), rows, cls=cls)


def _button(description: str, cls: str, *, style: str = "", tooltip: str = "") -> w.Button:
    return button(description, tooltip=tooltip, classes=(cls,), button_style=style)


class SupervisorReview(w.VBox):
    """The whole review page for one supervisor."""

    def __init__(
        self,
        store: PlanStore,
        user: str,
        cases: Mapping[str, CaseStudy],
        *,
        rubric: Rubric | None = None,
        now: Callable[[], dt.datetime] | None = None,
        **kwargs: Any,
    ):
        self.store = store
        self.user = user
        self.cases = dict(cases)
        self.rubric = rubric or default_rubric()
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self.names: dict[str, str] = {}
        self.queue: list[QueueRow] = []
        self.case: CaseStudy | None = None
        self.drafts: list[CohortDraft] = []
        self.current: CohortDraft | None = None
        self.submissions: list[Submission] = []
        self.annotations: list[Annotation] = []
        self.findings: list[Finding] = []
        """Critique findings on the draft under review (what ``dismiss`` can mark not applicable)."""
        self.comparison: list[ElementRow] | None = None
        self.table: pd.DataFrame | None = None
        self.pending: Decision | None = None
        self._mean_scores: dict[int, float | None] = {}
        self._syncing = False

        self.header = w.HTML(text_html("Supervision", "h2"))
        self.message = w.Label(_dom_classes=("itp-sup-message",), layout=w.Layout(width="auto"))
        # --- the queue
        self.queue_summary = w.HTML(_dom_classes=("itp-sup-queue-summary",))
        self.queue_box = w.GridBox(
            layout=w.Layout(grid_template_columns="minmax(160px, 1.1fr) 2fr 1.2fr 1.3fr", width="100%"),
            _dom_classes=("itp-sup-queue",),
        )
        self.refresh_queue_button = _button("Refresh the list", "itp-sup-refresh-queue")
        # --- a cohort and a case, for comparing and the cohort overview
        self.cohort_picker = w.Dropdown(
            description="Cohort", options=[], layout=w.Layout(width="auto"), _dom_classes=("itp-sup-cohort",)
        )
        # As wide as the longest title needs: the row wraps and the picker takes a line of its own when the
        # title is longer than what the cohort picker and the buttons leave (a select cannot wrap its text).
        self.case_picker = w.Dropdown(
            description="Case",
            options=[],
            layout=w.Layout(width="auto", flex="1 1 auto", min_width="30em", max_width="100%"),
            _dom_classes=("itp-sup-case",),
        )
        self.load_button = _button("Show drafts", "itp-sup-load", style="primary")
        self.anonymize = w.Checkbox(
            description="Hide trainees' names", value=False, indent=False, _dom_classes=("itp-sup-anonymize",)
        )
        self.drafts_html = w.HTML(_dom_classes=("itp-sup-drafts",))
        # --- one plan under review
        self.draft_picker = w.Dropdown(
            description="Plan", options=[], layout=w.Layout(width="560px"), _dom_classes=("itp-sup-draft",)
        )
        self.review_title = w.HTML(_dom_classes=("itp-sup-review-title",))
        self.history_html = w.HTML(_dom_classes=("itp-sup-history",))
        self.plan_html = w.HTML(_dom_classes=("itp-sup-plan",))
        self.critique_html = w.HTML(_dom_classes=("itp-sup-critique",))
        self.threads_box = w.VBox(_dom_classes=("itp-sup-threads",))
        self.element_picker = w.Dropdown(
            description="About", options=[], layout=w.Layout(width="95%"), _dom_classes=("itp-sup-element",)
        )
        self.tag_picker = w.SelectMultiple(
            description="Tags",
            options=list(TAGS),
            rows=5,
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-sup-tags",),
        )
        self.comment = w.Textarea(
            description="Your comment",
            placeholder="Your comment on this part of the plan",
            layout=w.Layout(width="95%", height="70px"),
            _dom_classes=("itp-sup-comment",),
        )
        self.group = w.Checkbox(
            description="Also on every plan that made the same choice",
            value=False,
            indent=False,
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-sup-group",),
        )
        self.add_comment_button = _button("Add comment", "itp-sup-add-comment", style="info")
        self.annotations_html = w.HTML(_dom_classes=("itp-sup-annotations",))
        self.score_pickers: dict[str, w.Dropdown] = {}
        self.score_comments: dict[str, w.Text] = {}
        self.criterion_html: dict[str, w.HTML] = {}
        """Each criterion's levels, and what the critique found that bears on it (for the draft open)."""
        score_rows: list[w.Widget] = []
        # Ten criteria x four widgets: shared layouts and styles (each is a widget too) keep the page light.
        make = Factory(description_width="initial")
        for criterion in self.rubric.criteria:
            picker = make(
                w.Dropdown,
                description=criterion.title,
                options=[("not scored", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4)],
                value=0,
                layout=make.layout(width="auto", flex="0 0 auto"),  # never squeezed by the comment beside it
                classes=("itp-sup-score", f"itp-sup-score-{criterion.id}"),
            )
            note = make(
                w.Text,
                description=f"Comment on {criterion.title.lower()}",
                placeholder="Why this level",
                layout=make.layout(width="auto", flex="1 1 auto"),
                classes=("itp-sup-score-comment", f"itp-sup-score-comment-{criterion.id}"),
            )
            self.score_pickers[criterion.id] = picker
            self.score_comments[criterion.id] = note
            self.criterion_html[criterion.id] = make(w.HTML, rubric_levels_html(criterion))
            score_rows.append(self.criterion_html[criterion.id])
            score_rows.append(
                make(w.HBox, [picker, note], layout=make.layout(width="100%", flex_flow="row wrap"))
            )
        self.save_scores_button = _button("Save scores", "itp-sup-save-scores", style="info")
        self.summary = w.Textarea(
            description="Summary",
            placeholder="Your overall comment for the trainee, released with your decision",
            layout=w.Layout(width="95%", height="80px"),
            _dom_classes=("itp-sup-summary",),
        )
        self.release_button = _button(
            "Release feedback", "itp-sup-release", style="success", tooltip="Let the trainee see it now"
        )
        self.return_button = _button("Return for revision", "itp-sup-return", style="warning")
        self.sign_off_button = _button("Sign off", "itp-sup-sign-off", style="success")
        self.decision_hint = w.Label(_dom_classes=("itp-sup-decision-hint",), layout=w.Layout(width="auto"))
        self.confirm_text = w.Label(_dom_classes=("itp-sup-confirm-text",), layout=w.Layout(width="auto"))
        self.confirm_button = _button("Yes", "itp-sup-confirm-yes", style="danger")
        self.cancel_button = _button("Cancel", "itp-sup-confirm-cancel")
        self.confirm_box = w.HBox(
            [self.confirm_text, self.confirm_button, self.cancel_button], _dom_classes=("itp-sup-confirm",)
        )
        self.confirm_box.layout.display = "none"
        # --- compare
        self.compare_pick = w.SelectMultiple(
            description="Plans",
            options=[],
            rows=5,
            layout=w.Layout(width="560px"),
            _dom_classes=("itp-sup-compare-pick",),
        )
        self.with_reference = w.Checkbox(
            description="Include the case's reference plan",
            value=False,
            indent=False,
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-sup-reference",),
        )
        self.compare_button = _button("Compare side by side", "itp-sup-compare", style="primary")
        self.compare_html = w.HTML(_dom_classes=("itp-sup-side-by-side",))
        # --- cohort overview
        self.cohort_html = w.HTML(_dom_classes=("itp-sup-cohort-table",))
        # Figures as HTML images with a text alternative (an ipywidgets Image cannot carry one in Voila).
        self.heatmap = w.HTML(_dom_classes=("itp-sup-heatmap",))
        self.histogram = w.HTML(_dom_classes=("itp-sup-histogram",))

        self.refresh_queue_button.on_click(lambda _: self.refresh_queue())
        self.load_button.on_click(lambda _: self.load(self.cohort_picker.value, self.case_picker.value))
        self.cohort_picker.observe(lambda _: self._picked_another(), "value")
        self.case_picker.observe(lambda _: self._picked_another(), "value")
        self.compare_button.on_click(
            lambda _: self.compare(list(self.compare_pick.value), reference=self.with_reference.value)
        )
        self.draft_picker.observe(lambda ch: None if self._syncing else self.select_draft(ch["new"]), "value")
        self.add_comment_button.on_click(
            lambda _: self.annotate(
                self.element_picker.value,
                self.comment.value,
                list(self.tag_picker.value),
                group=self.group.value,
            )
        )
        self.save_scores_button.on_click(lambda _: self.score(self._scores_on_page()))
        self.release_button.on_click(lambda _: self.release())
        self.return_button.on_click(lambda _: self.ask("return"))
        self.sign_off_button.on_click(lambda _: self.ask("sign_off"))
        self.confirm_button.on_click(lambda _: self.confirm())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.anonymize.observe(lambda _: self._render_cohort(), "value")

        section = self._section
        left = w.VBox(
            [section("The plan"), self.plan_html, section("Critique"), self.critique_html],
            layout=w.Layout(flex="1 1 55%", min_width="0", padding="0 12px 0 0"),
            _dom_classes=("itp-sup-review-left",),
        )
        decision = w.VBox(
            [
                section("Decision"),
                self.summary,
                w.HBox([self.release_button, self.return_button, self.sign_off_button]),
                self.decision_hint,
                self.confirm_box,
            ],
            _dom_classes=("itp-sup-decision",),
        )
        comments = w.VBox(
            [
                self.threads_box,
                self.annotations_html,
                self.element_picker,
                self.tag_picker,
                self.comment,
                w.HBox([self.group, self.add_comment_button]),
            ]
        )
        self.tools = w.Tab(
            [comments, w.VBox([*score_rows, self.save_scores_button])], _dom_classes=("itp-sup-tools",)
        )
        self.tools.set_title(0, "Comments")
        self.tools.set_title(1, "Rubric")
        right = w.VBox(
            [decision, self.tools],
            layout=w.Layout(flex="1 1 45%", min_width="0"),
            _dom_classes=("itp-sup-review-right",),
        )
        review = w.VBox(
            [self.draft_picker, self.review_title, self.history_html, w.HBox([left, right])],
            _dom_classes=("itp-sup-review",),
        )
        compare = w.VBox(
            [
                self.compare_pick,
                w.HBox([self.with_reference, self.compare_button], layout=w.Layout(grid_gap="16px")),
                self.compare_html,
            ]
        )
        cohort = w.VBox([self.drafts_html, self.cohort_html, w.HBox([self.heatmap, self.histogram])])
        queue = w.VBox([w.HBox([self.queue_summary, self.refresh_queue_button]), self.queue_box])
        self.tabs = w.Tab([queue, review, compare, cohort], _dom_classes=("itp-sup-tabs",))
        for n, title in enumerate(("Waiting for you", "Review a plan", "Compare plans", "Cohort overview")):
            self.tabs.set_title(n, title)
        super().__init__(
            [
                self.header,
                self.message,
                w.HBox(
                    [self.case_picker, self.cohort_picker, self.load_button, self.anonymize],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                    _dom_classes=("itp-sup-pickers",),
                ),
                self.tabs,
            ],
            **kwargs,
        )
        css(self, "itp-supervisor-review")
        page_root(self)
        self._start()

    # --- Python twins of the page's actions -----------------------------------------------------------

    def refresh_queue(self) -> list[QueueRow]:
        """Every plan handed in to this supervisor, waiting ones first (the first screen)."""
        try:
            handed_in = self.store.handed_in(actor=self.user)  # one store call, however many drafts
        except ITPError as exc:
            self.message.value = str(exc)
            return []
        self._queue_drafts = {d.id: d for d, _ in handed_in}
        titles = {cid: case.title for cid, case in self.cases.items()}
        self.queue = review_queue(handed_in, self.names, titles)
        self._render_queue()
        return self.queue

    def open_draft(self, draft_id: int) -> None:
        """One click from the queue: show the drafts of that plan's case and open this one for review."""
        summary: DraftSummary | None = getattr(self, "_queue_drafts", {}).get(draft_id)
        if summary is None or summary.case_id not in self.cases:
            self.message.value = "That plan is not in your list (or its case is no longer in the library)."
            return
        self._syncing = True
        try:
            self.cohort_picker.value = ALL_COHORTS
            self.case_picker.value = summary.case_id
        finally:
            self._syncing = False
        self.load(ALL_COHORTS, summary.case_id)
        if self._draft(draft_id) is not None:
            self.draft_picker.value = draft_id
            self.select_draft(draft_id)
            self.tabs.selected_index = 1

    def load(self, cohort_id: int | None, case_id: str | None) -> None:
        """Show a case's drafts with a saved revision (in one cohort, or all the supervisor's)."""
        if cohort_id is None or not case_id or case_id not in self.cases:
            self.message.value = "Pick a cohort and a case."
            return
        try:
            # One read for the whole cohort (a thousand drafts), not one transaction per draft. Workshop
            # drafts of the same case are left to the workshop's debrief: each trainee is one column here.
            readable, unreadable = self.store.latest_plans_checked(
                case_id=case_id,
                cohort_id=None if cohort_id == ALL_COHORTS else cohort_id,
                actor=self.user,
            )
            drafts = [
                CohortDraft(s.id, s.owner, plan, s.latest_revision, s.status)
                for s, plan in readable
                if s.owner != self.user and s.workshop_id is None
            ]
            # A plan stored around the store (raw SQL) that is not valid: the others still show, and it is
            # named once, by its owner's display name and revision.
            unreadable = [(s, e) for s, e in unreadable if s.owner != self.user and s.workshop_id is None]
            names = {p.username: p.display_name for p in self.store.list_people(actor=self.user)}
            scores = {
                d.draft_id: mean_score(self.rubric, self.store.list_scores(d.draft_id, actor=self.user))
                for d in drafts
            }
        except ITPError as exc:
            self.message.value = str(exc)
            return
        self._clear_results()
        self.case = self.cases[case_id]
        self.drafts = drafts
        self._mean_scores = scores
        left_out = "".join(
            f" {isolate(names.get(s.owner, 'A trainee'))}'s latest plan (revision {s.latest_revision})"
            f" could not be read ({len(e.problems)} problem(s) in what was stored) and is left out."
            for s, e in unreadable
        )
        count = len(drafts)
        self.message.value = (
            f"{count} draft{'s' if count != 1 else ''} of {isolate(self.case.title)}.{left_out}"
        )
        self._render_cohort()

    def compare(self, draft_ids: Sequence[int], *, reference: bool = False) -> list[ElementRow] | None:
        """Two to four drafts side by side, by element; or one (or more) with the case's reference plan."""
        chosen = [d for d in (self._draft(i) for i in dict.fromkeys(draft_ids)) if d is not None]
        if self.case is None:
            self.message.value = "Pick a case and show its drafts first."
            return None
        if reference and self.case.reference_plan is None:
            self.comparison = None
            self.compare_html.value = text_html(
                "This case has no reference plan.", "p", "itp-sup-no-reference"
            )
            self.message.value = "This case has no reference plan."
            return None
        wanted = "one to four plans" if reference else "two to four plans"
        if not (1 if reference else 2) <= len(chosen) <= 4:
            self.message.value = f"Pick {wanted} to compare."
            return None
        labels = self._labels()
        plans = {labels[d.trainee]: d.plan for d in chosen}
        ref = self.case.reference_plan if reference else None
        self.comparison = compare_by_element(plans, self.case, reference=ref)
        columns = [*plans, *(["Reference plan"] if ref is not None else [])]
        caption = "Plans side by side, aligned by problem, goal, objective and intervention"
        self.compare_html.value = compare_html(self.comparison, columns, caption=caption)
        shown = [*plans, *(["the reference plan"] if ref is not None else [])]
        self.message.value = f"Comparing {', '.join(shown[:-1])} and {shown[-1]}."
        return self.comparison

    def select_draft(self, draft_id: int | None) -> None:
        """Make a draft the one being read, commented, scored and decided."""
        draft = self._draft(draft_id)
        self.current = draft
        self._hide_confirm()
        if draft is None or self.case is None:
            self.element_picker.options = []
            for html in (self.history_html, self.plan_html, self.critique_html):
                html.value = ""
            self.review_title.value = text_html(
                "Open a plan from Waiting for you, or show a case's drafts and pick one here.", "p"
            )
            self.threads_box.children = ()
            return
        labels = element_labels(draft.plan)
        self.element_picker.options = [("The whole plan", "")] + [
            (labels.get(e.id) or "An element without a heading", e.id)
            for e in draft.plan.elements()
            if e.id in labels
        ]
        self.element_picker.value = ""
        self.plan_html.value = plan_document_html(draft.plan, self.case)
        self.findings = critique(draft.plan, self.case)
        self.critique_html.value = critique_html(self.findings, labels)
        evidence = evidence_by_criterion(self.rubric, self.findings)
        for criterion in self.rubric.criteria:
            self.criterion_html[criterion.id].value = rubric_levels_html(
                criterion, [f.message for f in evidence[criterion.id]]
            )
        try:
            mine = [
                s
                for s in self.store.list_scores(draft.draft_id, revision=draft.revision, actor=self.user)
                if s.rater == self.user and s.rubric_id == self.rubric.id
            ]
        except ITPError as exc:
            self.message.value = str(exc)
            mine = []
        for cid, picker in self.score_pickers.items():
            given = next((s for s in mine if s.criterion_id == cid), None)
            picker.value = given.score if given else 0
            self.score_comments[cid].value = given.comment if given else ""
        self._render_review()

    def dismiss(self, finding: Finding, reason: str) -> Dismissal | None:
        """Mark a critique finding on the draft under review 'not applicable here', with the reason the
        trainee will read once feedback is released."""
        draft = self.current
        if draft is None:
            self.message.value = "Pick a plan to review first."
            return None
        try:
            decision = self.store.dismiss_finding(
                draft.draft_id, finding, reason, revision=draft.revision, actor=self.user
            )
        except ITPError as exc:
            self.message.value = str(exc)
            return None
        self.message.value = "Marked not applicable here; the trainee sees it with your reason once released."
        return decision

    def annotate(self, element_id: str | None, body: str, tags: list[str], *, group: bool = False) -> int:
        """Comment on an element of the draft under review (or, with ``group``, on every draft that made the
        same choice). Returns how many comments were written."""
        draft = self.current
        if draft is None or self.case is None:
            self.message.value = "Pick a plan to review first."
            return 0
        if not body.strip():
            self.message.value = "Write the comment first."
            return 0
        known = {e.id for e in draft.plan.elements()}
        element = element_id or None
        if element is not None and element not in known:
            self.message.value = "That element is not in this draft."
            return 0
        try:
            if group and element is not None:
                choice = group_choice(draft.plan, self.case, element)
                if choice is None:
                    self.message.value = "This element makes no choice other plans can share."
                    return 0
                anchors = group_anchors(self.drafts, self.case, choice[0], choice[1])
                made = self.store.annotate_drafts(anchors, body, tags=tags, actor=self.user)  # type: ignore[arg-type]
                count = len(made)
                self.message.value = (
                    f"Comment added to {count} plan{'s' if count != 1 else ''} "
                    f"({CATEGORY_TITLES[choice[0]].lower()})."
                )
            else:
                self.store.add_annotation(
                    draft.draft_id,
                    body,
                    element_id=element,
                    revision=draft.revision,
                    tags=tags,  # type: ignore[arg-type]
                    actor=self.user,
                )
                count = 1
                self.message.value = "Comment added (not yet released)."
        except ITPError as exc:
            self.message.value = str(exc)
            return 0
        self.comment.value = ""
        self._render_review()
        return count

    def score(self, scores: Mapping[str, int | tuple[int, str]]) -> int:
        """Save this supervisor's scoring of the draft under review, all criteria at once (one transaction):
        ``{criterion_id: level}`` or ``{criterion_id: (level, comment)}``."""
        draft = self.current
        if draft is None:
            self.message.value = "Pick a plan to review first."
            return 0
        try:
            self.store.score_draft(
                draft.draft_id,
                self.rubric.id,
                {cid: (int(v[0]), v[1]) if isinstance(v, tuple) else int(v) for cid, v in scores.items()},
                revision=draft.revision,
                actor=self.user,
            )
            self._mean_scores[draft.draft_id] = mean_score(
                self.rubric, self.store.list_scores(draft.draft_id, actor=self.user)
            )
        except ITPError as exc:
            self.message.value = str(exc)
            return 0
        self.message.value = f"{len(scores)} score{'s' if len(scores) != 1 else ''} saved (not yet released)."
        self._render_drafts()
        return len(scores)

    def release(self) -> int:
        """Let the trainee see every comment and score on the draft under review."""
        draft = self.current
        if draft is None:
            self.message.value = "Pick a plan to review first."
            return 0
        try:
            count = self.store.release_feedback(draft.draft_id, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return 0
        self.message.value = f"Released {count} item{'s' if count != 1 else ''} to the trainee."
        self._render_review()
        return count

    def ask(self, decision: Decision) -> None:
        """Show the confirmation for a decision (the button's first click); ``confirm`` carries it out."""
        draft = self.current
        if draft is None:
            self.message.value = "Pick a plan to review first."
            return
        if decision == "return" and not self.summary.value.strip():
            self.message.value = "Write a summary for the trainee first: what to revise and why."
            return
        name = self._labels().get(draft.trainee, "the trainee")
        self.pending = decision
        if decision == "return":
            self.confirm_text.value = (
                f"Return {name}'s plan for revision? Your summary and all feedback are released with it."
            )
            self.confirm_button.description = "Yes, return it"
        else:
            self.confirm_text.value = f"Sign off {name}'s plan? It stays read-only; all feedback is released."
            self.confirm_button.description = "Yes, sign it off"
        self.confirm_box.layout.display = "flex"

    def confirm(self) -> Submission | None:
        decision, self.pending = self.pending, None
        self._hide_confirm()
        if decision == "return":
            return self.return_for_revision(self.summary.value)
        if decision == "sign_off":
            return self.sign_off(self.summary.value)
        return None

    def cancel(self) -> None:
        self.pending = None
        self._hide_confirm()
        self.message.value = "Nothing was changed."

    def return_for_revision(self, summary: str) -> Submission | None:
        """Return the submitted draft with a summary comment, releasing all its feedback (one transaction)."""
        return self._decide("return", summary)

    def sign_off(self, summary: str = "") -> Submission | None:
        """Sign the submitted draft off (with an optional summary), releasing all its feedback."""
        return self._decide("sign_off", summary)

    def resolve(self, annotation_id: int, resolved: bool = True) -> Annotation | None:
        """Mark a comment thread dealt with (or reopen it)."""
        try:
            done = self.store.resolve(annotation_id, resolved=resolved, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return None
        self.message.value = "Thread marked resolved." if resolved else "Thread reopened."
        self._render_review()
        return done

    # --- rendering ------------------------------------------------------------------------------------

    @staticmethod
    def _section(title: str) -> w.HTML:
        return w.HTML(text_html(title, "h3", "itp-sup-section"))

    def _start(self) -> None:
        try:
            me = self.store.find_person(self.user, actor=self.user)
            if me.role != "supervisor":
                raise PermissionDenied(f"{self.user} is not a supervisor; this page is for supervisors")
            cohorts = self.store.list_cohorts(actor=self.user)
            assignments = self.store.list_assigned_cases(actor=self.user)
            self.names = {p.username: p.display_name for p in self.store.list_people(actor=self.user)}
        except ITPError as exc:
            self.message.value = str(exc)
            for control in (
                self.cohort_picker,
                self.case_picker,
                self.load_button,
                self.refresh_queue_button,
            ):
                control.disabled = True
            return
        self.header.value = text_html(f"Supervision — {isolate(me.display_name)}", "h2")
        self._syncing = True
        try:
            self.cohort_picker.options = [("All my cohorts", ALL_COHORTS)] + [(c.name, c.id) for c in cohorts]
            case_ids = list(dict.fromkeys(a.case_id for a in assignments if a.case_id in self.cases))
            self.case_picker.options = [(self.cases[c].title, c) for c in case_ids]
            self.cohort_picker.value = ALL_COHORTS
            self.case_picker.value = case_ids[0] if case_ids else None
        finally:
            self._syncing = False
        if not cohorts:
            self.message.value = "You are not in any cohort yet."
        self.refresh_queue()

    def _picked_another(self) -> None:
        """A new cohort or case: what was shown belongs to the old one, so it goes."""
        if self._syncing:
            return
        self._clear_results()
        self.drafts = []
        self.case = None
        self.message.value = "Press Show drafts to see this case's drafts."

    def _clear_results(self) -> None:
        self.comparison = None
        self.compare_html.value = ""
        self.cohort_html.value = ""
        self.drafts_html.value = ""
        self.heatmap.value = ""
        self.histogram.value = ""
        self._syncing = True
        try:
            self.draft_picker.options = []
            self.compare_pick.options = []
        finally:
            self._syncing = False
        self.select_draft(None)

    def _labels(self) -> dict[str, str]:
        """Username -> what the page shows: display names (distinct), or 'Trainee A' when anonymized."""
        users = sorted({d.trainee for d in self.drafts} | ({self.current.trainee} if self.current else set()))
        if self.anonymize.value:
            return trainee_labels(users, anonymized=True)
        out: dict[str, str] = {}
        for user in users:
            name = self.names.get(user, user)
            n = 2
            shown = name
            while shown in out.values():
                shown, n = f"{name} ({n})", n + 1
            out[user] = shown
        return out

    def _draft(self, draft_id: int | None) -> CohortDraft | None:
        return next((d for d in self.drafts if d.draft_id == draft_id), None)

    def _scores_on_page(self) -> dict[str, int | tuple[int, str]]:
        return {
            cid: (picker.value, self.score_comments[cid].value.strip())
            for cid, picker in self.score_pickers.items()
            if picker.value
        }

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"

    def _decide(self, decision: Decision, summary: str) -> Submission | None:
        draft = self.current
        if draft is None:
            self.message.value = "Pick a plan to review first."
            return None
        if decision == "return" and not summary.strip():
            self.message.value = "Write a summary for the trainee first: what to revise and why."
            return None
        name = self._labels().get(draft.trainee, "the trainee")
        try:
            if decision == "return":
                done = self.store.return_draft(draft.draft_id, summary=summary, actor=self.user)
            else:
                done = self.store.sign_off(draft.draft_id, summary=summary or None, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return None
        status = "returned" if decision == "return" else "accepted"
        self.drafts = [replace(d, status=status) if d.draft_id == draft.draft_id else d for d in self.drafts]
        self.current = self._draft(draft.draft_id)
        self.summary.value = ""
        self.message.value = (
            f"Returned to {name} for revision; your summary and feedback are released."
            if decision == "return"
            else f"Signed off {name}'s plan; your feedback is released."
        )
        self._render_drafts()
        self._render_review()
        self.refresh_queue()
        return done

    def _render_queue(self) -> None:
        self.queue_summary.value = text_html(queue_summary(self.queue), "p")
        waiting = sum(r.waiting for r in self.queue)
        self.tabs.set_title(0, f"Waiting for you ({waiting})" if waiting else "Waiting for you")
        head = [
            w.HTML(text_html(t, "div", "itp-queue-head"), layout=w.Layout(width="auto"))
            for t in ("Trainee", "Case", "Handed in", "State")
        ]
        cells: list[w.Widget] = list(head)
        now = self._now()
        for row in self.queue:
            kind = "itp-queue-waiting" if row.waiting else "itp-queue-done"
            open_button = button(
                row.trainee,
                tooltip=f"Open {row.trainee}'s plan for {row.case_title}",
                classes=("itp-sup-open", kind, f"itp-sup-open-{row.draft_id}"),
            )
            open_button.on_click(lambda _, d=row.draft_id: self.open_draft(d))
            revision = f"revision {row.revision}, " if row.revision else ""
            cells += [
                open_button,
                w.HTML(text_html(row.case_title, "div", f"itp-queue-cell {kind}")),
                w.HTML(
                    text_html(revision + when_words(row.submitted_at, now), "div", f"itp-queue-cell {kind}")
                ),
                w.HTML(
                    f'<div class="itp-queue-cell {kind}"><span class="itp-queue-status">'
                    f"{escape(status_words(row.status))}</span></div>"
                ),
            ]
        old = list(self.queue_box.children)
        self.queue_box.children = cells if self.queue else []
        for widget in old:
            widget.close()

    def _render_drafts(self) -> None:
        labels = self._labels()
        ordered = sorted(self.drafts, key=lambda d: labels[d.trainee])
        rows = [
            (
                labels[d.trainee],
                d.revision,
                status_words(d.status),
                "—"
                if self._mean_scores.get(d.draft_id) is None
                else f"{self._mean_scores[d.draft_id]:.1f} of 4",
            )
            for d in ordered
        ]
        caption = f"Drafts of {self.case.title}" if self.case else "Drafts"
        self.drafts_html.value = table_html(
            ["Trainee", "Latest revision", "State", "Mean rubric level"], rows, caption=caption
        )
        options = [
            (f"{labels[d.trainee]} — revision {d.revision}, {status_words(d.status).lower()}", d.draft_id)
            for d in ordered
        ]
        self._syncing = True
        try:
            keep = self.draft_picker.value
            self.draft_picker.options = options
            self.draft_picker.value = keep if any(v == keep for _, v in options) else None
            chosen = tuple(v for v in self.compare_pick.value if any(v == o for _, o in options))
            self.compare_pick.options = options
            self.compare_pick.value = chosen or tuple(v for _, v in options[:2])
        finally:
            self._syncing = False

    def _render_review(self) -> None:
        draft = self.current
        if draft is None:
            return
        try:
            self.annotations = self.store.list_annotations(draft.draft_id, actor=self.user)
            self.submissions = self.store.list_submissions(draft.draft_id, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        name = self._labels().get(draft.trainee, "")
        case_title = self.case.title if self.case else ""
        self.review_title.value = text_html(
            f"{name} — {case_title} — revision {draft.revision} — {status_words(draft.status)}", "h3"
        )
        self.history_html.value = text_html("Submission history", "h4") + history_html(
            history_steps(self.submissions, self.names)
        )
        self._render_threads()
        waiting = draft.status == "submitted"
        self.return_button.disabled = self.sign_off_button.disabled = not waiting
        self.decision_hint.value = (
            ""
            if waiting
            else "Signed off: no further decision."
            if draft.status == "accepted"
            else "Return and sign off become available when the trainee submits this plan."
        )

    def _render_threads(self) -> None:
        draft = self.current
        if draft is None:
            return
        labels = element_labels(draft.plan)
        roots = [a for a in self.annotations if a.parent_id is None]
        replies: dict[int, list[Annotation]] = {}
        for a in self.annotations:
            if a.parent_id is not None:
                replies.setdefault(a.parent_id, []).append(a)
        rows: list[w.Widget] = []
        for root in roots:
            where = (
                "The whole plan"
                if root.element_id is None
                else labels.get(root.element_id, "A part of the plan since removed")
            )
            html = w.HTML(
                thread_html(root, replies.get(root.id or 0, []), self.names, where),
                layout=w.Layout(flex="1 1 auto", min_width="0"),
            )
            toggle = button(
                "Reopen" if root.resolved else "Mark resolved",
                tooltip=f"{'Reopen' if root.resolved else 'Mark resolved'}: {where}",
                classes=("itp-sup-resolve", f"itp-sup-resolve-{root.id}"),
            )
            toggle.on_click(lambda _, a=root.id, r=not root.resolved: self.resolve(a, r))
            rows.append(w.HBox([html, toggle], _dom_classes=("itp-sup-thread-row",)))
        old = list(self.threads_box.children)
        self.threads_box.children = rows
        for row in old:
            for child in row.children:
                child.close()
            row.close()
        self.annotations_html.value = "" if roots else text_html("No comments on this plan yet.")

    def _render_cohort(self) -> None:
        if self.case is None:
            return
        self._render_drafts()
        labels = self._labels()
        shown_drafts = [replace(d, trainee=labels[d.trainee]) for d in self.drafts]
        choices = choices_frame(shown_drafts, self.case, anonymized=False)
        self.table = cohort_table(shown_drafts, self.case, anonymized=False, choices=choices)
        trainees = sorted(labels.values())
        shown = self.table.copy()
        shown["category"] = shown["category"].map(CATEGORY_TITLES)
        shown["consensus"] = (shown["consensus"] * 100).round().astype(int).astype(str) + "%"
        shown["outlier"] = shown["outlier"].map({True: "only one plan", False: ""})
        self.cohort_html.value = frame_html(
            shown,
            ["category", "label", *trainees, "count", "consensus", "outlier"],
            cls="itp-review-table",
            headers=["Kind of choice", "Choice", *trainees, "Plans", "Share of plans", "Stands out"],
        )
        if self.drafts:
            matrix = similarity_matrix(shown_drafts, self.case, anonymized=False, choices=choices)
            self.heatmap.value = image_html(
                figure_png(similarity_heatmap(matrix)), similarity_alt(matrix), "itp-figure"
            )
            reference = None
            scores = individualization_frame(shown_drafts, self.case, anonymized=False)
            if self.case.reference_plan is not None:
                reference = individualization_score(self.case.reference_plan, self.case).score
            self.histogram.value = image_html(
                figure_png(individualization_histogram(scores, reference=reference)),
                individualization_alt(scores, reference=reference),
                "itp-figure",
            )
