"""The trainee's view of a case: one document: contents, every section, the
timeline so far and the scores plot.

Everything shown comes from ``itp_toolkit.views`` (which strips supervisor-only material and escapes the
text); this widget only holds it. The case reads as a clinical document with its sections visible
together, not one accordion fold at a time, and it is one widget, not dozens. Advancing ``week`` reveals
the timeline events and scores of that week, as the exercise unfolds.
"""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as w
import traitlets as t

from ..formats.cache import ByteCache
from ..model import CaseStudy
from ..views import revealed_events
from ..views.case import case_document
from ._common import css, shared
from .measures_plot import scores_png

SECTION_KEYS = (
    "person", "concerns", "history", "context", "mental_status", "formulation", "diagnosis", "risk",
    "strengths", "barriers", "words", "measures", "timeline",
)  # fmt: skip
"""What ``sections`` may name; "measures" is the scores list and plot, "timeline" the events so far."""


class CaseViewer(w.VBox):
    """A case as the trainee sees it at exercise ``week``.

    ``sections`` (keys of ``SECTION_KEYS``) shows only those parts, e.g. ``("concerns", "words")`` for a
    first-impressions exercise; None shows them all. ``plot_cache`` (the workspace's; by default the user's
    cache folder) keeps the scores plot drawn for one page for the next page with the same case and week.

    >>> CaseViewer(case, week=6, sections=("history", "words", "timeline"))  # doctest: +SKIP
    """

    week = t.Int(0, help="Exercise week: timeline events and scores up to this week are shown.")

    def __init__(
        self,
        case: CaseStudy,
        week: int = 0,
        *,
        sections: Iterable[str] | None = None,
        plot_cache: ByteCache | None = None,
        **kwargs,
    ):
        # Keep only the trainee's copy: teaching notes and the reference plan never enter this widget.
        self._case = case.for_trainee()
        self.sections = tuple(SECTION_KEYS if sections is None else sections)
        unknown = sorted(set(self.sections) - set(SECTION_KEYS))
        if unknown:
            raise ValueError(f"unknown case sections {unknown}; choose from {', '.join(SECTION_KEYS)}")
        self._plots: dict[int, bytes] = {}
        self._plot_cache = plot_cache
        self.document = shared()(w.HTML, classes=("itp-case-narrative",))
        self.plot_png = b""
        """The scores plot shown, as PNG bytes (it is in the document as an image with a text alternative)."""
        super().__init__(**kwargs)
        css(self, "itp-case-viewer")
        self.week = week
        self._ready = True
        self._render()
        self.children = [self.document]

    @property
    def case(self) -> CaseStudy:
        return self._case

    @property
    def events(self) -> list:
        """The timeline events shown (revealed by ``week``; none when the timeline is not shown)."""
        return revealed_events(self._case, self.week) if "timeline" in self.sections else []

    @t.validate("week")
    def _valid_week(self, proposal):
        if proposal["value"] < 0:
            raise t.TraitError("week cannot be negative")
        return proposal["value"]

    @t.observe("week")
    def _week_changed(self, change) -> None:
        if getattr(self, "_ready", False):
            self._render()

    def _render(self) -> None:
        self.plot_png = self._plot_png(self.week) if "measures" in self.sections else b""
        self.document.value = case_document(
            self._case, self.week, plot_png=self.plot_png or None, sections=self.sections
        )

    def _plot_png(self, week: int) -> bytes:
        """The scores plot as of ``week``; drawn once per week shown (drawing takes most of a render), or read
        from the plot cache when another page drew it."""
        if week not in self._plots:
            self._plots[week] = scores_png(self._case, week, self._plot_cache)
        return self._plots[week]

    def advance(self, weeks: int = 1) -> None:
        """Move the exercise on (the Python twin of a 'next week' button)."""
        self.week = self.week + weeks
