"""What the trainee reads of the supervisor's feedback, as escaped HTML: where the submission stands, its
history, a summary of what was released, the rubric as a table, and the comment threads.

People appear by their display names (``names`` maps a login to a name; a login never reaches the page),
criteria by their titles, plan elements by their numbered titles. Everything is escaped (``views.html``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..model import Annotation, Rubric, RubricScore
from . import html

STATUS_WORDS = {
    "empty": "Not started",
    "in_progress": "Draft in progress",
    "submitted": "Submitted for supervision",
    "returned": "Returned for revision",
    "accepted": "Signed off",
}
"""A draft's or submission's status in words (never the code)."""

STATUS_DETAIL = {
    "empty": "Write the plan; it is saved as you go.",
    "in_progress": "Saved as you go. Submit it when it is ready for your supervisor.",
    "submitted": "Waiting for your supervisor. The plan is read-only until it is returned.",
    "returned": "Your supervisor returned it: read the comments, revise, and submit again.",
    "accepted": "Your supervisor signed the plan off. It stays read-only.",
}

LEVEL_WORDS = {1: "Not yet", 2: "Developing", 3: "Competent", 4: "Exemplary"}


@dataclass(frozen=True)
class SubmissionStep:
    """One step of a draft's way through supervision: 'Submitted revision 7', 'Returned', 'Signed off'."""

    text: str
    status: str


def submission_steps(submissions: Iterable) -> list[SubmissionStep]:
    """The history in order: each submission, then its decision when there is one."""
    steps = []
    for s in submissions:
        steps.append(SubmissionStep(f"Submitted revision {s.revision}", "submitted"))
        if s.status in ("returned", "accepted"):
            steps.append(SubmissionStep(STATUS_WORDS[s.status], s.status))
    return steps


def person_name(names: Mapping[str, str], login: str) -> str:
    """A person's display name; someone the page could not look up is 'a supervisor', not their login."""
    return names.get(login) or "A supervisor"


def threads(annotations: Sequence[Annotation]) -> list[tuple[Annotation, list[Annotation]]]:
    """Top-level comments with their replies, oldest first."""
    replies: dict[int, list[Annotation]] = {}
    for a in annotations:
        if a.parent_id is not None:
            replies.setdefault(a.parent_id, []).append(a)
    return [(a, replies.get(a.id or -1, [])) for a in annotations if a.parent_id is None]


def _comment(a: Annotation, names: Mapping[str, str], cls: str) -> Markup:
    when = f" · {a.created_at:%d %b %Y}" if a.created_at else ""
    tags = f" · {', '.join(a.tags)}" if a.tags else ""
    resolved = " · resolved" if a.resolved else ""
    meta = f"{person_name(names, a.author)} on revision {a.revision}{when}{tags}{resolved}"
    return html.element(
        "div",
        html.element("div", meta, cls="itp-meta") + html.element("div", a.body, cls="itp-feedback-body"),
        cls=cls,
    )


def thread_html(
    annotations: Sequence[Annotation], names: Mapping[str, str], *, title: str | None = None
) -> str:
    """Comment threads (each comment, then its replies, indented) as one block, with an optional heading."""
    parts: list[Markup] = []
    if title:
        parts.append(html.element("h4", title, cls="itp-feedback-anchor"))
    for top, replies in threads(annotations):
        parts.append(
            html.element(
                "div",
                _comment(top, names, "itp-feedback-comment")
                + html.join(_comment(r, names, "itp-feedback-comment itp-reply") for r in replies),
                cls="itp-thread",
            )
        )
    return str(html.join(parts))


def element_threads_html(
    annotations: Sequence[Annotation], names: Mapping[str, str], labels: Mapping[str, str]
) -> str:
    """The comments on the plan's parts, each part's threads under its numbered title ('Goal 1.2: …'), in
    the order of ``labels`` (the plan's); for a page that shows the plan as a document, without the editor's
    threads beside each element. Comments on parts not in ``labels`` are left to the caller."""
    by_element: dict[str, list[Annotation]] = {}
    for a in annotations:
        if a.element_id is not None and a.element_id in labels:
            by_element.setdefault(a.element_id, []).append(a)
    return "".join(
        thread_html(by_element[eid], names, title=label) for eid, label in labels.items() if eid in by_element
    )


def feedback_summary(
    annotations: Sequence[Annotation], scores: Sequence[RubricScore], latest_revision: int
) -> str:
    """'2 new comments, rubric released' — new: written on the revision the trainee has now (not yet
    revised for). '' when nothing is released."""
    if not annotations and not scores:
        return ""
    new = [a for a in annotations if a.revision >= latest_revision and a.parent_id is None]
    n = len([a for a in annotations if a.parent_id is None])
    parts = []
    if new:
        parts.append(f"{len(new)} new comment{'s' if len(new) != 1 else ''}")
    elif n:
        parts.append(f"{n} comment{'s' if n != 1 else ''}")
    if scores:
        parts.append("rubric released")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def rubric_table(rubric: Rubric, scores: Sequence[RubricScore], names: Mapping[str, str]) -> str:
    """The released scores: a line saying what was scored ("Rubric: 12 criteria scored on revision 1 by
    Dr. Lind"), the supervisor's comments on criteria in view under it (they are why the trainee opened
    the page), and the whole table (criterion title, the level with its word and descriptor, the comment)
    folded below so the plan stays in view. The latest revision scored; criteria in the rubric's order."""
    mine = [s for s in scores if s.rubric_id == rubric.id]
    if not mine:
        return ""
    revision = max(s.revision for s in mine)
    latest = [s for s in mine if s.revision == revision]
    rows = []
    commented: list[Markup] = []
    for c in rubric.criteria:
        for s in (s for s in latest if s.criterion_id == c.id):
            level = next((lv for lv in c.levels if lv.score == s.score), None)
            meaning = (
                f"{LEVEL_WORDS.get(s.score, '')}: {level.descriptor}"
                if level
                else LEVEL_WORDS.get(s.score, "")
            )
            rows.append((c.title, f"{s.score} of 4", meaning, s.comment or "—"))
            if s.comment:
                level_words = f"{s.score} of 4, {LEVEL_WORDS.get(s.score, '').lower()}".rstrip(", ")
                commented.append(
                    html.element(
                        "li",
                        html.element("strong", c.title)
                        + Markup(" ")
                        + html.element("span", f"({level_words})", cls="itp-meta")
                        + Markup(": ")
                        + html.element("span", s.comment, cls="itp-rubric-comment"),
                    )
                )
    raters = ", ".join(dict.fromkeys(person_name(names, s.rater) for s in latest))
    caption = f"{rubric.title}: revision {revision}, scored by {raters}"
    table = html.table_html(
        ["Criterion", "Level", "What the level means", "Comment"],
        rows,
        caption=caption,
        row_header=True,
        cls="itp-table itp-rubric-table",
    )
    n = len({s.criterion_id for s in latest})
    summary = f"Rubric: {n} criteri{'a' if n != 1 else 'on'} scored on revision {revision} by {raters}"
    comments = html.element("ul", Markup("").join(commented), cls="itp-rubric-comments") if commented else ""
    folded = html.element("details", html.element("summary", "The whole rubric table") + Markup(table))
    return str(
        html.element(
            "section",
            html.element("p", summary, cls="itp-rubric-summary") + comments + folded,
            cls="itp-rubric",
        )
    )


def status_html(
    status: str,
    steps: Sequence[SubmissionStep],
    *,
    summary_comment: str = "",
    summary_by: str = "",
    feedback: str = "",
) -> str:
    """The banner at the top of the plan: the state in words, the supervisor's summary when the plan was
    returned or signed off, what feedback was released, and the submission history."""
    kind = {"returned": "warning", "accepted": "success", "submitted": "info"}.get(status, "info")
    parts: list[Markup] = [
        html.element("strong", STATUS_WORDS.get(status, "Draft"), cls="itp-state")
        + Markup(" — ")
        + html.element("span", STATUS_DETAIL.get(status, ""), cls="itp-state-detail")
    ]
    if summary_comment and status in ("returned", "accepted"):
        parts.append(
            html.element(
                "blockquote",
                html.element("p", summary_comment)
                + html.element("footer", f"— {summary_by}", cls="itp-meta"),
                cls="itp-summary-comment",
            )
        )
    if feedback:
        parts.append(html.element("p", feedback, cls="itp-feedback-summary"))
    if steps:
        parts.append(
            html.element(
                "ol",
                html.join(html.element("li", s.text, cls=f"itp-step itp-step-{s.status}") for s in steps),
                cls="itp-steps",
                aria_label="Submission history",
            )
        )
    return str(html.element("div", html.join(parts), cls=f"itp-banner itp-banner--{kind} itp-draft-state"))
