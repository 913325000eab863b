"""A case's scores over the weeks on their severity bands, with a week box and what the change means.

For a measurement-based-care exercise: move the week on, see the new scores, read whether the change is
reliable, a response or a remission by the instruments' published rules (``views.measure_change``).
The week is a labelled number box (type a week, or step it with the arrow keys or its arrows): a screen
reader names it "Week", which a slider's handle in Voila is not. The plot is an image with a text
alternative listing every score it shows (``views.case.measures_alt``).

``scores_png`` draws that plot, or reads it from a ``formats.cache.ByteCache`` (the page's workspace's, else
the user's cache folder): the picture is the same for every trainee with that case at that week, and drawing
it is most of a page's work.
"""

from __future__ import annotations

import ipywidgets as w
import traitlets as t
from markupsafe import Markup

from ..formats.cache import ByteCache, user_cache_dir
from ..model import CaseStudy
from ..views import figure_png, measure_plot
from ..views.case import measures_alt
from ..views.html import image_html
from ..views.measure_change import MeasureChange, measure_changes
from ..views.measures import measure_plot_key
from ._common import css, text_html

_STYLE = """<style>
.itp-measures-table { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
.itp-measures-table th, .itp-measures-table td { border: 1px solid #d0d4da; padding: 4px 8px;
  text-align: left; vertical-align: top; }
.itp-measures-table th { background: #f3f4f6; }
</style>"""


def user_plot_cache() -> ByteCache:
    """Where plots are kept when no workspace keeps them: the user's cache folder (``plots``)."""
    return ByteCache(user_cache_dir("plots"))


def scores_png(case: CaseStudy, week: int, cache: ByteCache | None = None) -> bytes:
    """The scores plot of ``case`` at ``week`` as PNG bytes: from ``cache`` (by default the user's) if it has
    them, else drawn (and kept there for the next page or notebook)."""
    cache = cache if cache is not None else user_plot_cache()
    return cache.get_or_make(measure_plot_key(case, week), lambda: figure_png(measure_plot(case, week)))


def _changes_html(changes: list[MeasureChange], week: int) -> str:
    if not changes:
        return text_html(f"No scores recorded by week {week}.", "p", "itp-measures-empty")
    head = "".join(
        f"<th>{h}</th>" for h in ("Measure", "First", "Latest", "Band now", "What the change means")
    )
    rows = "".join(
        str(
            Markup(
                "<tr><td>{}</td><td>week {}: {:g}</td><td>week {}: {:g}</td><td>{}</td><td>{}</td></tr>"
            ).format(c.name, c.first_week, c.first_score, c.latest_week, c.latest_score, c.band, c.reading)
        )
        for c in changes
    )
    return f'{_STYLE}<table class="itp-measures-table"><tr>{head}</tr>{rows}</table>'


class MeasuresPlot(w.VBox):
    """Scores known by ``week``, plotted on their bands, with a box to move the week and a change table.

    >>> plot = MeasuresPlot(case, week=0)  # doctest: +SKIP
    >>> plot.week = 8  # reveals the scores taken by week 8
    """

    week = t.Int(0, help="Exercise week: scores taken up to this week are shown.")

    def __init__(
        self,
        case: CaseStudy,
        week: int = 0,
        *,
        slider: bool = True,
        plot_cache: ByteCache | None = None,
        **kwargs,
    ):
        self._case = case.for_trainee()
        self._plot_cache = plot_cache
        self._pngs: dict[int, bytes] = {}
        last = max([e.week for e in self._case.timeline] + [m.week for m in self._case.measures] + [week, 1])
        self.week_input = w.BoundedIntText(
            value=week,
            min=0,
            max=last,
            description="Week",
            layout=w.Layout(width="12em"),
            _dom_classes=("itp-measures-week",),
        )
        self.week_input.layout.display = None if slider else "none"
        self.image = w.HTML(layout=w.Layout(max_width="640px"), _dom_classes=("itp-measure-plot",))
        """The plot: a figure with the PNG and its text alternative (``png`` has the bytes)."""
        self.table = w.HTML(_dom_classes=("itp-measures-changes",))
        super().__init__([self.week_input, self.image, self.table], **kwargs)
        css(self, "itp-measures")
        w.link((self.week_input, "value"), (self, "week"))
        self.week = week
        self._render()

    @property
    def slider(self) -> w.BoundedIntText:
        """The week control (kept under its old name: it was a slider)."""
        return self.week_input

    @property
    def png(self) -> bytes:
        """The plot shown, as PNG bytes."""
        return self._pngs[self.week]

    @property
    def case(self) -> CaseStudy:
        return self._case

    @property
    def changes(self) -> list[MeasureChange]:
        """What the table shows: first and latest score per instrument, and the reading."""
        return measure_changes(self._case, self.week)

    @t.validate("week")
    def _valid_week(self, proposal):
        if proposal["value"] < 0:
            raise t.TraitError("week cannot be negative")
        return proposal["value"]

    @t.observe("week")
    def _week_changed(self, change) -> None:
        if change["new"] > self.week_input.max:
            self.week_input.max = change["new"]
        if hasattr(self, "table"):
            self._render()

    def _render(self) -> None:
        if self.week not in self._pngs:
            self._pngs[self.week] = scores_png(self._case, self.week, self._plot_cache)
        self.image.value = image_html(
            self._pngs[self.week], measures_alt(self._case, self.week), "itp-figure itp-measure-figure"
        )
        self.table.value = _changes_html(self.changes, self.week)


__all__ = ["MeasuresPlot", "scores_png"]
