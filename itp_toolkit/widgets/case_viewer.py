"""The trainee's view of a case: narrative sections, supports and barriers, their words, scores, timeline.

Everything shown comes from ``itp_toolkit.views`` (which strips supervisor-only material); this widget only
lays it out. Advancing ``week`` reveals the timeline events and scores of that week, as the exercise unfolds.
"""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as w
import traitlets as t

from ..model import CaseStudy
from ..model.base import isolate
from ..views import case_sections, figure_png, measure_plot, revealed_events
from ._common import css, list_html, text_html

# Sections shown open on their own, not folded into the accordion: what a plan is built from.
_PINNED = ("strengths", "barriers", "words")


def _section_widget(section) -> w.HTML:
    parts = [text_html(p) for p in section.paragraphs]
    if section.items:
        parts.append(list_html(section.items))
    return w.HTML(
        "".join(parts),
        _dom_classes=(
            "itp-case-section",
            f"itp-case-{section.key}",
        ),
    )


SECTION_KEYS = (
    "person", "concerns", "history", "context", "mental_status", "formulation", "diagnosis", "risk",
    "strengths", "barriers", "words", "measures", "timeline",
)  # fmt: skip
"""What ``sections`` may name; "measures" is the scores list and plot, "timeline" the events so far."""


class CaseViewer(w.VBox):
    """A case as the trainee sees it at exercise ``week``.

    ``sections`` (keys of ``SECTION_KEYS``) shows only those parts, e.g. ``("concerns", "words")`` for a
    first-impressions exercise; None shows them all.

    >>> CaseViewer(case, week=6, sections=("history", "words", "timeline"))  # doctest: +SKIP
    """

    week = t.Int(0, help="Exercise week: timeline events and scores up to this week are shown.")

    def __init__(self, case: CaseStudy, week: int = 0, *, sections: Iterable[str] | None = None, **kwargs):
        # Keep only the trainee's copy: teaching notes and the reference plan never enter this widget.
        self._case = case.for_trainee()
        self.sections = tuple(SECTION_KEYS if sections is None else sections)
        unknown = sorted(set(self.sections) - set(SECTION_KEYS))
        if unknown:
            raise ValueError(f"unknown case sections {unknown}; choose from {', '.join(SECTION_KEYS)}")
        self._plots: dict[int, bytes] = {}
        self.title = w.HTML(text_html(self._case.title, "h3"), _dom_classes=("itp-case-title",))
        self.narrative = w.Accordion(_dom_classes=("itp-case-narrative",))
        self.pinned = w.VBox(_dom_classes=("itp-case-pinned",))
        self.plot = w.Image(
            format="png", layout=w.Layout(max_width="640px"), _dom_classes=("itp-measure-plot",)
        )
        self.timeline = w.VBox(_dom_classes=("itp-timeline",))
        super().__init__(**kwargs)
        css(self, "itp-case-viewer")
        self.week = week
        self._ready = True
        self._render()

    @property
    def case(self) -> CaseStudy:
        return self._case

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
        sections = [s for s in case_sections(self._case, self.week) if s.key in self.sections]
        folded = [s for s in sections if s.key not in _PINNED and s.key != "timeline"]
        self.narrative.children = [_section_widget(s) for s in folded]
        for i, s in enumerate(folded):
            self.narrative.set_title(i, s.title)
        self.pinned.children = [
            w.VBox([w.HTML(text_html(s.title, "h4"), _dom_classes=("itp-case-heading",)), _section_widget(s)])
            for s in sections
            if s.key in _PINNED
        ]
        scores = "measures" in self.sections
        if scores:
            self.plot.value = self._plot_png(self.week)
        events = revealed_events(self._case, self.week) if "timeline" in self.sections else []
        self.timeline.children = [
            w.HTML(
                text_html(f"Week {e.week}: {isolate(e.title)}", "h4") + text_html(e.description),
                _dom_classes=("itp-timeline-event",),
            )
            for e in events
        ]
        heading = [
            w.HTML(
                text_html(f"Timeline (exercise week {self.week})", "h4"), _dom_classes=("itp-case-heading",)
            )
        ]
        self.children = [
            self.title,
            *([self.narrative] if folded else []),
            self.pinned,
            *(
                [w.HTML(text_html("Scores", "h4"), _dom_classes=("itp-case-heading",)), self.plot]
                if scores
                else []
            ),
            *(
                [*heading, self.timeline if events else w.Label("No events yet.")]
                if "timeline" in self.sections
                else []
            ),
        ]

    def _plot_png(self, week: int) -> bytes:
        """The scores plot as of ``week``; drawn once per week shown (drawing takes most of a render)."""
        if week not in self._plots:
            self._plots[week] = figure_png(measure_plot(self._case, week))
        return self._plots[week]

    def advance(self, weeks: int = 1) -> None:
        """Move the exercise on (the Python twin of a 'next week' button)."""
        self.week = self.week + weeks
