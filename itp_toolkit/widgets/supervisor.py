"""The supervisor's review widget: list a cohort's drafts of a case, compare, annotate, score, release.

Thin on purpose: every table and plot comes from ``itp_toolkit.compare`` / ``rubrics`` (pure functions),
every write goes through the store, which checks the supervisor's role and cohort again. Each action has a
Python twin (``load``, ``compare``, ``select_draft``, ``annotate``, ``score``, ``release``) so tests drive
the page without a browser. All text from people is escaped before it reaches an ``HTML`` widget.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import pandas as pd
from markupsafe import escape

from ..checks import Finding, critique, individualization_score
from ..checks.rubrics import default_rubric, evidence_by_criterion
from ..compare.alignment import element_label, side_by_side
from ..compare.cohort import (
    CATEGORY_TITLES,
    CohortDraft,
    annotation_anchors,
    choices_frame,
    cohort_table,
    group_anchors,
    group_choice,
    individualization_frame,
    individualization_histogram,
    similarity_heatmap,
    similarity_matrix,
    trainee_labels,
)
from ..compare.scores import mean_score
from ..errors import ITPError, PermissionDenied
from ..model import CaseStudy, Dismissal, Rubric
from ..model.annotation import AnnotationTag
from ..model.base import isolate
from ..store import PlanStore
from ..views import plan_outline
from ..views.measures import figure_png
from ._common import css, text_html

TAGS: tuple[AnnotationTag, ...] = ("strength", "concern", "question", "risk", "cultural")


def frame_html(frame: pd.DataFrame, columns: list[str], *, cls: str, row_class: str | None = None) -> str:
    """A DataFrame as an HTML table with every cell escaped; ``row_class`` names a column whose value
    (made CSS-safe) becomes the row's class, so differences can be highlighted.

    Built with ``escape`` and plain joins: a 1,000-trainee cohort table has tens of thousands of cells,
    and ``Markup.format`` per cell took seconds."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    rows = []
    for _, record in frame.iterrows():
        klass = ""
        if row_class is not None:
            klass = "itp-row-" + "".join(
                ch if ch.isalnum() else "-" for ch in str(record[row_class]).split(" ")[0]
            )
        cells = "".join(
            f"<td>{escape('' if pd.isna(value) else value)}</td>" for value in record[columns].to_numpy()
        )
        rows.append(f'<tr class="{escape(klass)}">{cells}</tr>')
    return f'<table class="{escape(cls)}"><tr>{head}</tr>{"".join(rows)}</table>'


_STYLE = """<style>
.itp-sup-table { border-collapse: collapse; font-size: 12px; width: 100%; }
.itp-sup-table td, .itp-sup-table th { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; text-align: left; }
.itp-row-differs { background: #fff7e0; } .itp-row-missing, .itp-row-only { background: #fde8e8; }
.itp-row-same { background: #eef8ee; } .itp-row-reference { color: #666; }
</style>"""


class SupervisorReview(w.VBox):
    """The whole review page for one supervisor."""

    def __init__(
        self,
        store: PlanStore,
        user: str,
        cases: Mapping[str, CaseStudy],
        *,
        rubric: Rubric | None = None,
        **kwargs: Any,
    ):
        self.store = store
        self.user = user
        self.cases = dict(cases)
        self.rubric = rubric or default_rubric()
        self.case: CaseStudy | None = None
        self.drafts: list[CohortDraft] = []
        self.current: CohortDraft | None = None
        self.findings: list[Finding] = []
        """Critique findings on the draft under review (what ``dismiss`` can mark not applicable)."""
        self.comparison: pd.DataFrame | None = None
        self.table: pd.DataFrame | None = None
        self._mean_scores: dict[int, float | None] = {}

        self.header = w.HTML(text_html("ITP Toolkit — supervision", "h2"))
        self.message = w.Label(_dom_classes=("itp-sup-message",))
        self.cohort_picker = w.Dropdown(description="Cohort", options=[], _dom_classes=("itp-sup-cohort",))
        self.case_picker = w.Dropdown(description="Case", options=[], _dom_classes=("itp-sup-case",))
        self.load_button = w.Button(
            description="Show drafts", button_style="primary", _dom_classes=("itp-sup-load",)
        )
        self.anonymize = w.Checkbox(
            description="Anonymize trainees", value=False, _dom_classes=("itp-sup-anonymize",)
        )
        self.drafts_html = w.HTML(_dom_classes=("itp-sup-drafts",))
        # Compare
        self.compare_a = w.Dropdown(description="Draft", options=[], _dom_classes=("itp-sup-compare-a",))
        self.compare_b = w.Dropdown(description="with", options=[], _dom_classes=("itp-sup-compare-b",))
        self.with_reference = w.Checkbox(
            description="Show the reference plan", value=False, _dom_classes=("itp-sup-reference",)
        )
        self.compare_button = w.Button(description="Compare side by side", _dom_classes=("itp-sup-compare",))
        self.compare_html = w.HTML(_dom_classes=("itp-sup-side-by-side",))
        # The draft under review: annotate, score, release
        self.draft_picker = w.Dropdown(description="Review", options=[], _dom_classes=("itp-sup-draft",))
        self.element_picker = w.Dropdown(
            description="Element", options=[], layout=w.Layout(width="95%"), _dom_classes=("itp-sup-element",)
        )
        self.tag_picker = w.SelectMultiple(
            description="Tags", options=list(TAGS), rows=5, _dom_classes=("itp-sup-tags",)
        )
        self.comment = w.Textarea(
            placeholder="Your comment",
            layout=w.Layout(width="95%", height="80px"),
            _dom_classes=("itp-sup-comment",),
        )
        self.group = w.Checkbox(
            description="Also on every draft that made the same choice",
            value=False,
            _dom_classes=("itp-sup-group",),
        )
        self.add_comment_button = w.Button(
            description="Add comment", button_style="info", _dom_classes=("itp-sup-add-comment",)
        )
        self.annotations_html = w.HTML(_dom_classes=("itp-sup-annotations",))
        self.score_pickers: dict[str, w.Dropdown] = {}
        score_rows = []
        for criterion in self.rubric.criteria:
            picker = w.Dropdown(
                options=[("—", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4)],
                value=0,
                layout=w.Layout(width="70px"),
                _dom_classes=(
                    "itp-sup-score",
                    f"itp-sup-score-{criterion.id}",
                ),
            )
            self.score_pickers[criterion.id] = picker
            levels = " / ".join(
                f"{lv.score}: {lv.descriptor}" for lv in sorted(criterion.levels, key=lambda x: x.score)
            )
            score_rows.append(
                w.HBox(
                    [
                        picker,
                        w.HTML(
                            text_html(f"{criterion.title} — {criterion.description}", "b")
                            + text_html(levels, "div")
                        ),
                    ]
                )
            )
        self.evidence_html = w.HTML(_dom_classes=("itp-sup-evidence",))
        self.save_scores_button = w.Button(
            description="Save scores", button_style="info", _dom_classes=("itp-sup-save-scores",)
        )
        self.release_button = w.Button(
            description="Release feedback to the trainee",
            button_style="success",
            _dom_classes=("itp-sup-release",),
        )
        # Cohort
        self.cohort_html = w.HTML(_dom_classes=("itp-sup-cohort-table",))
        self.heatmap = w.Image(format="png", _dom_classes=("itp-sup-heatmap",))
        self.histogram = w.Image(format="png", _dom_classes=("itp-sup-histogram",))

        self.load_button.on_click(lambda _: self.load(self.cohort_picker.value, self.case_picker.value))
        self.compare_button.on_click(lambda _: self.compare(self.compare_a.value, self.compare_b.value))
        self.draft_picker.observe(lambda ch: self.select_draft(ch["new"]), "value")
        self.add_comment_button.on_click(
            lambda _: self.annotate(
                self.element_picker.value,
                self.comment.value,
                list(self.tag_picker.value),
                group=self.group.value,
            )
        )
        self.save_scores_button.on_click(
            lambda _: self.score({cid: p.value for cid, p in self.score_pickers.items() if p.value})
        )
        self.release_button.on_click(lambda _: self.release())
        self.anonymize.observe(lambda _: self._render_cohort(), "value")

        tabs = w.Tab(
            [
                w.VBox(
                    [
                        w.HBox([self.compare_a, self.compare_b]),
                        w.HBox([self.with_reference, self.compare_button]),
                        self.compare_html,
                    ]
                ),
                w.VBox(
                    [
                        self.element_picker,
                        self.tag_picker,
                        self.comment,
                        w.HBox([self.group, self.add_comment_button]),
                        self.annotations_html,
                    ]
                ),
                w.VBox([*score_rows, self.evidence_html, self.save_scores_button]),
                w.VBox([self.cohort_html, w.HBox([self.heatmap, self.histogram])]),
            ],
            _dom_classes=("itp-sup-tabs",),
        )
        for n, title in enumerate(("Compare", "Annotate", "Score", "Cohort")):
            tabs.set_title(n, title)
        self.tabs = tabs
        self.body = w.VBox(
            [self.drafts_html, w.HBox([self.draft_picker, self.release_button]), tabs],
            _dom_classes=("itp-sup-body",),
        )
        self.body.layout.display = "none"
        super().__init__(
            [
                w.HTML(_STYLE),
                self.header,
                w.HBox([self.cohort_picker, self.case_picker, self.load_button, self.anonymize]),
                self.message,
                self.body,
            ],
            **kwargs,
        )
        css(self, "itp-supervisor-review")
        self._start()

    # --- Python twins of the page's actions -----------------------------------------------------------

    def load(self, cohort_id: int | None, case_id: str | None) -> None:
        """Show the cohort's drafts of a case (those with a saved revision)."""
        if cohort_id is None or not case_id or case_id not in self.cases:
            self.message.value = "Pick a cohort and a case."
            return
        try:
            # One read for the whole cohort (a thousand drafts), not one transaction per draft. Workshop drafts
            # of the same case are left to the workshop's debrief: here each trainee is one column, one vote.
            readable, unreadable = self.store.latest_plans_checked(
                case_id=case_id, cohort_id=cohort_id, actor=self.user
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
        self.case = self.cases[case_id]
        self.drafts = drafts
        self._mean_scores = scores
        self.body.layout.display = "flex"
        left_out = "".join(
            f" {isolate(names.get(s.owner, 'A trainee'))}'s latest plan (revision {s.latest_revision})"
            f" could not be read ({len(e.problems)} problem(s) in what was stored) and is left out."
            for s, e in unreadable
        )
        count = f"{len(drafts)} draft{'s' if len(drafts) != 1 else ''}"
        self.message.value = f"{count} of {isolate(self.case.title)}.{left_out}"
        self._render_cohort()

    def compare(self, draft_a: int | None, draft_b: int | None) -> pd.DataFrame | None:
        """Two drafts side by side (and the reference plan if asked for), aligned by meaning."""
        chosen = [d for d in (self._draft(draft_a), self._draft(draft_b)) if d is not None]
        if len(chosen) != 2 or chosen[0].draft_id == chosen[1].draft_id:
            self.message.value = "Pick two different drafts to compare."
            return None
        labels = self._labels()
        plans = {labels[d.trainee]: d.plan for d in chosen}
        reference = self.case.reference_plan if (self.with_reference.value and self.case) else None
        self.comparison = side_by_side(plans, reference=reference)
        shown = ["slot", "level", "status", *plans, *(["Reference plan"] if reference else [])]
        self.compare_html.value = frame_html(self.comparison, shown, cls="itp-sup-table", row_class="status")
        return self.comparison

    def select_draft(self, draft_id: int | None) -> None:
        """Make a draft the one being annotated and scored."""
        draft = self._draft(draft_id)
        self.current = draft
        if draft is None or self.case is None:
            self.element_picker.options = []
            return
        options = [("The whole plan", "")]
        outline = {row.element_id: row.label for row in plan_outline(draft.plan)}
        for element in draft.plan.elements():
            options.append((outline.get(element.id) or element_label(element), element.id))
        self.element_picker.options = options
        self.element_picker.value = ""
        findings = critique(draft.plan, self.case)
        self.findings = findings
        evidence = evidence_by_criterion(self.rubric, findings)
        parts = []
        for criterion in self.rubric.criteria:
            items = [f"{f.severity}: {f.message}" for f in evidence[criterion.id]]
            if items:
                parts.append(
                    text_html(criterion.title, "b") + "".join(text_html(i, "div") for i in items[:5])
                )
        self.evidence_html.value = text_html("Critique findings as evidence", "h4") + "".join(parts)
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
            picker.value = next((s.score for s in mine if s.criterion_id == cid), 0)
        self._render_annotations()

    def dismiss(self, finding: Finding, reason: str) -> Dismissal | None:
        """Mark a critique finding on the draft under review 'not applicable here', with the reason the
        trainee
        will read once feedback is released (the Python twin of the panel's control)."""
        draft = self.current
        if draft is None:
            self.message.value = "Pick a draft to review first."
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
            self.message.value = "Pick a draft to review first."
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
                    self.message.value = "This element makes no choice other drafts can share."
                    return 0
                anchors = group_anchors(self.drafts, self.case, choice[0], choice[1])
                made = self.store.annotate_drafts(anchors, body, tags=tags, actor=self.user)  # type: ignore[arg-type]
                count = len(made)
                self.message.value = (
                    f"Comment added to {count} draft{'s' if count != 1 else ''} "
                    f"({CATEGORY_TITLES[choice[0]].lower()})."
                )
            else:
                self.store.add_annotation(
                    draft.draft_id,
                    body,
                    element_id=element,
                    revision=draft.revision,
                    tags=tags,
                    actor=self.user,
                )  # type: ignore[arg-type]
                count = 1
                self.message.value = "Comment added (not yet released)."
        except ITPError as exc:
            self.message.value = str(exc)
            return 0
        self.comment.value = ""
        self._render_annotations()
        return count

    def score(self, scores: Mapping[str, int]) -> int:
        """Save this supervisor's scores (criterion id -> 1..4) on the draft under review."""
        draft = self.current
        if draft is None:
            self.message.value = "Pick a draft to review first."
            return 0
        try:
            self.store.score_draft(
                draft.draft_id,
                self.rubric.id,
                {criterion_id: int(value) for criterion_id, value in scores.items()},
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
            self.message.value = "Pick a draft to review first."
            return 0
        try:
            count = self.store.release_feedback(draft.draft_id, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return 0
        self.message.value = f"Released {count} item{'s' if count != 1 else ''} to the trainee."
        self._render_annotations()
        return count

    # --- rendering ------------------------------------------------------------------------------------

    def _start(self) -> None:
        try:
            me = self.store.find_person(self.user, actor=self.user)
            if me.role != "supervisor":
                raise PermissionDenied(f"{self.user} is not a supervisor; this page is for supervisors")
            cohorts = self.store.list_cohorts(actor=self.user)
            assignments = self.store.list_assigned_cases(actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            for control in (self.cohort_picker, self.case_picker, self.load_button):
                control.disabled = True
            return
        self.header.value = text_html(f"ITP Toolkit — supervision for {isolate(me.display_name)}", "h2")
        self.cohort_picker.options = [(c.name, c.id) for c in cohorts]
        case_ids = list(dict.fromkeys(a.case_id for a in assignments if a.case_id in self.cases))
        self.case_picker.options = [(self.cases[c].title, c) for c in case_ids]
        if not cohorts:
            self.message.value = "You are not in any cohort yet."

    def _labels(self) -> dict[str, str]:
        return trainee_labels((d.trainee for d in self.drafts), anonymized=self.anonymize.value)

    def _draft(self, draft_id: int | None) -> CohortDraft | None:
        return next((d for d in self.drafts if d.draft_id == draft_id), None)

    def _render_drafts(self) -> None:
        labels = self._labels()
        frame = pd.DataFrame.from_records(
            [
                (
                    labels[d.trainee],
                    d.draft_id,
                    d.revision,
                    d.status.replace("_", " "),
                    "—"
                    if self._mean_scores.get(d.draft_id) is None
                    else f"{self._mean_scores[d.draft_id]:.2f}",
                )
                for d in sorted(self.drafts, key=lambda d: labels[d.trainee])
            ],
            columns=["Trainee", "Draft", "Revision", "Status", "Mean score"],
        )
        self.drafts_html.value = frame_html(frame, list(frame.columns), cls="itp-sup-table")
        options = [
            (f"{labels[d.trainee]} — draft {d.draft_id}", d.draft_id)
            for d in sorted(self.drafts, key=lambda d: labels[d.trainee])
        ]
        for picker in (self.compare_a, self.compare_b, self.draft_picker):
            keep = picker.value
            picker.options = options
            picker.value = keep if any(v == keep for _, v in options) else None
        if self.compare_b.value is None and len(options) > 1:
            self.compare_a.value, self.compare_b.value = options[0][1], options[1][1]

    def _render_cohort(self) -> None:
        if self.case is None:
            return
        self._render_drafts()
        anonymized = self.anonymize.value
        choices = choices_frame(self.drafts, self.case, anonymized=anonymized)
        self.table = cohort_table(self.drafts, self.case, anonymized=anonymized, choices=choices)
        trainees = list(self._labels().values())
        shown = self.table.copy()
        shown["category"] = shown["category"].map(CATEGORY_TITLES)
        shown["consensus"] = (shown["consensus"] * 100).round().astype(int).astype(str) + "%"
        shown["outlier"] = shown["outlier"].map({True: "only one", False: ""})
        self.cohort_html.value = frame_html(
            shown, ["category", "label", *trainees, "count", "consensus", "outlier"], cls="itp-sup-table"
        )
        if self.drafts:
            matrix = similarity_matrix(self.drafts, self.case, anonymized=anonymized, choices=choices)
            self.heatmap.value = figure_png(similarity_heatmap(matrix))
            reference = None
            scores = individualization_frame(self.drafts, self.case, anonymized=anonymized)
            if self.case.reference_plan is not None:
                reference = individualization_score(self.case.reference_plan, self.case).score
            self.histogram.value = figure_png(individualization_histogram(scores, reference=reference))

    def _render_annotations(self) -> None:
        draft = self.current
        if draft is None:
            self.annotations_html.value = ""
            return
        try:
            annotations = self.store.list_annotations(draft.draft_id, actor=self.user)
            latest = self.store.get_revision(draft.draft_id, actor=self.user)
            latest_number = self.store.get_draft(draft.draft_id, actor=self.user).latest_revision
        except ITPError as exc:
            self.annotations_html.value = text_html(str(exc))
            return
        anchors = annotation_anchors(annotations, latest, latest_number)
        if anchors.empty:
            self.annotations_html.value = text_html("No comments on this draft yet.")
            return
        anchors["released"] = anchors["released"].map({True: "released", False: "not released"})
        anchors["resolved"] = anchors["resolved"].map({True: "resolved", False: ""})
        self.annotations_html.value = frame_html(
            anchors,
            ["element", "status", "written_on", "author", "tags", "body", "released", "resolved"],
            cls="itp-sup-table itp-sup-annotation-table",
        )
