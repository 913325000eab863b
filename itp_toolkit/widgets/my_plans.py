""" "My plans": the trainee's assigned cases with due dates, states and new feedback, one click to open; and
the supervisor's version (per trainee or per case, what waits for them first).

Thin views over ``PlanStore.plan_statuses`` and ``views.my_plans``: every action has a Python twin
(``refresh``, ``open_case``, ``show``). Labels show people's text as text; the supervisor's table is
escaped HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from ..errors import ITPError
from ..model import CaseStudy
from ..store import PlanStore
from ..store.records import PlanStatus
from ..views.my_plans import (
    PlanRow,
    plan_rows,
    plans_table_html,
    summary_words,
    supervisor_order,
    trainee_order,
)
from ._common import css, shared, text_html

ALL = 0
"""The cohort pickers' 'All my cohorts' (cohort ids start at 1; a None value would show an empty picker)."""

Today = Callable[[], dt.date]

_STYLE = """<style>
.itp-plans-grid { display: grid; grid-template-columns: minmax(14em, 3fr) 1.2fr 1.2fr 1.4fr auto;
  gap: 2px 12px; align-items: center; }
.itp-plans-grid .itp-plans-head { font-weight: 600; border-bottom: 1px solid #ccc; }
.itp-plans-heading.jupyter-button { font-size: 15px; font-weight: 600; }
.itp-due-overdue, .itp-overdue .itp-due { color: #a4161a; font-weight: 600; }
.itp-plans-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.itp-plans-table td, .itp-plans-table th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
.itp-plans-table tr.itp-waiting { background: #fff7e0; }
</style>"""


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class MyPlans(w.VBox):
    """A trainee's assigned cases, most pressing first; each row's button calls ``on_open(case_id)``."""

    def __init__(
        self,
        store: PlanStore,
        user: str,
        cases: Mapping[str, CaseStudy],
        *,
        on_open: Callable[[str], None] | None = None,
        today: Today | None = None,
        **kwargs: Any,
    ):
        self.store = store
        self.user = user
        self.titles = {case_id: case.title for case_id, case in cases.items()}
        self.on_open = on_open
        self._today = today or _today
        self.rows: list[PlanRow] = []
        # The heading is the fold's toggle: once a case is open the list folds away (the editor is on screen).
        self.folded = False
        self.heading = w.Button(
            description="My plans",
            tooltip="Show or hide the list of your assigned cases",
            layout=w.Layout(width="auto"),
            _dom_classes=("itp-plans-heading",),
        )
        self.heading.on_click(lambda _: self.set_folded(not self.folded))
        self.grid = w.Box(_dom_classes=("itp-plans-grid",))
        self.message = w.Label(_dom_classes=("itp-plans-message",))
        super().__init__([w.HTML(_STYLE), self.heading, self.grid, self.message], **kwargs)
        css(self, "itp-my-plans")
        self.refresh()

    def set_folded(self, folded: bool) -> None:
        """Fold the list to its heading (a case is open) or show it; the heading says which and how many."""
        self.folded = folded
        self.grid.layout.display = "none" if folded else ""
        count = f" ({len(self.rows)})" if self.rows else ""
        self.heading.description = f"My plans{count}: show" if folded else f"My plans{count}"

    def refresh(self) -> list[PlanRow]:
        """Read the list again (after a save, a submission, released feedback)."""
        try:
            statuses = self.store.plan_statuses(actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return self.rows
        statuses = [s for s in statuses if s.case_id in self.titles]
        self.rows = plan_rows(trainee_order(statuses), self.titles, self._today())
        make = shared()  # shared Layout and style objects: a row is five widgets, not fifteen
        head = [
            make(w.Label, h, classes=("itp-plans-head",))
            for h in ("Case", "State", "Due", "New feedback", "")
        ]
        cells: list[w.Widget] = [*head]
        for row in self.rows:
            button = make(
                w.Button,
                description=row.action,
                tooltip=f"{row.action}: {row.case}",
                button_style="primary" if row.action in ("Start", "Continue", "Revise") else "",
                classes=("itp-plans-open",),
            )
            button.on_click(lambda _, case_id=row.case_id: self.open_case(case_id))
            due = make(w.Label, row.due, classes=("itp-due-overdue" if row.overdue else "itp-due",))
            cells += [
                make(w.HTML, text_html(row.case, "span"), classes=("itp-plans-case",)),
                make(w.Label, row.state, classes=("itp-plans-state",)),
                due,
                make(w.Label, row.feedback, classes=("itp-plans-feedback",)),
                button,
            ]
        self.grid.children = tuple(cells) if self.rows else ()
        self.message.value = "" if self.rows else "No cases are assigned to you yet. Ask your supervisor."
        return self.rows

    def open_case(self, case_id: str) -> None:
        """Open the case's plan in the editor (the Python twin of a row's button)."""
        if case_id not in {r.case_id for r in self.rows}:
            self.message.value = "That case is not on your list."
            return
        if self.on_open is not None:
            self.on_open(case_id)


class PlansOverview(w.VBox):
    """A supervisor's list of their trainees' plans: waiting for them first, then per trainee or per case."""

    def __init__(
        self,
        store: PlanStore,
        user: str,
        cases: Mapping[str, CaseStudy],
        *,
        today: Today | None = None,
        **kwargs: Any,
    ):
        self.store = store
        self.user = user
        self.titles = {case_id: case.title for case_id, case in cases.items()}
        self._today = today or _today
        self.statuses: list[PlanStatus] = []
        self.rows: list[PlanRow] = []
        self.cohort = w.Dropdown(
            description="Cohort", options=[("All my cohorts", ALL)], _dom_classes=("itp-plans-cohort",)
        )
        self.by = w.ToggleButtons(
            options=[("Per trainee", "trainee"), ("Per case", "case")],
            value="trainee",
            _dom_classes=("itp-plans-by",),
        )
        self.summary = w.Label(_dom_classes=("itp-plans-summary",))
        self.table = w.HTML(_dom_classes=("itp-plans-overview",))
        self.cohort.observe(lambda _: self.show(), "value")
        self.by.observe(lambda _: self.show(), "value")
        super().__init__([w.HTML(_STYLE), w.HBox([self.cohort, self.by]), self.summary, self.table], **kwargs)
        css(self, "itp-plans-overview-box")
        self.load_cohorts()

    def load_cohorts(self) -> None:
        """Read the cohorts the user may pick again (after one is made) and redraw."""
        try:
            cohorts = self.store.list_cohorts(actor=self.user)
        except ITPError as exc:
            self.summary.value = str(exc)
            return
        keep = self.cohort.value
        self.cohort.options = [("All my cohorts", ALL), *((c.name, c.id) for c in cohorts)]
        self.cohort.value = keep if keep in {c.id for c in cohorts} else ALL
        self.show()

    def show(self, cohort_id: int | None | str = "", by: str | None = None) -> list[PlanRow]:
        """Show one cohort (None: all the supervisor's), grouped ``by`` 'trainee' or 'case' (the Python twin
        of the two controls); with no arguments, what the controls say."""
        target = ALL if cohort_id is None else cohort_id
        if target != "" and target != self.cohort.value:
            self.cohort.value = target
            return self.rows
        if by is not None and by != self.by.value:
            self.by.value = by
            return self.rows
        try:
            self.statuses = [
                s
                for s in self.store.plan_statuses(cohort_id=self.cohort.value or None, actor=self.user)
                if s.case_id in self.titles
            ]
        except ITPError as exc:
            self.summary.value = str(exc)
            return self.rows
        today = self._today()
        self.rows = plan_rows(supervisor_order(self.statuses, self.by.value), self.titles, today)
        self.summary.value = summary_words(self.statuses, today)
        self.table.value = plans_table_html(self.rows, show_trainee=True)
        return self.rows
