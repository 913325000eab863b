"""Two treatment plans side by side, aligned by what their elements mean (``compare.alignment``).

For an author's exercise ("spot the cookie-cutter plan"): two plans of one case in memory, each row a
problem, goal, objective or intervention matched across them, marked same / differs / only in one. Given
the case, each plan's individualization score sits above its column. Every cell is escaped: plan text may
be a trainee's. For 2-4 stored drafts with annotation, the supervisor page has its own compare.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd
from markupsafe import Markup

from ..checks import individualization_score
from ..compare.alignment import element_label, side_by_side
from ..model import BarrierPlan, CaseStudy, Deferral, StrengthUse, TreatmentPlan
from ..views import fact_label
from ._common import css, text_html

_STATUS_CLASS = {"same": "same", "differs": "differs"}
_STYLE = """<style>
.itp-compare-table { border-collapse: collapse; font-size: 13px; width: 100%; table-layout: fixed; }
.itp-compare-table th, .itp-compare-table td { border: 1px solid #d0d4da; padding: 4px 8px;
  vertical-align: top; text-align: left; line-height: 1.4; }
.itp-compare-table th { background: #f3f4f6; }
.itp-compare-table col.itp-col-slot { width: 5em; } .itp-compare-table col.itp-col-level { width: 7.5em; }
.itp-compare-table col.itp-col-status { width: 8em; }
.itp-compare-same { background: #eef8ee; } .itp-compare-differs { background: #fff7e0; }
.itp-compare-missing { background: #fdecec; }
</style>"""
_COLUMNS = (
    '<colgroup><col class="itp-col-slot"><col class="itp-col-level"><col><col><col class="itp-col-status">'
    "</colgroup>"
)


def _row_class(status: str) -> str:
    if status in _STATUS_CLASS:
        return "itp-compare-" + _STATUS_CLASS[status]
    return "itp-compare-missing" if status.startswith(("missing", "only")) else "itp-compare-other"


def element_caption(element: object, case: CaseStudy | None = None) -> str:
    """What an element says, for a table or a heading: the case fact it is about by its text, never its id."""

    def fact(fact_id: str | None, fallback: str = "") -> str:
        if fact_id and case is not None:
            return fact_label(case, fact_id)
        return fallback

    if isinstance(element, StrengthUse):
        return " — ".join(p for p in (fact(element.strength_id), element.how) if p)
    if isinstance(element, BarrierPlan):
        return " → ".join(p for p in (fact(element.barrier_id, element.barrier), element.mitigation) if p)
    if isinstance(element, Deferral):
        return " — deferred: ".join(p for p in (fact(element.concern_id), element.reason) if p)
    return element_label(element)


def compare_table_html(
    frame: pd.DataFrame, labels: tuple[str, str], plans: tuple[TreatmentPlan, TreatmentPlan], case=None
) -> str:
    """The aligned rows as an escaped HTML table: where, what kind, both plans' text, and how they differ."""
    head = "".join(
        str(Markup("<th>{}</th>").format(h)) for h in ("Row", "Element", *labels, "How they differ")
    )
    by_id = [{e.id: e for e in p.elements()} for p in plans]
    rows = []
    for record in frame.to_dict("records"):
        texts = []
        for n, label in enumerate(labels):
            element_id = record[f"{label} id"]
            element = by_id[n].get(element_id) if element_id else None
            texts.append(element_caption(element, case) if element is not None else "")
        cells = (record["slot"], record["level"], *texts, record["status"])
        tds = "".join(str(Markup("<td>{}</td>").format(c)) for c in cells)
        rows.append(f'<tr class="{_row_class(str(record["status"]))}">{tds}</tr>')
    body = "".join(rows)
    return (
        f'{_STYLE}<table class="itp-compare-table">{_COLUMNS}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


class PlanCompare(w.VBox):
    """Plans ``a`` and ``b`` of one case aligned row by row; with ``case``, their individualization scores.

    >>> PlanCompare(plan_a, plan_b, labels=("Plan A", "Plan B"), case=case)  # doctest: +SKIP
    """

    def __init__(
        self,
        a: TreatmentPlan,
        b: TreatmentPlan,
        *,
        labels: tuple[str, str] = ("Plan A", "Plan B"),
        case: CaseStudy | None = None,
        **kwargs,
    ):
        if len(labels) != 2 or labels[0] == labels[1]:
            raise ValueError("give two different labels, one per plan")
        if case is not None and {a.case_id, b.case_id} != {case.id}:
            raise ValueError(f"both plans must be for {case.id!r}, not {sorted({a.case_id, b.case_id})}")
        self.labels = (str(labels[0]), str(labels[1]))
        self.plans = (a, b)
        self.frame = side_by_side(dict(zip(self.labels, self.plans, strict=True)))
        """The aligned rows (``compare.alignment.side_by_side``): level, slot, status, each plan's text."""
        self.scores = (
            tuple(individualization_score(p, case).score for p in self.plans) if case is not None else None
        )
        self.summary = w.HTML(self._summary_html(), _dom_classes=("itp-compare-summary",))
        self.table = w.HTML(
            compare_table_html(self.frame, self.labels, self.plans, case), _dom_classes=("itp-compare-rows",)
        )
        super().__init__([self.summary, self.table], **kwargs)
        css(self, "itp-plan-compare")

    def counts(self) -> dict[str, int]:
        """How many aligned rows are the same, differ, or are in one plan only."""
        out = {"same": 0, "differs": 0, "one plan only": 0}
        for status in self.frame["status"]:
            key = status if status in ("same", "differs") else "one plan only"
            out[key] += 1
        return out

    def _summary_html(self) -> str:
        c = self.counts()
        line = (
            f"{c['same']} rows the same, {c['differs']} worded differently, "
            f"{c['one plan only']} in one plan only."
        )
        parts = [text_html(line, "p")]
        if self.scores is not None:
            items = "".join(
                str(Markup("<li>{}: individualization score {} of 100</li>").format(label, score))
                for label, score in zip(self.labels, self.scores, strict=True)
            )
            parts.append(f'<ul class="itp-compare-scores">{items}</ul>')
        return "".join(parts)


__all__ = ["PlanCompare", "compare_table_html"]
