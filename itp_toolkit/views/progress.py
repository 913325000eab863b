"""Competency progress on screen and in reports: plots and HTML tables over ``compare.progress`` tables.

Figures use ``matplotlib.figure.Figure`` with the Agg canvas (no pyplot state). Criteria and cases are shown
by their titles, trainees by display name; every piece of text that reaches HTML is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd
from markupsafe import Markup, escape

from ..compare.progress import LEVELS, cohort_distribution, progress_frame, trainee_progress
from ..model import Rubric
from ..store.records import ScorePoint

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LEVEL_COLOURS = ("#d9534f", "#f0ad4e", "#5bc0de", "#5cb85c")
"""Levels 1-4, from 'not yet' to 'exemplary'; distinguishable in greyscale by the numbers drawn on them."""


def _wrap(title: str, width: int = 38) -> str:
    if len(title) <= width:
        return title
    cut = title.rfind(" ", 0, width)
    return title[: cut if cut > 0 else width] + "…"


def trainee_figure(table: pd.DataFrame, rubric: Rubric, name: str) -> Figure:
    """A heat map: criteria (rows, by title) against scored revisions in time order (columns), each cell
    coloured and labelled with its level; white where not scored. The competent line is in the title."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure

    n_rows, n_cols = table.shape
    fig = Figure(figsize=(max(6.5, 3.2 + 1.1 * n_cols), 0.34 * max(n_rows, 1) + 1.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if n_cols == 0:
        ax.text(0.5, 0.5, f"{name} has no scored revisions yet", ha="center", va="center")
        ax.set_axis_off()
        return fig
    cmap = ListedColormap(LEVEL_COLOURS).with_extremes(bad="#ffffff")
    values = table.to_numpy(dtype=float)
    ax.imshow(values, cmap=cmap, norm=BoundaryNorm([0.5, 1.5, 2.5, 3.5, 4.5], 4), aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if v == v:  # not NaN
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=8, color="#111111")
    ax.set_yticks(range(n_rows), [_wrap(str(t)) for t in table.index], fontsize=8)
    labels = []
    for column in table.columns:
        case, _, revision = str(column).rpartition(", revision ")
        labels.append(f"{_wrap(case, 24)}\nrevision {revision}" if case else _wrap(str(column), 24))
    ax.set_xticks(range(n_cols), labels, fontsize=7)
    ax.set_title(
        f"{name}: rubric levels per criterion, oldest revision first (competent at {rubric.competent_at})",
        fontsize=10,
        loc="left",
    )
    fig.tight_layout()
    return fig


def cohort_figure(distribution: pd.DataFrame, rubric: Rubric, title: str) -> Figure:
    """Stacked bars per criterion: how many trainees are at each level now."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 0.34 * max(len(distribution), 1) + 1.8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    left = [0.0] * len(distribution)
    y = list(range(len(distribution)))
    for level, colour in zip(LEVELS, LEVEL_COLOURS, strict=True):
        counts = [float(v) for v in distribution[f"level {level}"]]
        ax.barh(y, counts, left=left, color=colour, label=f"level {level}")
        for k, (start, count) in enumerate(zip(left, counts, strict=True)):
            if count:
                ax.text(start + count / 2, k, f"{count:g}", ha="center", va="center", fontsize=7)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_yticks(y, [_wrap(str(t)) for t in distribution.index], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("trainees (newest score on each criterion)", fontsize=8)
    ax.legend(loc="lower right", fontsize=7, ncols=4, frameon=False, bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title, fontsize=10, loc="left", pad=18)
    fig.tight_layout()
    return fig


def _table_html(frame: pd.DataFrame, cls: str, first: str) -> Markup:
    head = Markup("").join(Markup("<th>{}</th>").format(str(c)) for c in [first, *frame.columns])
    body = []
    for label, row in frame.iterrows():
        cells = Markup("").join(
            Markup("<td>{}</td>").format("" if pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v))
            for v in row
        )
        body.append(Markup("<tr><th scope='row'>{}</th>{}</tr>").format(str(label), cells))
    return Markup('<table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>').format(
        cls, head, Markup("").join(body)
    )


def trainee_table_html(table: pd.DataFrame) -> str:
    if table.shape[1] == 0:
        return str(Markup('<p class="itp-competency-empty">No scored revisions yet.</p>'))
    return str(_table_html(table, "itp-competency-table", "Criterion"))


def cohort_table_html(distribution: pd.DataFrame) -> str:
    return str(_table_html(distribution, "itp-competency-cohort", "Criterion"))


def progress_report_html(
    points: Sequence[ScorePoint],
    rubric: Rubric,
    case_titles: Mapping[str, str],
    *,
    title: str,
    generated: dt.datetime,
) -> str:
    """A self-contained HTML page (no scripts, no network): the cohort's distribution, then each trainee's
    plot and table. Plots are data: URIs."""
    from .reports import figure_data_uri

    names = {p.trainee: p.display_name for p in points}
    parts = [
        Markup("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{}</title>").format(title),
        Markup(
            "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem}"
            "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;"
            "text-align:left}td{text-align:center}img{max-width:100%}</style></head><body>"
        ),
        Markup("<h1>{}</h1><p>{} trainees; made {}.</p>").format(
            title, len(names), generated.strftime("%Y-%m-%d %H:%M UTC")
        ),
    ]
    distribution = cohort_distribution(points, rubric)
    parts.append(Markup("<h2>Where the group stands</h2>"))
    parts.append(
        Markup('<img alt="{}" src="{}">').format(
            "Trainees at each level per criterion",
            figure_data_uri(cohort_figure(distribution, rubric, "Trainees at each level, per criterion")),
        )
    )
    parts.append(Markup(cohort_table_html(distribution)))
    for username in sorted(names, key=lambda u: (names[u].casefold(), u)):
        table = trainee_progress(points, rubric, username, case_titles)
        parts.append(Markup("<h2>{}</h2>").format(names[username]))
        parts.append(
            Markup('<img alt="{}" src="{}">').format(
                f"Rubric levels of {names[username]} over time",
                figure_data_uri(trainee_figure(table, rubric, names[username])),
            )
        )
        parts.append(Markup(trainee_table_html(table)))
    parts.append(Markup("</body></html>"))
    return str(escape("").join(parts))


def progress_csv_frame(
    points: Sequence[ScorePoint], rubric: Rubric, case_titles: Mapping[str, str]
) -> pd.DataFrame:
    """The long table for ``--format csv`` (one row per trainee, scored revision and criterion)."""
    return progress_frame(points, rubric, case_titles)
