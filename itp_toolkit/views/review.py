"""What the supervisor's review page shows, as escaped HTML from pure functions.

The queue ("whose plans are waiting for me?"), the submission history, a draft read as a document, its
critique, comment threads, the rubric's level descriptors and plans compared element by element. People
appear by display name, criteria by title, case facts by their text, statuses as words; no internal id is
ever put on the page (ids only go into CSS classes the tests select on). Every piece of text from a person
or a case is escaped here, so widgets put these strings into ``HTML`` widgets as they are. Their look is the
shared stylesheet's (views/static/itp.css, its supervisor page section).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import escape

from ..checks.findings import Finding
from ..compare.by_element import ElementRow, element_text
from ..model import Annotation, CaseStudy, RubricCriterion, TreatmentPlan
from ..model.base import isolate
from ..store.records import DraftSummary, Submission
from .critique import critique_groups, element_anchor
from .plan import plan_outline

DRAFT_STATUS_WORDS = {
    "empty": "Not started",
    "in_progress": "Being written",
    "submitted": "Waiting for your decision",
    "returned": "Returned for revision",
    "accepted": "Signed off",
}
"""A draft's state as the supervisor reads it."""

QUEUE_ORDER = {"submitted": 0, "returned": 1, "accepted": 2, "in_progress": 3, "empty": 4}


def status_words(status: str) -> str:
    return DRAFT_STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def when_words(moment: dt.datetime | None, now: dt.datetime) -> str:
    """'30 Nov 2026 (today)', '27 Nov 2026 (3 days ago)'."""
    if moment is None:
        return "—"
    if moment.tzinfo is None and now.tzinfo is not None:
        moment = moment.replace(tzinfo=dt.UTC)
    days = (now.date() - moment.date()).days
    ago = "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"
    return f"{moment.day} {moment:%b %Y} ({ago})"


@dataclass(frozen=True)
class QueueRow:
    """One draft in the supervisor's queue."""

    draft_id: int
    trainee: str
    case_title: str
    status: str
    submitted_at: dt.datetime | None
    revision: int | None
    """The revision handed in (None: never submitted)."""

    @property
    def waiting(self) -> bool:
        return self.status == "submitted"


def review_queue(
    handed_in: Iterable[tuple[DraftSummary, Submission]],
    names: Mapping[str, str],
    case_titles: Mapping[str, str],
) -> list[QueueRow]:
    """Drafts handed in at least once, each with its newest submission (``PlanStore.handed_in``): waiting
    ones first (longest waiting first), then returned, then signed off (most recent first)."""
    rows = [
        QueueRow(
            d.id,
            names.get(d.owner, d.owner),
            case_titles.get(d.case_id, "A case no longer in the library"),
            d.status,
            last.submitted_at,
            last.revision,
        )
        for d, last in handed_in
    ]

    def key(row: QueueRow) -> tuple[int, float]:
        stamp = row.submitted_at.timestamp() if row.submitted_at else 0.0
        return (QUEUE_ORDER.get(row.status, 9), stamp if row.waiting else -stamp)

    return sorted(rows, key=key)


def queue_summary(rows: Sequence[QueueRow]) -> str:
    waiting = sum(r.waiting for r in rows)
    if not rows:
        return "No plans have been handed in to you yet."
    if not waiting:
        return "Nothing is waiting for you. Plans you have decided on are listed below."
    return f"{waiting} plan{'s are' if waiting != 1 else ' is'} waiting for you."


def history_steps(submissions: Sequence[Submission], names: Mapping[str, str]) -> list[str]:
    """'Submitted revision 7 on 3 Nov 2026', 'Returned for revision by Dr. Lind on 4 Nov 2026', ..."""
    steps = []
    for s in submissions:
        steps.append(f"Submitted revision {s.revision} on {_date(s.submitted_at)}")
        if s.status != "submitted":
            verb = "Returned for revision" if s.status == "returned" else "Signed off"
            by = names.get(s.decided_by or "", s.decided_by or "")
            steps.append(f"{verb} by {by} on {_date(s.decided_at)}".replace(" by  on", " on"))
    return steps


def _date(moment: dt.datetime | None) -> str:
    return "an unknown date" if moment is None else f"{moment.day} {moment:%b %Y, %H:%M}"


def history_html(steps: Sequence[str]) -> str:
    if not steps:
        return '<p class="itp-review-history-empty">Not handed in yet.</p>'
    items = "".join(f"<li>{escape(s)}</li>" for s in steps)
    return f'<ol class="itp-review-history" aria-label="Submission history">{items}</ol>'


def table_html(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str = "",
    cls: str = "itp-review-table",
    row_classes: Sequence[str] | None = None,
) -> str:
    """A table with column headers (``scope="col"``), a caption and every cell escaped."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = []
    for n, row in enumerate(rows):
        klass = f' class="{escape(row_classes[n])}"' if row_classes else ""
        cells = "".join(f"<td>{escape('' if c is None else c)}</td>" for c in row)
        body.append(f"<tr{klass}>{cells}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="{escape(cls)}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def compare_html(rows: Sequence[ElementRow], labels: Sequence[str], *, caption: str) -> str:
    """Plans side by side by element: one row per problem, goal, objective, intervention and so on."""
    if not rows:
        return '<p class="itp-review-empty">These plans have nothing written yet.</p>'
    head = '<th scope="col">Element</th><th scope="col">How they compare</th>' + "".join(
        f'<th scope="col">{escape(label)}</th>' for label in labels
    )
    body = []
    for row in rows:
        cells = "".join(
            f"<td>{escape(text)}</td>" if text else '<td class="itp-review-none">—</td>' for text in row.cells
        )
        body.append(
            f'<tr class="itp-compare-{row.agreement} itp-compare-depth-{row.depth}">'
            f'<th scope="row">{escape(row.heading)}</th><td>{escape(row.status)}</td>{cells}</tr>'
        )
    return (
        f'<table class="itp-review-table itp-compare-table"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def plan_document_html(plan: TreatmentPlan, case: CaseStudy | None = None, *, anchors: bool = False) -> str:
    """The plan read as a document: numbered problems, goals, objectives and interventions, then the
    strengths it uses, its barrier plans and deferred concerns (case facts by their text).

    With ``anchors`` each element carries the fragment id critique findings link to
    (``views.critique.element_anchor``), as the editor's element headers do: for a page that shows this
    document where the editor would be, never beside it (an id is once per page)."""
    outline = plan_outline(plan)
    if not outline and not (plan.strengths_used or plan.barriers or plan.deferred_concerns):
        return '<p class="itp-review-empty">Nothing written in this revision.</p>'
    parts = ['<div class="itp-review-plan">']
    for row in outline:
        tag = "h4" if row.kind == "problem" else "p"
        anchor = f' id="{escape(element_anchor(row.element_id))}"' if anchors else ""
        cls = f"itp-review-el itp-review-depth-{row.depth} itp-el-{escape(row.element_id)}"
        parts.append(f'<{tag}{anchor} class="{cls}">{escape(row.label)}</{tag}>')
    for attr, title in (
        ("strengths_used", "Strengths used"),
        ("barriers", "Barriers and what the plan does about them"),
        ("deferred_concerns", "Concerns deferred"),
    ):
        items = getattr(plan, attr)
        if items:
            lis = "".join(f"<li>{escape(element_text(e, case))}</li>" for e in items)
            parts.append(f"<h4>{escape(title)}</h4><ul>{lis}</ul>")
    parts.append("</div>")
    return "".join(parts)


def critique_html(findings: Sequence[Finding], labels: Mapping[str, str], *, per_group: int = 3) -> str:
    """The critique grouped by family, worst first, the first few of each group (the rest counted)."""
    if not findings:
        return '<p class="itp-review-empty">The critique found nothing to raise.</p>'
    parts = ['<div class="itp-review-critique">']
    for group in critique_groups(findings):
        parts.append(f"<h5>{escape(group.heading)}</h5><ul>")
        for f in group.findings[:per_group]:
            where = labels.get(f.element_id or "", "")
            where_html = f' <span class="itp-review-where">({escape(where)})</span>' if where else ""
            parts.append(f'<li class="itp-sev-{escape(f.severity)}">{escape(f.message)}{where_html}</li>')
        rest = len(group.findings) - per_group
        if rest > 0:
            parts.append(f"<li>and {rest} more</li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def element_labels(plan: TreatmentPlan) -> dict[str, str]:
    """Element id -> 'Goal 1.2: …' for saying where a comment or finding is."""
    return {row.element_id: row.label for row in plan_outline(plan)}


def thread_html(
    root: Annotation,
    replies: Sequence[Annotation],
    names: Mapping[str, str],
    where: str,
    *,
    is_summary: bool = False,
) -> str:
    """One comment thread: where it is, the comment, its replies, and whether it is released/resolved."""
    states = []
    states.append("released" if root.released else "not released yet")
    if root.resolved:
        states.append("resolved")
    head = f"{where} — {'; '.join(states)}"
    lines = [_comment_line(root, names, "itp-thread-root")]
    lines.extend(_comment_line(r, names, "itp-thread-reply") for r in replies)
    kind = " itp-thread-summary" if is_summary else ""
    resolved = " itp-thread-resolved" if root.resolved else ""
    return (
        f'<div class="itp-thread{kind}{resolved}"><p class="itp-thread-where">{escape(head)}</p>'
        + "".join(lines)
        + "</div>"
    )


def _comment_line(a: Annotation, names: Mapping[str, str], cls: str) -> str:
    who = names.get(a.author, a.author)
    when = f", {a.created_at.day} {a.created_at:%b}" if a.created_at else ""
    tags = f" [{', '.join(a.tags)}]" if a.tags else ""
    return (
        f'<div class="{cls}"><span class="itp-thread-who">{escape(isolate(who))}{escape(when)}{escape(tags)}'
        f'</span> <span class="itp-thread-body">{escape(a.body)}</span></div>'
    )


def rubric_levels_html(criterion: RubricCriterion, evidence: Sequence[str] = (), *, shown: int = 2) -> str:
    """A criterion's title, what it asks, its four levels with their descriptors (a small table), and the
    first few critique findings that bear on it."""
    levels = sorted(criterion.levels, key=lambda lv: lv.score)
    head = "".join(f'<th scope="col">{lv.score}</th>' for lv in levels)
    cells = "".join(f"<td>{escape(lv.descriptor)}</td>" for lv in levels)
    found = ""
    if evidence:
        items = "".join(f"<li>{escape(e)}</li>" for e in evidence[:shown])
        more = f"<li>and {len(evidence) - shown} more in the critique</li>" if len(evidence) > shown else ""
        found = f'<p class="itp-rubric-evidence-head">The critique found:</p><ul>{items}{more}</ul>'
    return (
        f'<div class="itp-rubric-criterion"><h5>{escape(criterion.title)}</h5>'
        f"<p>{escape(criterion.description)}</p>"
        f'<table class="itp-review-table itp-rubric-levels"><caption>Levels for {escape(criterion.title)}'
        f"</caption><thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>{found}</div>"
    )
