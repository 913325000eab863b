"""Scores over the weeks, per instrument, drawn over the instrument's published severity bands.

Uses ``matplotlib.figure.Figure`` with the Agg canvas directly: no pyplot, so no global figure state leaks
between widgets or tests, and nothing needs a display.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import CaseStudy
from ..model.measures import Instrument, get_instrument

# Light, ordered shades from least to most severe; bands are drawn lightest first.
if TYPE_CHECKING:  # matplotlib is imported when a plot is drawn: it costs pages half a second to start
    from matplotlib.figure import Figure

_BAND_COLOURS = ("#e8f5e9", "#fffde7", "#fff3e0", "#fbe9e7", "#ffebee")
PLOT_DPI = 96
PLOT_STYLE = 1
"""Bump when the scores plot looks different for a reason its code does not show (fonts, a theme), so
images kept by ``measure_plot_key`` are drawn again. A change to ``measure_plot``'s code changes the key."""


@dataclass(frozen=True)
class Series:
    """One instrument's scores known by a week, in week order."""

    instrument: Instrument
    weeks: tuple[int, ...]
    scores: tuple[float, ...]


def measure_series(case: CaseStudy, week: int) -> list[Series]:
    """Scores known by ``week`` (intake and revealed events), one series per instrument, by its code."""
    by_code: dict[str, list[tuple[int, float]]] = {}
    for point in case.measures_until(week):
        by_code.setdefault(point.instrument, []).append((point.week, point.score))
    out = []
    for code in sorted(by_code):
        points = sorted(by_code[code])
        out.append(Series(get_instrument(code), tuple(w for w, _ in points), tuple(s for _, s in points)))
    return out


def measure_plot(case: CaseStudy, week: int) -> Figure:
    """One panel per instrument: scores by week over shaded severity bands. An empty case says so."""
    series = measure_series(case, week)
    rows = max(1, len(series))
    # A fixed layout, not "constrained": that solver triples the time to draw, and the plot redraws each week.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # Drawn at the size it is shown (about 640 px wide at 96 dpi), so 10-11 pt text reads as 13-15 px.
    fig = Figure(figsize=(6.6, 2.6 * rows))
    fig.subplots_adjust(
        left=0.1, right=0.72, top=1 - 0.35 / (2.6 * rows), bottom=0.6 / (2.6 * rows), hspace=0.6
    )
    FigureCanvasAgg(fig)
    if not series:
        ax = fig.add_subplot(1, 1, 1)
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"No scores recorded by week {week}", ha="center", va="center")
        return fig
    last_week = max(week, max(max(s.weeks) for s in series), 1)
    for n, s in enumerate(series, start=1):
        ax = fig.add_subplot(rows, 1, n)
        inst = s.instrument
        for i, band in enumerate(inst.bands):
            colour = (
                _BAND_COLOURS[min(i, len(_BAND_COLOURS) - 1)]
                if len(inst.bands) <= len(_BAND_COLOURS)
                else None
            )
            # Bands are inclusive integer ranges; shade to the next band's start so there is no gap.
            top = band.high + 1 if band.high < inst.maximum else inst.maximum
            ax.axhspan(band.low, top, color=colour or "#f5f5f5", zorder=0, linewidth=0)
            # Labelled in the margin to the right, in axes-fraction x so it never collides with points.
            ax.text(
                1.02,
                (band.low + top) / 2,
                "\n".join(textwrap.wrap(band.label, 22)),  # the margin holds ~22 characters a line
                va="center",
                fontsize=10,
                color="#374151",
                transform=ax.get_yaxis_transform(),
            )
        if inst.clinical_cutoff is not None:
            ax.axhline(inst.clinical_cutoff, color="#9e9e9e", linestyle="--", linewidth=0.8, zorder=1)
        ax.plot(s.weeks, s.scores, marker="o", color="#1a237e", zorder=2, label=inst.code)
        for w, score in zip(s.weeks, s.scores, strict=True):
            ax.annotate(
                f"{score:g}", (w, score), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=10
            )
        ax.set_xlim(-0.5, last_week + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # weeks are whole: no 'week 0.5'
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=10)
        ax.set_ylim(inst.minimum, inst.maximum)
        ax.set_ylabel(inst.code, fontsize=10)
        ax.set_title(inst.name, fontsize=11, loc="left")
        if n == rows:
            ax.set_xlabel("Week", fontsize=10)
    return fig


def measure_plot_key(case: CaseStudy, week: int) -> str:
    """A digest of everything the scores plot of ``case`` at ``week`` is drawn from: the scores known by then
    and their instruments (ranges, bands, cut-offs), the week, the plot's code, colours, size and style
    version, and matplotlib's version. Two cases (or weeks) with the same digest have the same picture,
    so a picture drawn once can be kept under it (``formats.cache``)."""
    import matplotlib

    parts = [
        repr(measure_series(case, week)),
        str(week),
        repr(_BAND_COLOURS),
        f"dpi={PLOT_DPI} style={PLOT_STYLE} matplotlib={matplotlib.__version__}",
        _code_digest(measure_plot.__code__),
    ]
    return "plot-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _code_digest(code) -> str:
    """What a function does, not where it is: its bytecode, names and constants (nested code included)."""
    consts = [_code_digest(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts]
    return hashlib.sha256(repr((code.co_code, code.co_names, consts)).encode()).hexdigest()


def figure_png(fig: Figure, dpi: int = PLOT_DPI) -> bytes:
    """PNG bytes of a figure, for an ``ipywidgets.Image``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
