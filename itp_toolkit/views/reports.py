"""Per-trainee feedback report: one self-contained HTML file, and the same content as printable Markdown.

The HTML opens with no network: the toolkit's stylesheet is inline (its "offline feedback report" section
is the report's own) and plots are PNGs embedded as ``data:`` URIs. Everything that comes from a person
(plan text, comments, names) is escaped with ``markupsafe``: a trainee's ``<script>`` or ``<img onerror>``
shows as text. By default only *released* feedback goes in, because the report is for the trainee.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from ..checks import IndividualizationScore, individualization_score
from ..compare.cohort import annotation_anchors, threads
from ..compare.scores import score_sheet
from ..model import Annotation, CaseStudy, Rubric, RubricScore, TreatmentPlan
from ..model.base import isolate, utc_now
from ..store import PlanStore
from .html import stylesheet, table_html


@dataclass(frozen=True)
class FeedbackReport:
    """Everything the report shows, gathered once."""

    case: CaseStudy
    plan: TreatmentPlan
    trainee: str
    draft_id: int
    revision: int
    rubric: Rubric
    annotations: Sequence[Annotation] = ()
    scores: Sequence[RubricScore] = ()
    individualization: IndividualizationScore | None = None
    written_at: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)


def gather_report(
    store: PlanStore,
    draft_id: int,
    *,
    case: CaseStudy,
    rubric: Rubric,
    actor: str,
    released_only: bool = True,
    now: dt.datetime | None = None,
) -> FeedbackReport:
    """Read the draft's latest revision, its comments and scores (released ones only, by default)."""
    summary = store.get_draft(draft_id, actor=actor)
    plan = store.get_revision(draft_id, actor=actor)
    annotations = store.list_annotations(draft_id, actor=actor)
    scores = store.list_scores(draft_id, actor=actor)
    if released_only:
        annotations = [a for a in annotations if a.released]
        scores = [s for s in scores if s.released]
    return FeedbackReport(
        case=case,
        plan=plan,
        trainee=summary.owner,
        draft_id=draft_id,
        revision=summary.latest_revision,
        rubric=rubric,
        annotations=annotations,
        scores=scores,
        individualization=individualization_score(plan, case),
        written_at=now or utc_now(),
    )


# ---------------------------------------------------------------------- plots


def figure_data_uri(fig: Figure, dpi: int = 96) -> str:
    """A figure as a ``data:image/png;base64,...`` URI (no file, no network)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def rubric_figure(rubric: Rubric, scores: Sequence[RubricScore]) -> Figure:
    """Latest score per criterion as bars, with the competence line."""
    sheet = score_sheet(rubric, scores)
    fig = Figure(figsize=(6.5, 0.3 * len(sheet) + 1.2))
    ax = fig.add_subplot()
    y = np.arange(len(sheet))
    values = sheet["score"].fillna(0).to_numpy(dtype=float)
    colours = ["#55a868" if v >= rubric.competent_at else "#dd8452" for v in values]
    ax.barh(y, values, color=colours)
    ax.set_yticks(y, [str(t) for t in sheet["criterion"]], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 4)
    ax.set_xticks([1, 2, 3, 4])
    ax.axvline(rubric.competent_at, color="grey", linestyle=":", linewidth=1)
    ax.set_title("Rubric scores (dotted line: competent)", fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def individualization_figure(score: IndividualizationScore) -> Figure:
    """Points earned per component of the individualization score."""
    fig = Figure(figsize=(6.5, 0.35 * len(score.breakdown) + 1.2))
    ax = fig.add_subplot()
    y = np.arange(len(score.breakdown))
    ax.barh(y, [c.max_points for c in score.breakdown], color="#dddddd", label="available")
    ax.barh(y, [c.points for c in score.breakdown], color="#4c72b0", label="earned")
    ax.set_yticks(y, [c.name for c in score.breakdown], fontsize=7)
    ax.invert_yaxis()
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"Individualization: {score.score}/100", fontsize=10, loc="left")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------- HTML


def _score_text(score: float | None) -> str:
    """A score sheet cell: a number, or missing (None or NaN) shown as a dash."""
    return "—" if score is None or pd.isna(score) else str(int(score))


def _comment(a: Annotation) -> Markup:
    """One comment's author, revision, tags and text (the stylesheet's thread look)."""
    badge = Markup('<span class="itp-badge itp-badge--info">{}</span>')
    tags = Markup(" ").join(badge.format(t) for t in a.tags)
    meta = Markup("{} · revision {}{}").format(a.author, a.revision, " · resolved" if a.resolved else "")
    return Markup('<div class="itp-meta">{} {}</div><div>{}</div>').format(meta, tags, a.body)


def _thread(top: Annotation, replies: Sequence[Annotation]) -> Markup:
    """A comment with its replies indented inside it."""
    inner = Markup("").join(Markup('<div class="itp-reply">{}</div>').format(_comment(r)) for r in replies)
    return Markup('<div class="itp-thread">{}{}</div>').format(_comment(top), inner)


def report_html(report: FeedbackReport) -> str:
    """The report as one self-contained HTML document."""
    anchors = annotation_anchors(report.annotations, report.plan, report.revision).set_index("id")
    sections: list[Markup] = []
    title = Markup("Feedback on {}'s plan for {}").format(isolate(report.trainee), isolate(report.case.title))
    when = f"{report.written_at:%Y-%m-%d}" if report.written_at else ""
    sections.append(
        Markup('<h1>{}</h1><p class="itp-muted">Draft {} · revision {} · {}</p>').format(
            title, report.draft_id, report.revision, when
        )
    )

    sheet = score_sheet(report.rubric, report.scores)
    table = table_html(
        ("Criterion", "Score", "What it means", "Comment"),
        ((r.criterion, _score_text(r.score), r.descriptor, r.comment) for r in sheet.itertuples()),
        caption=report.rubric.title,
        caption_visible=False,  # the heading above says it
    )
    sections.append(Markup("<h2>{}</h2>{}").format(report.rubric.title, Markup(table)))
    if report.scores:
        sections.append(
            Markup('<p><img alt="Rubric scores" src="{}"></p>').format(
                figure_data_uri(rubric_figure(report.rubric, report.scores))
            )
        )

    if report.individualization is not None:
        used = Markup("").join(
            Markup("<li>{}</li>").format(f) for f in report.individualization.facts_ignored
        )
        sections.append(
            Markup(
                '<h2>How individual the plan is</h2><p><img alt="Individualization" src="{}"></p>'
                "<p>Case facts not yet used:</p><ul>{}</ul>"
            ).format(figure_data_uri(individualization_figure(report.individualization)), used)
        )

    comment_parts: list[Markup] = []
    for top, replies in threads(report.annotations):
        status = anchors.loc[top.id, "status"] if top.id in anchors.index else ""
        if top.element_id is None:
            heading = Markup("<h3>The whole plan</h3>")
        elif status == "on the element":
            heading = Markup("<h3>{}</h3>").format(anchors.loc[top.id, "element"])
        else:
            heading = Markup('<h3 class="itp-removed">A part you have since removed ({})</h3>').format(status)
        comment_parts.append(heading + _thread(top, replies))
    sections.append(
        Markup("<h2>Comments</h2>") + (Markup("").join(comment_parts) or Markup("<p>No comments.</p>"))
    )

    return offline_html(title, Markup("").join(sections))


def offline_html(title: str, body: Markup) -> str:
    """One HTML file that opens with no network: the toolkit's stylesheet inline, a content policy that lets
    nothing load but inline styles and ``data:`` images, ``body`` as the page (the report's look)."""
    return str(
        Markup(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{}</title>'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
            "style-src 'unsafe-inline'\"><style>{}</style></head>"
            '<body class="itp-page itp-report">{}</body></html>'
        ).format(title, Markup(stylesheet()), body)
    )


# ---------------------------------------------------------------------- Markdown

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def md_text(text: str) -> str:
    """Trainee text made inert in Markdown: one line, special characters escaped (so no HTML or links)."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def report_markdown(report: FeedbackReport) -> str:
    """The same report as Markdown that prints cleanly (tables and text; the plots stay in the HTML)."""
    lines = [
        f"# Feedback on {md_text(report.trainee)}'s plan for {md_text(report.case.title)}",
        "",
        f"Draft {report.draft_id}, revision {report.revision}"
        + (f", {report.written_at:%Y-%m-%d}" if report.written_at else ""),
        "",
        f"## {md_text(report.rubric.title)}",
        "",
        "| Criterion | Score | What it means | Comment |",
        "|---|---|---|---|",
    ]
    for r in score_sheet(report.rubric, report.scores).itertuples():
        lines.append(
            f"| {md_text(r.criterion)} | {_score_text(r.score)} "
            f"| {md_text(r.descriptor)} | {md_text(r.comment)} |"
        )
    if report.individualization is not None:
        ind = report.individualization
        lines += ["", f"## How individual the plan is: {ind.score}/100", ""]
        lines += [
            f"- {md_text(c.name)}: {c.points:g} of {c.max_points:g} ({md_text(c.detail)})"
            for c in ind.breakdown
        ]
    lines += ["", "## Comments", ""]
    anchors = annotation_anchors(report.annotations, report.plan, report.revision).set_index("id")
    found = False
    for top, replies in threads(report.annotations):
        found = True
        status = anchors.loc[top.id, "status"]
        if top.element_id is None:
            lines.append("### The whole plan")
        elif status == "on the element":
            lines.append(f"### {md_text(anchors.loc[top.id, 'element'])}")
        else:
            lines.append(f"### A part you have since removed ({md_text(status)})")
        for a in (top, *replies):
            tags = f" [{', '.join(a.tags)}]" if a.tags else ""
            indent = "  " if a is not top else ""
            lines.append(f"{indent}- **{md_text(a.author)}**, revision {a.revision}{tags}: {md_text(a.body)}")
        lines.append("")
    if not found:
        lines.append("No comments.")
    return "\n".join(lines).rstrip() + "\n"
