"""Competency progress for the supervisor and admin pages: the cohort's levels per criterion and one
trainee's levels over their scored revisions, each as a plot and a table.

A thin view over ``PlanStore.score_history`` and ``views.progress``; the Python twins are ``show_cohort``
and ``show_trainee``. Criteria and cases by their titles, people by display name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as w

from ..checks.rubrics import default_rubric
from ..compare.progress import cohort_distribution, trainee_progress
from ..errors import ITPError
from ..model import CaseStudy, Rubric
from ..model.base import isolate
from ..store import PlanStore
from ..store.records import ScorePoint
from ..views.measures import figure_png
from ..views.progress import cohort_figure, cohort_table_html, trainee_figure, trainee_table_html
from ._common import css

_STYLE = """<style>
.itp-progress-table, .itp-progress-cohort { border-collapse: collapse; font-size: 12px; }
.itp-progress-table td, .itp-progress-table th, .itp-progress-cohort td, .itp-progress-cohort th {
  border: 1px solid #ddd; padding: 2px 8px; text-align: left; }
.itp-progress-table td, .itp-progress-cohort td { text-align: center; }
</style>"""


class ProgressView(w.VBox):
    """Pick a cohort (or all) to see where the group stands; pick a trainee to see their progress."""

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
        self.rubric = rubric or default_rubric()
        self.titles = {case_id: case.title for case_id, case in cases.items()}
        self.points: list[ScorePoint] = []
        self.table: Any = None
        """The trainee's table shown (pandas DataFrame: criteria by scored revision), for tests."""
        self.distribution: Any = None
        """The cohort's table shown (criteria by level)."""
        self.cohort = w.Dropdown(
            description="Cohort",
            options=[("All my cohorts", None)],
            _dom_classes=("itp-progress-cohort-pick",),
        )
        self.trainee = w.Dropdown(
            description="Trainee", options=[], _dom_classes=("itp-progress-trainee-pick",)
        )
        self.message = w.Label(_dom_classes=("itp-progress-message",))
        self.cohort_plot = w.Image(format="png", _dom_classes=("itp-progress-cohort-plot",))
        self.cohort_table = w.HTML(_dom_classes=("itp-progress-cohort-table",))
        self.trainee_plot = w.Image(format="png", _dom_classes=("itp-progress-trainee-plot",))
        self.trainee_table = w.HTML(_dom_classes=("itp-progress-trainee-table",))
        self.cohort.observe(lambda _: self.show_cohort(), "value")
        self.trainee.observe(lambda _: self.show_trainee(), "value")
        super().__init__(
            [
                w.HTML(_STYLE),
                w.HBox([self.cohort, self.trainee]),
                self.message,
                w.HTML("<h4>Where the group stands (each trainee's newest level)</h4>"),
                self.cohort_plot,
                self.cohort_table,
                w.HTML("<h4>One trainee over time</h4>"),
                self.trainee_plot,
                self.trainee_table,
            ],
            **kwargs,
        )
        css(self, "itp-progress")
        self.load_cohorts()

    def load_cohorts(self) -> None:
        """Read the cohorts the user may pick again (after one is made) and redraw."""
        try:
            cohorts = self.store.list_cohorts(actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        keep = self.cohort.value
        self.cohort.options = [("All my cohorts", None), *((c.name, c.id) for c in cohorts)]
        self.cohort.value = keep if keep in {c.id for c in cohorts} else None
        self.show_cohort()

    def show_cohort(self, cohort_id: int | None | str = "") -> None:
        """Show a cohort (None: all the user's); with no argument, the one picked."""
        if cohort_id != "" and cohort_id != self.cohort.value:
            self.cohort.value = cohort_id  # observing calls back here
            return
        try:
            self.points = self.store.score_history(cohort_id=self.cohort.value, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        names = {p.trainee: p.display_name for p in self.points}
        self.message.value = (
            f"{len(names)} trainees with scored revisions" if names else "No scored revisions yet."
        )
        distribution = cohort_distribution(self.points, self.rubric)
        self.distribution = distribution
        self.cohort_plot.value = figure_png(
            cohort_figure(distribution, self.rubric, "Trainees at each level, per criterion")
        )
        self.cohort_table.value = cohort_table_html(distribution)
        options = [(isolate(names[u]), u) for u in sorted(names, key=lambda u: (names[u].casefold(), u))]
        keep = self.trainee.value if self.trainee.value in names else (options[0][1] if options else None)
        self.trainee.options = options
        self.trainee.value = keep
        self.show_trainee()

    def show_trainee(self, username: str | None = None) -> None:
        """Show one trainee's levels over their scored revisions (the Python twin of the dropdown)."""
        if username is not None and username != self.trainee.value:
            self.trainee.value = username  # observing calls back here
            return
        who = self.trainee.value
        if who is None:
            self.trainee_plot.value = b""
            self.trainee_table.value = ""
            self.table = None
            return
        name = next((p.display_name for p in self.points if p.trainee == who), who)
        self.table = trainee_progress(self.points, self.rubric, who, self.titles)
        self.trainee_plot.value = figure_png(trainee_figure(self.table, self.rubric, isolate(name)))
        self.trainee_table.value = trainee_table_html(self.table)
