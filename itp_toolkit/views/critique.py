"""Critique findings arranged for the trainee's panel: one per cause, grouped by the plan element they are
about, worst first, as one block of escaped HTML (``critique_html``); and by rule family, with counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..checks.findings import FAMILIES, SEVERITY_ORDER, Finding
from ..checks.score import IndividualizationScore
from ..model import Dismissal, TreatmentPlan
from ..model.base import isolate
from . import html
from .plan import plan_outline

FAMILY_TITLES: dict[str, str] = {
    "smart": "SMART objectives",
    "linkage": "Links between problems, goals, objectives and interventions",
    "safety": "Safety and risk",
    "measure": "Measurement-based targets",
    "individual": "Individualization",
    "feasibility": "Feasibility, access and barriers",
    "collab": "Participation and collaboration",
    "revision": "Revision for what has happened since",
}
"""Headings in the clinic's words, one per rule family (``checks.findings.FAMILIES``)."""


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one rule family, most severe first, with counts by severity."""

    family: str
    title: str
    findings: tuple[Finding, ...]

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SEVERITY_ORDER}
        for f in self.findings:
            out[f.severity] += 1
        return out

    @property
    def worst(self) -> str:
        return min((f.severity for f in self.findings), key=SEVERITY_ORDER.__getitem__)

    @property
    def heading(self) -> str:
        """e.g. 'SMART objectives — 2 problems, 1 warning'."""
        parts = []
        for severity, n in self.counts.items():
            if n:
                parts.append(f"{n} {severity}{'' if n == 1 else 's'}")
        return f"{self.title} — {', '.join(parts)}"


def critique_groups(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Non-empty groups: families with a 'problem' first, then by worst severity, then pipeline order.

    Within a group the critique's own order (severity, then plan order) is kept.
    """
    by_family: dict[str, list[Finding]] = {}
    for f in findings:
        by_family.setdefault(f.family, []).append(f)
    order = {family: n for n, family in enumerate(FAMILIES)}
    groups = [
        FindingGroup(
            family,
            FAMILY_TITLES.get(family, family),
            tuple(sorted(items, key=lambda f: SEVERITY_ORDER[f.severity])),
        )
        for family, items in by_family.items()
    ]
    return sorted(groups, key=lambda g: (SEVERITY_ORDER[g.worst], order.get(g.family, len(order))))


def severity_totals(findings: Iterable[Finding]) -> dict[str, int]:
    """How many problems, warnings and infos in all."""
    out = {s: 0 for s in SEVERITY_ORDER}
    for f in findings:
        out[f.severity] += 1
    return out


def split_dismissed(
    findings: Iterable[Finding], dismissals: Iterable[Dismissal]
) -> tuple[list[Finding], list[tuple[Finding, Dismissal]]]:
    """(findings still to act on, findings a supervisor marked 'not applicable here' with their decision).

    A withdrawn decision is simply not passed in; the finding counts again.
    """
    decisions = list(dismissals)
    active: list[Finding] = []
    dismissed: list[tuple[Finding, Dismissal]] = []
    for finding in findings:
        decision = next((d for d in decisions if d.matches(finding)), None)
        if decision is None:
            active.append(finding)
        else:
            dismissed.append((finding, decision))
    return active, dismissed


# ---------------------------------------------------------------------- the trainee's critique panel

SEVERITY_WORDS = {"problem": "Problem", "warning": "Warning", "info": "Note"}
WHOLE_PLAN = "The whole plan"
SHOWN_FIRST = 6
"""Findings shown before 'Show all' (every problem, then warnings and notes up to this many in all)."""


def element_anchor(element_id: str) -> str:
    """The fragment id the editor puts on an element's header: a finding's or comment's link jumps to it."""
    return "itp-el-" + html.css_token(element_id)


def one_per_cause(findings: Iterable[Finding]) -> list[Finding]:
    """Each cause once: a rule on one element (and, for whole-plan findings, one case fact) is one cause;
    so is the same message on the same element from two rules. The critique's order is kept."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        keys = {("rule", f.rule, f.element_id, f.subject), ("text", f.element_id, f.message.strip().lower())}
        if keys & seen:
            continue
        seen |= keys
        out.append(f)
    return out


@dataclass(frozen=True)
class ElementFindings:
    """The findings about one plan element (or the whole plan), worst first."""

    element_id: str | None
    label: str
    findings: tuple[Finding, ...]

    @property
    def worst(self) -> str:
        return min((f.severity for f in self.findings), key=SEVERITY_ORDER.__getitem__)


def findings_by_element(findings: Iterable[Finding], plan: TreatmentPlan) -> list[ElementFindings]:
    """Findings grouped by the element they are about, labelled as the editor numbers it ('Objective
    1.2.1: ...'); groups with a problem first, then warnings, then notes, each in plan order."""
    labels = {row.element_id: row.label for row in plan_outline(plan)}
    order = {eid: n for n, eid in enumerate(e.id for e in plan.elements())}
    groups: dict[str | None, list[Finding]] = {}
    for f in one_per_cause(findings):
        groups.setdefault(f.element_id, []).append(f)
    out = [
        ElementFindings(
            eid,
            WHOLE_PLAN if eid is None else labels.get(eid) or element_text(plan, eid),
            tuple(sorted(items, key=lambda f: SEVERITY_ORDER[f.severity])),
        )
        for eid, items in groups.items()
    ]
    return sorted(
        out,
        key=lambda g: (SEVERITY_ORDER[g.worst], -1 if g.element_id is None else order.get(g.element_id, 0)),
    )


def element_text(plan: TreatmentPlan, element_id: str) -> str:
    """A plan element named by its words (strengths used, barriers, deferrals have no outline number)."""
    try:
        element = plan.element(element_id)
    except Exception:  # noqa: BLE001 - an element since removed: say so, never show its id
        return "A part of the plan since removed"
    kind = type(element).__name__
    names = {
        "StrengthUse": "Strength used",
        "BarrierPlan": "Barrier plan",
        "Deferral": "Deferred concern",
        "DischargeCriterion": "Discharge criterion",
    }
    for field_name in ("statement", "description", "how", "mitigation", "reason", "text", "barrier"):
        value = getattr(element, field_name, "")
        if value:
            return f"{names.get(kind, kind)}: {isolate(str(value))}"
    return names.get(kind, kind)


def _finding_html(f: Finding) -> Markup:
    parts = [
        html.element(
            "span", SEVERITY_WORDS.get(f.severity, f.severity), cls=f"itp-badge itp-badge--{f.severity}"
        ),
        Markup(" "),
        html.element("span", f.message, cls="itp-finding-message"),
    ]
    if f.suggestion:
        parts.append(html.element("p", f"Try: {f.suggestion}", cls="itp-try"))
    if f.evidence:
        parts.append(
            html.element(
                "ul",
                html.join(html.element("li", e) for e in f.evidence),
                cls="itp-evidence",
                aria_label="Based on",
            )
        )
    return html.element("li", html.join(parts), cls=f"itp-finding itp-finding--{f.severity}")


def _group_html(group: ElementFindings, findings: Sequence[Finding], continued: bool = False) -> Markup:
    label = f"{group.label} (continued)" if continued else group.label
    if group.element_id is None:
        title: Markup = html.element("span", label)
    else:
        title = html.element(
            "a",
            label,
            href="#" + element_anchor(group.element_id),
            cls="itp-goto",
            title="Show this part of the plan",
        )
    return html.element(
        "li",
        html.element("h4", title)
        + html.element("ul", html.join(_finding_html(f) for f in findings), cls="itp-findings"),
        cls="itp-finding-group",
    )


def score_html(score: IndividualizationScore | None) -> str:
    """The individualization score, its meter and how it was made (a small table), or '' without one."""
    if score is None:
        return ""
    head = html.element(
        "p",
        Markup("How individual the plan is: {}").format(
            html.element("span", f"{score.score}/100", cls="itp-score-value")
        ),
        cls="itp-score",
    )
    meter = Markup(
        '<div class="itp-meter" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="{}" '
        'aria-label="Individualization score"><span style="width: {}%"></span></div>'
    ).format(score.score, max(0, min(100, score.score)))
    rows = [
        (c.name, f"{c.points:g} of {c.max_points:g}" if c.max_points else f"{c.points:g}", c.detail)
        for c in score.breakdown
    ]
    table = html.table_html(
        ["Part", "Points", "What counted"],
        rows,
        caption="How the score is made",
        row_header=True,
        cls="itp-table itp-score-breakdown",
    )
    return str(html.element("div", head + meter + Markup(table), cls="itp-score-block"))


def critique_html(
    findings: Sequence[Finding],
    plan: TreatmentPlan,
    *,
    score: IndividualizationScore | None = None,
    dismissed: Sequence[tuple[Finding, Dismissal]] = (),
    shown: int = SHOWN_FIRST,
) -> str:
    """The whole critique panel as one escaped HTML block: score, totals, findings by element (the first
    ``shown`` findings, then 'Show all'), what a supervisor marked not applicable, and unused case facts."""
    groups = findings_by_element(findings, plan)
    total = sum(len(g.findings) for g in groups)
    counts = {s: 0 for s in SEVERITY_ORDER}
    for g in groups:
        for f in g.findings:
            counts[f.severity] += 1
    parts: list[Markup] = [Markup(score_html(score))]
    if total:
        badges = html.join(
            html.element(
                "span",
                f"{n} {SEVERITY_WORDS[s].lower()}{'' if n == 1 else 's'}",
                cls=f"itp-badge itp-badge--{s}",
            )
            + Markup(" ")
            for s, n in counts.items()
            if n
        )
        parts.append(html.element("p", badges, cls="itp-critique-totals"))
        first: list[Markup] = []
        rest: list[Markup] = []
        # Every problem is shown (what to fix first is never folded away); warnings and notes fill up to
        # ``shown``, and the rest wait behind "Show all".
        room = max(shown - counts["problem"], 0)
        for g in groups:
            problems = [f for f in g.findings if f.severity == "problem"]
            others = [f for f in g.findings if f.severity != "problem"]
            now, later = tuple(problems + others[:room]), tuple(others[room:])
            room -= len(now) - len(problems)
            if now:
                first.append(_group_html(g, now))
            if later:
                rest.append(_group_html(g, later, continued=bool(now)))
        parts.append(html.element("ol", html.join(first), cls="itp-finding-groups"))
        if rest:
            hidden = total - max(shown, counts["problem"])
            parts.append(
                html.element(
                    "details",
                    html.element("summary", f"Show all {total} findings ({hidden} more)")
                    + html.element("ol", html.join(rest), cls="itp-finding-groups"),
                    cls="itp-more-findings",
                )
            )
    else:
        parts.append(
            html.element(
                "p", "No findings: nothing to fix that the checks can see.", cls="itp-critique-totals"
            )
        )
    if dismissed:
        parts.append(
            html.element("h4", "Marked not applicable here by your supervisor")
            + html.element(
                "ul",
                html.join(
                    html.element("li", f"{f.message} — Reason: {d.reason}", cls="itp-finding-dismissed")
                    for f, d in dismissed
                ),
            )
        )
    if score is not None and score.facts_ignored:
        parts.append(
            html.element(
                "details",
                html.element("summary", f"Not yet used from this case ({len(score.facts_ignored)})")
                + html.element("ul", html.join(html.element("li", t) for t in score.facts_ignored)),
                cls="itp-facts-unused",
            )
        )
    return str(html.element("div", html.join(parts), cls="itp-critique"))
