"""The workshop debrief: what the group agreed on, where it split, how individual the plans were, exemplars.

Built on the cohort view (``compare.cohort``): the same choices, the same consensus share, the same
individualization score, so a debrief and a supervisor's cohort table never disagree. A debrief is always
anonymized ("Trainee A", "Trainee B"...): the room discusses choices, not classmates. The one exception is
the person looking: their own plan is "your plan", set beside the group, because group work is there to
sharpen each trainee's individual planning, not to replace it.

Everything here is pure (plans and records in, tables and figures out) except ``gather_debrief``, which
reads what the asking person may see from the store; the store decides that (blind drafting, peers'
feedback staying private), not this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from ..checks import individualization_score
from ..errors import InvalidInput, ITPError
from ..model import Annotation, CaseStudy, TreatmentPlan
from ..model.ids import ID_PATTERN
from ..store import PlanStore
from .cohort import (
    CATEGORY_TITLES,
    CONSENSUS_SHARE,
    CohortDraft,
    choices_frame,
    cohort_table,
    individualization_frame,
    plan_choices,
    trainee_labels,
)

YOU = "Your plan"
GROUP_COLUMNS = ["category", "choice", "trainees", "share"]
"""What the consensus and divergence tables show: no per-trainee columns, so nobody is singled out."""


@dataclass(frozen=True)
class ScoreSpread:
    """How individual the group's plans were (individualization score, 0-100)."""

    drafts: int
    lowest: float
    lower_quartile: float
    median: float
    upper_quartile: float
    highest: float

    @property
    def summary(self) -> str:
        if not self.drafts:
            return "No saved plans yet."
        return (
            f"{self.drafts} plans: median {self.median:g}, middle half {self.lower_quartile:g}-"
            f"{self.upper_quartile:g}, range {self.lowest:g}-{self.highest:g}"
        )


@dataclass(frozen=True)
class ExemplarView:
    """A plan the facilitator held up, with why (the note) and the comments on it the viewer may read."""

    label: str
    draft_id: int
    revision: int
    note: str
    plan: TreatmentPlan
    annotations: Sequence[Annotation] = ()


@dataclass(frozen=True)
class Debrief:
    """Everything the debrief page shows, computed once."""

    case: CaseStudy
    group_size: int
    consensus: pd.DataFrame
    divergence: pd.DataFrame
    scores: pd.DataFrame
    spread: ScoreSpread
    yours: pd.DataFrame | None = None
    your_score: int | None = None
    exemplars: list[ExemplarView] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)
    """Revision numbers of saved plans that could not be read (stored around the store, not valid): left
    out, and said once, so one bad draft never hides the group's."""


# ---------------------------------------------------------------------- group tables


def _group_rows(table: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    picked = table[keep]
    return pd.DataFrame(
        {
            "category": [CATEGORY_TITLES.get(c, c) for c in picked["category"]],
            "choice": list(picked["label"]),
            "trainees": picked["count"].astype(int).to_list(),
            "share": picked["consensus"].astype(float).to_list(),
        },
        columns=GROUP_COLUMNS,
    )


def consensus_and_divergence(
    drafts: Sequence[CohortDraft], case: CaseStudy, *, share: float = CONSENSUS_SHARE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(consensus, divergence): choices made by at least ``share`` of the group, and choices that split it
    (made by some, fewer than ``share``). Anonymous: counts and shares only, never who."""
    table = cohort_table(drafts, case, anonymized=True)
    if table.empty:
        empty = pd.DataFrame(columns=GROUP_COLUMNS)
        return empty, empty.copy()
    shares = table["consensus"].to_numpy(dtype=float)
    return _group_rows(table, shares >= share), _group_rows(table, shares < share)


def score_spread(scores: pd.DataFrame) -> ScoreSpread:
    """Five-number summary of the ``score`` column of ``individualization_frame``."""
    values = scores["score"].to_numpy(dtype=float) if len(scores) else np.array([])
    if not len(values):
        return ScoreSpread(0, 0, 0, 0, 0, 0)
    q = np.percentile(values, [0, 25, 50, 75, 100])
    return ScoreSpread(len(values), *(round(float(v), 1) for v in q))


def your_choices_against_group(
    plan: TreatmentPlan, others: Sequence[CohortDraft], case: CaseStudy
) -> pd.DataFrame:
    """Each choice in your plan or in anyone else's: category, choice, ``yours`` (you made it) and
    ``others_share`` (share of the *other* plans that made it). Your choices first, then what you left out
    that others made, most common first: the questions to take back to your own plan."""
    mine = {(c.category, c.key): c.label for c in plan_choices(plan, case)}
    frame = choices_frame(others, case, anonymized=True)
    n = max(1, len({d.draft_id for d in others}))
    counts: dict[tuple[str, str], int] = {}
    labels: dict[tuple[str, str], str] = dict(mine)
    if not frame.empty:
        made = frame.drop_duplicates(["draft_id", "category", "choice"])
        for (category, key), group in made.groupby(["category", "choice"], sort=False):
            counts[(category, key)] = len(group)
            labels.setdefault((category, key), str(group["label"].iloc[0]))
    records = [
        (CATEGORY_TITLES.get(cat, cat), label, (cat, key) in mine, round(counts.get((cat, key), 0) / n, 3))
        for (cat, key), label in labels.items()
    ]
    table = pd.DataFrame.from_records(records, columns=["category", "choice", "yours", "others_share"])
    return table.sort_values(
        ["yours", "others_share", "category", "choice"], ascending=[False, False, True, True]
    ).reset_index(drop=True)


def build_debrief(
    drafts: Sequence[CohortDraft],
    case: CaseStudy,
    *,
    viewer_draft_id: int | None = None,
    exemplars: Sequence[ExemplarView] = (),
) -> Debrief:
    """The whole debrief for the group's ``drafts``; with ``viewer_draft_id``, that plan is set beside it."""
    consensus, divergence = consensus_and_divergence(drafts, case)
    scores = individualization_frame(drafts, case, anonymized=True)
    own = next((d for d in drafts if d.draft_id == viewer_draft_id), None)
    yours = your_score = None
    if own is not None:
        yours = your_choices_against_group(own.plan, [d for d in drafts if d.draft_id != own.draft_id], case)
        your_score = individualization_score(own.plan, case).score
    return Debrief(
        case=case,
        group_size=len(drafts),
        consensus=consensus,
        divergence=divergence,
        scores=scores,
        spread=score_spread(scores),
        yours=yours,
        your_score=your_score,
        exemplars=list(exemplars),
    )


def spread_figure(scores: pd.DataFrame, *, yours: int | None = None) -> Figure:
    """Each plan's individualization score as a dot on one line (no names), the median marked, and
    "your plan" marked when the viewer has one. A Figure object: no pyplot, no global state."""
    fig = Figure(figsize=(6.0, 1.9))
    ax = fig.add_subplot()
    values = np.sort(scores["score"].to_numpy(dtype=float)) if len(scores) else np.array([])
    if len(values):
        # Stack equal scores upwards instead of hiding them behind each other.
        _, first = np.unique(values, return_index=True)
        height = np.arange(len(values)) - np.repeat(first, np.diff(np.append(first, len(values))))
        ax.scatter(values, height, s=60, color="#4c72b0", zorder=3, label="a plan in the group")
        ax.axvline(
            float(np.median(values)), color="#555555", linestyle=":", label=f"median ({np.median(values):g})"
        )
        ax.set_ylim(-0.8, max(2.0, float(height.max()) + 0.8))
    if yours is not None:
        ax.axvline(yours, color="#c44e52", linewidth=2, label=f"your plan ({yours})")
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 10))  # whole scores only
    ax.set_yticks([])
    ax.set_xlabel("Individualization score (0-100)")
    ax.set_title("Each plan's individualization score", fontsize=10, loc="left")
    if len(values) or yours is not None:
        ax.legend(fontsize=7, loc="upper left", frameon=False, ncols=3)
    fig.tight_layout()
    return fig


def exemplar_label(owner: str, participants: Sequence[str]) -> str:
    """The anonymous name the debrief uses for an exemplar's author, consistent with the group tables."""
    return trainee_labels(participants, anonymized=True).get(owner, "A plan from the group")


# ---------------------------------------------------------------------- reading the store


def gather_debrief(store: PlanStore, workshop_id: int, case: CaseStudy, *, actor: str) -> Debrief:
    """The debrief as ``actor`` may see it: the drafts the store lets them read (all of them for the
    facilitator; for a trainee only once review is open), their own set beside the group, and the
    exemplars with the comments on them that the store lets ``actor`` read (a peer's feedback stays
    theirs)."""
    summaries = [s for s in store.list_workshop_drafts(workshop_id, actor=actor) if s.latest_revision > 0]
    drafts, unreadable = [], []
    for s in summaries:
        try:
            plan = store.get_revision(s.id, actor=actor)
        except InvalidInput:  # a plan stored around the store: the others still make the debrief
            unreadable.append(s.latest_revision)
            continue
        drafts.append(CohortDraft(s.id, s.owner, plan, s.latest_revision, s.status))
    owners = [d.trainee for d in drafts]
    mine = next((d.draft_id for d in drafts if d.trainee == actor), None)
    views: list[ExemplarView] = []
    for ex in store.list_exemplars(workshop_id, actor=actor):
        try:
            plan = store.get_revision(ex.draft_id, ex.revision, actor=actor)
        except ITPError:
            continue
        try:
            notes = [a for a in store.list_annotations(ex.draft_id, actor=actor) if a.revision <= ex.revision]
        except ITPError:
            notes = []
        label = YOU if ex.owner == actor else exemplar_label(ex.owner, owners)
        views.append(ExemplarView(label, ex.draft_id, ex.revision, ex.note, plan, notes))
    return replace(build_debrief(drafts, case, viewer_draft_id=mine, exemplars=views), unreadable=unreadable)


# ---------------------------------------------------------------------- HTML (the page and the offline file)


def _table_html(
    table: pd.DataFrame, columns: Sequence[tuple[str, str]], cls: str, empty: str, caption: str = ""
) -> Markup:
    if table is None or table.empty:
        return Markup('<p class="{} itp-empty">{}</p>').format(cls, empty)
    head = Markup("").join(Markup('<th scope="col">{}</th>').format(title) for _, title in columns)
    rows = Markup("").join(
        Markup('<tr class="{}-row">{}</tr>').format(
            cls, Markup("").join(Markup("<td>{}</td>").format(_cell(row[name])) for name, _ in columns)
        )
        for _, row in table.iterrows()
    )
    cap = Markup("<caption>{}</caption>").format(caption) if caption else Markup("")
    return Markup('<table class="{}">{}<tr>{}</tr>{}</table>').format(cls, cap, head, rows)


_LEADING_ID = re.compile(ID_PATTERN.rstrip("$") + ": ")
"""A choice's label starts with the case fact's id ("pc-binges: Eating episodes..."); the page shows the
text only."""


def _cell(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "—"
    if isinstance(value, float):
        return f"{value:.0%}" if 0 <= value <= 1 else f"{value:g}"
    return _LEADING_ID.sub("", str(value))


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def plan_outline_html(plan: TreatmentPlan) -> Markup:
    """A read-only outline of a plan (problem -> goal -> objective -> intervention), escaped."""
    from ..views.plan import plan_outline

    rows = plan_outline(plan)
    if not rows:
        return Markup('<p class="itp-empty">(nothing written)</p>')
    return Markup('<ul class="itp-plan-outline">{}</ul>').format(
        Markup("").join(
            Markup('<li class="itp-outline-{}" style="margin-left:{}em">{}</li>').format(
                r.kind, 1.5 * r.depth, r.label
            )
            for r in rows
        )
    )


def debrief_sections(debrief: Debrief) -> list[Markup]:
    """The debrief as HTML sections (all text escaped; the plot as a data: URI, so it works offline)."""
    from ..views.reports import figure_data_uri

    out: list[Markup] = [
        Markup(
            '<p class="itp-debrief-intro">{} plans from the group, shown without names: they agreed on {} '
            "and split on {}.</p>"
        ).format(
            debrief.group_size,
            _count(len(debrief.consensus), "choice"),
            _count(len(debrief.divergence), "choice"),
        )
    ]
    if debrief.unreadable:
        n = len(debrief.unreadable)
        out.append(
            Markup(
                '<p class="itp-debrief-unreadable" role="status">{} could not be read and {} left out.</p>'
            ).format("One saved plan" if n == 1 else f"{n} saved plans", "is" if n == 1 else "are")
        )
    out.append(
        Markup("<h3>Where the group agreed</h3>{}").format(
            _table_html(
                debrief.consensus,
                [
                    ("category", "Kind of choice"),
                    ("choice", "Choice"),
                    ("trainees", "Plans that made it"),
                    ("share", "Share of the group"),
                ],
                "itp-debrief-consensus",
                "No choice was shared by most of the group.",
                "Choices most of the group made",
            )
        )
    )
    out.append(
        Markup("<h3>Where the group split</h3>{}").format(
            _table_html(
                debrief.divergence,
                [
                    ("category", "Kind of choice"),
                    ("choice", "Choice"),
                    ("trainees", "Plans that made it"),
                    ("share", "Share of the group"),
                ],
                "itp-debrief-divergence",
                "Nothing split the group.",
                "Choices only some of the group made",
            )
        )
    )
    figure = figure_data_uri(spread_figure(debrief.scores, yours=debrief.your_score))
    out.append(
        Markup(
            '<h3>How individual the plans were</h3><p class="itp-debrief-spread">{}</p>'
            '<p><img alt="Individualization scores of the group" src="{}"></p>'
        ).format(debrief.spread.summary, figure)
    )
    if debrief.yours is not None:
        out.append(
            Markup(
                "<h3>Your plan beside the group</h3><p>Your individualization score: {}. "
                "Your plan stays yours: use what the group did differently as questions for your next "
                "revision.</p>{}"
            ).format(
                debrief.your_score,
                _table_html(
                    debrief.yours,
                    [
                        ("category", "Kind of choice"),
                        ("choice", "Choice"),
                        ("yours", "In your plan"),
                        ("others_share", "Others who chose it"),
                    ],
                    "itp-debrief-yours",
                    "Your plan makes no choices yet.",
                    "Your choices, then what others chose that your plan leaves out",
                ),
            )
        )
    if debrief.exemplars:
        parts = []
        for ex in debrief.exemplars:
            comments = Markup("").join(
                Markup('<li class="itp-exemplar-comment">{}</li>').format(a.body) for a in ex.annotations
            )
            parts.append(
                Markup(
                    '<div class="itp-exemplar"><h4>{} (save {})</h4><p class="itp-exemplar-note">{}</p>'
                    "{}{}</div>"
                ).format(
                    ex.label,
                    ex.revision,
                    ex.note or "",
                    plan_outline_html(ex.plan),
                    Markup("<ul>{}</ul>").format(comments) if comments else Markup(""),
                )
            )
        out.append(Markup("<h3>Exemplars the facilitator picked</h3>") + Markup("").join(parts))
    return out


def debrief_html(debrief: Debrief, *, title: str) -> str:
    """The debrief as one self-contained HTML file (views.reports.offline_html: opens offline)."""
    from ..views.reports import offline_html

    body = Markup("<h1>{}</h1>").format(title) + Markup("").join(debrief_sections(debrief))
    return offline_html(title, body)
