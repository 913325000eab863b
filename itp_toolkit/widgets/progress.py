"""Competency progress for the supervisor and admin pages: the cohort's levels per criterion and one
trainee's levels over their scored revisions, each as a plot and a table.

A thin view over ``PlanStore.score_history`` and ``views.progress``; the Python twins are ``show_cohort``
and ``show_trainee``. Criteria and cases by their titles, people by display name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from .my_plans import ALL

_STYLE = """<style>
.itp-competency-table, .itp-competency-cohort { border-collapse: collapse; font-size: 12px; }
.itp-competency-table td, .itp-competency-table th, .itp-competency-cohort td, .itp-competency-cohort th {
  border: 1px solid #ddd; padding: 2px 8px; text-align: left; }
.itp-competency-table td, .itp-competency-cohort td { text-align: center; }
</style>"""


def _draw(image: w.Image, fig: Any) -> None:
    """Show a figure at its own size (an Image otherwise stretches to the page's width)."""
    image.value = figure_png(fig)
    image.width = str(int(fig.get_figwidth() * 96))


def _drawn_from(table: Any, title: str) -> str:
    """What a plot is drawn from, as one comparable string: its table (criteria by level or revision)."""
    return f"{title}\n{table.to_json(orient='split')}"


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
        self._shown: dict[str, str] = {}
        """What each plot on screen was drawn from: the admin page reloads this view after every roster
        change, and most change no score, so the plot (about 0.3 s to draw) is redrawn only when its table
        changed."""
        self.cohort = w.Dropdown(
            description="Cohort",
            options=[("All my cohorts", ALL)],
            _dom_classes=("itp-competency-cohort-pick",),
        )
        self.trainee = w.Dropdown(
            description="Trainee", options=[], _dom_classes=("itp-competency-trainee-pick",)
        )
        self.message = w.Label(_dom_classes=("itp-competency-message",))
        self.cohort_plot = w.Image(format="png", _dom_classes=("itp-competency-cohort-plot",))
        self.cohort_table = w.HTML(_dom_classes=("itp-competency-cohort-table",))
        self.trainee_plot = w.Image(format="png", _dom_classes=("itp-competency-trainee-plot",))
        self.trainee_table = w.HTML(_dom_classes=("itp-competency-trainee-table",))
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
        css(self, "itp-competency")
        self.load_cohorts()

    def load_cohorts(self) -> None:
        """Read the cohorts the user may pick again (after one is made) and redraw."""
        try:
            cohorts = self.store.list_cohorts(actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        keep = self.cohort.value
        self.cohort.options = [("All my cohorts", ALL), *((c.name, c.id) for c in cohorts)]
        self.cohort.value = keep if keep in {c.id for c in cohorts} else ALL
        self.show_cohort()

    def show_cohort(self, cohort_id: int | None | str = "") -> None:
        """Show a cohort (None: all the user's); with no argument, the one picked."""
        target = ALL if cohort_id is None else cohort_id
        if target != "" and target != self.cohort.value:
            self.cohort.value = target  # observing calls back here
            return
        try:
            self.points = self.store.score_history(cohort_id=self.cohort.value or None, actor=self.user)
        except ITPError as exc:
            self.message.value = str(exc)
            return
        names = {p.trainee: p.display_name for p in self.points}
        self.message.value = (
            f"{len(names)} trainees with scored revisions" if names else "No scored revisions yet."
        )
        distribution = cohort_distribution(self.points, self.rubric)
        self.distribution = distribution
        title = "Trainees at each level, per criterion"
        self._plot(
            "cohort",
            self.cohort_plot,
            _drawn_from(distribution, title),
            lambda: cohort_figure(distribution, self.rubric, title),
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
            self._shown.pop("trainee", None)
            self.trainee_table.value = ""
            self.table = None
            return
        name = isolate(next((p.display_name for p in self.points if p.trainee == who), who))
        table = self.table = trainee_progress(self.points, self.rubric, who, self.titles)
        self._plot(
            "trainee",
            self.trainee_plot,
            _drawn_from(table, name),
            lambda: trainee_figure(table, self.rubric, name),
        )
        self.trainee_table.value = trainee_table_html(self.table)

    def _plot(self, which: str, image: w.Image, source: str, figure: Callable[[], Any]) -> None:
        """Draw ``figure()`` into ``image`` unless the plot there was drawn from the same ``source``."""
        if self._shown.get(which) != source:
            _draw(image, figure())
            self._shown[which] = source
