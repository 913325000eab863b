"""The cohort view: which choices each trainee made for one case, how many others made them, who stands out.

A *choice* is something a supervisor discusses in group supervision: which case concern a problem
addresses, which measure an objective uses, which treatment an intervention names (by modality), which
case strengths and barriers the plan works with, which concerns it defers. Choices are read off the plans
by pure functions, so the table, the plots, the group comment's anchors and the report all agree.

Trainees can be shown by name or anonymized as "Trainee A", "Trainee B", ... in the order of their
usernames, so the letters stay the same for a cohort however the drafts are listed or filtered.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..checks import individualization_score
from ..errors import InputProblem, InvalidInput
from ..library.vocabulary import modality
from ..model import Annotation, CaseStudy, TreatmentPlan
from ..model.plan import fact_ids
from ..store.records import Anchor
from .alignment import content_words, element_label, matched_concerns, measure_key

CATEGORIES = ("concern", "deferred", "measure", "modality", "strength", "barrier")
"""Choice categories, in the order the table lists them."""
CATEGORY_TITLES = {
    "concern": "Problem addresses concern",
    "deferred": "Concern deferred",
    "measure": "Measure used",
    "modality": "Intervention modality",
    "strength": "Case strength used",
    "barrier": "Case barrier worked with",
}
CONSENSUS_SHARE = 0.75
"""A choice made by at least this share of the cohort is 'consensus'; a trainee who left it out stands out."""


@dataclass(frozen=True)
class CohortDraft:
    """One trainee's draft (the revision under review) with what the supervisor list shows about it."""

    draft_id: int
    trainee: str
    plan: TreatmentPlan
    revision: int = 0
    status: str = ""


@dataclass(frozen=True)
class Choice:
    category: str
    key: str
    label: str
    element_id: str


# ---------------------------------------------------------------------- trainee labels


def letter_label(n: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA' (spreadsheet columns)."""
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = string.ascii_uppercase[rem] + letters
    return letters


def trainee_labels(usernames: Iterable[str], *, anonymized: bool) -> dict[str, str]:
    """Username -> what the page shows: the name, or 'Trainee A', 'Trainee B'... in username order."""
    names = sorted(set(usernames))
    if not anonymized:
        return {u: u for u in names}
    return {u: f"Trainee {letter_label(n)}" for n, u in enumerate(names)}


# ---------------------------------------------------------------------- choices


@lru_cache(maxsize=4096)
def canonical_modality(name: str) -> tuple[str, str]:
    """(key, label) for a named treatment: the shared vocabulary's modality when the words name one ('CBT',
    'cognitive behavioral therapy' and 'CBT for depression' are one row; 'CBT for psychosis' another), else
    the trainee's own words ('therapy' stays 'therapy', never a library modality it happens to resemble)."""
    text = " ".join(name.split())
    if not text:
        return "", ""
    known = modality(text)
    if known is not None:
        return known.key, known.label
    return " ".join(sorted(content_words(text.lower()))), text


@dataclass(frozen=True)
class _CaseFacts:
    """What choices are read against, looked up once per cohort rather than once per draft."""

    concerns: dict[str, str]
    strengths: dict[str, str]
    barriers: dict[str, str]

    @classmethod
    def of(cls, case: CaseStudy) -> _CaseFacts:
        return cls(
            {c.id: c.summary for c in case.presenting_concerns},
            {s.id: s.text for s in case.strengths},
            {b.id: b.text for b in case.barriers},
        )


def _choice_records(
    plan: TreatmentPlan, case: CaseStudy, facts: _CaseFacts
) -> list[tuple[str, str, str, str]]:
    """(category, key, label, element_id) for every choice the plan makes, in plan order per category."""
    concerns, strengths, barriers = facts.concerns, facts.strengths, facts.barriers
    out: list[tuple[str, str, str, str]] = []
    for problem in plan.problems:
        matched = matched_concerns(problem, case)
        for concern_id in matched:
            out.append(("concern", concern_id, concerns[concern_id], problem.id))
        if not matched:
            out.append(("concern", "(none)", "(matches no case concern)", problem.id))
    for deferral in plan.deferred_concerns:
        label = concerns.get(deferral.concern_id, "(not a concern of this case)")
        out.append(("deferred", deferral.concern_id, label, deferral.id))
    objectives = [o for problem in plan.problems for goal in problem.goals for o in goal.objectives]
    for objective in objectives:
        if objective.measure.strip():
            key = measure_key(objective.measure)
            out.append(("measure", key, key if key.isupper() else objective.measure.strip(), objective.id))
    for objective in objectives:
        for intervention in objective.interventions:
            key, label = canonical_modality(intervention.modality or "")
            if key:
                out.append(("modality", key, label, intervention.id))
    for element in plan.elements():
        # Concerns and quotes are counted above or not at all: only strengths and barriers are kept here.
        for fact_id in sorted(set(fact_ids(element))):
            if fact_id in strengths:
                out.append(("strength", fact_id, strengths[fact_id], element.id))
            elif fact_id in barriers:
                out.append(("barrier", fact_id, barriers[fact_id], element.id))
    return out


def plan_choices(plan: TreatmentPlan, case: CaseStudy) -> list[Choice]:
    """Every choice the plan makes, each with the element it was made in."""
    return [Choice(*record) for record in _choice_records(plan, case, _CaseFacts.of(case))]


def choices_frame(
    drafts: Sequence[CohortDraft], case: CaseStudy, *, anonymized: bool = False
) -> pd.DataFrame:
    """Long table: one row per (draft, choice, element) with columns
    trainee, username, draft_id, category, choice, label, element_id."""
    labels = trainee_labels((d.trainee for d in drafts), anonymized=anonymized)
    facts = _CaseFacts.of(case)
    records = [
        (labels[d.trainee], d.trainee, d.draft_id, *record)
        for d in drafts
        for record in _choice_records(d.plan, case, facts)
    ]
    return pd.DataFrame.from_records(
        records, columns=["trainee", "username", "draft_id", "category", "choice", "label", "element_id"]
    )


def cohort_table(
    drafts: Sequence[CohortDraft],
    case: CaseStudy,
    *,
    anonymized: bool = False,
    choices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Choices x trainees: how many elements of each draft make each choice, then ``count`` (trainees
    who made it), ``consensus`` (their share of the cohort) and ``outlier`` (made by one trainee only in a
    cohort of three or more). Rows are ordered by category, then most common first."""
    frame = choices if choices is not None else choices_frame(drafts, case, anonymized=anonymized)
    trainees = list(trainee_labels((d.trainee for d in drafts), anonymized=anonymized).values())
    if frame.empty:
        empty = pd.DataFrame(
            columns=["category", "choice", "label", *trainees, "count", "consensus", "outlier"]
        )
        return empty
    # Counted with numpy (np.add.at), not pivot_table: the same numbers for a thousand trainee columns.
    pair_codes, pairs = pd.MultiIndex.from_arrays([frame["category"], frame["choice"]]).factorize()
    trainee_codes = pd.Index(trainees).get_indexer(frame["trainee"])
    counted = frame["element_id"].notna().to_numpy() & (trainee_codes >= 0)
    grid = np.zeros((len(pairs), len(trainees)), dtype=int)
    np.add.at(grid, (pair_codes[counted], trainee_codes[counted]), 1)
    _, first = np.unique(pair_codes, return_index=True)
    counts = pd.DataFrame(grid, columns=trainees)
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "category": pairs.get_level_values(0),
                    "choice": pairs.get_level_values(1),
                    "label": frame["label"].to_numpy()[first],
                }
            ),
            counts,
        ],
        axis=1,
    )
    made = (grid > 0).sum(axis=1)
    n = max(1, len(trainees))
    table["count"] = made
    table["consensus"] = np.round(made / n, 3)
    table["outlier"] = (made == 1) & (n >= 3)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    table["_order"] = table["category"].map(order)
    table = table.sort_values(["_order", "count", "choice"], ascending=[True, False, True]).drop(
        columns="_order"
    )
    return table.reset_index(drop=True)


def outliers(table: pd.DataFrame, trainees: Sequence[str]) -> pd.DataFrame:
    """Who stands out, and how: a choice no one else made, or a consensus choice they left out."""
    records = []
    n = len(trainees)
    for row in table.itertuples(index=False):
        data = row._asdict()
        made_by = [t for t in trainees if data.get(t, 0)]
        if data["outlier"]:
            records.append((made_by[0], data["category"], data["label"], "only this trainee"))
        elif n >= 3 and data["consensus"] >= CONSENSUS_SHARE:
            for t in trainees:
                if not data.get(t, 0):
                    records.append((t, data["category"], data["label"], "left out a consensus choice"))
    return pd.DataFrame.from_records(records, columns=["trainee", "category", "choice", "how"])


def similarity_matrix(
    drafts: Sequence[CohortDraft],
    case: CaseStudy,
    *,
    anonymized: bool = False,
    choices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Trainee x trainee: Jaccard similarity of the sets of choices their drafts make (1 on the diagonal)."""
    frame = choices if choices is not None else choices_frame(drafts, case, anonymized=anonymized)
    labels = list(trainee_labels((d.trainee for d in drafts), anonymized=anonymized).values())
    if not labels:
        return pd.DataFrame()
    # Whole-column numpy/pandas steps: a thousand drafts make ~50k choice rows.
    columns, keys = pd.factorize(frame["category"] + "\x1f" + frame["choice"])
    rows = pd.Index(labels).get_indexer(frame["trainee"])
    if (rows < 0).any():
        raise KeyError("the choices name a trainee who has no draft here")
    matrix = np.zeros((len(labels), max(1, len(keys))), dtype=np.float32)
    matrix[rows, columns] = 1.0
    shared = matrix @ matrix.T
    sizes = matrix.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = np.where(union > 0, shared / union, 0.0)
    np.fill_diagonal(sim, 1.0)
    return pd.DataFrame(np.round(sim, 3), index=labels, columns=labels)


HEATMAP_MAX_DRAFTS = 200
"""Above this, the heatmap shows an evenly spaced sample of the drafts (and says so): a 1,000 x 1,000 grid
is finer than the image's pixels (rows were silently dropped by the resampling) and slow to draw."""


def similarity_heatmap(matrix: pd.DataFrame, *, title: str = "How similar the plans' choices are") -> Figure:
    """A heatmap of the similarity matrix (a Figure object: no pyplot, no global state)."""
    n = len(matrix)
    shown = matrix
    if n > HEATMAP_MAX_DRAFTS:
        step = -(-n // HEATMAP_MAX_DRAFTS)
        picks = np.arange(0, n, step)
        shown = matrix.iloc[picks, picks]
    size = min(9.0, 2.5 + 0.35 * n)
    fig = Figure(figsize=(size, size * 0.85))
    ax = fig.add_subplot()
    image = ax.imshow(shown.to_numpy(dtype=float), vmin=0, vmax=1, cmap="viridis", interpolation="nearest")
    if n <= 40:
        ax.set_xticks(range(n), [str(c) for c in matrix.columns], rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(n), [str(i) for i in matrix.index], fontsize=7)
    elif shown is matrix:
        ax.set_xlabel(f"{n} drafts")
    else:
        ax.set_xlabel(
            f"{len(shown)} of {n} drafts shown (every {step}th, in label order); the table lists all"
        )
    ax.set_title(title, fontsize=10, loc="left")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="Share of choices in common")
    if n <= 40:
        fig.tight_layout()  # room for the trainees' names
    else:
        fig.subplots_adjust(
            left=0.08, right=0.92, bottom=0.08, top=0.94
        )  # no names: fixed margins, no text layout
    return fig


def similarity_alt(matrix: pd.DataFrame) -> str:
    """The heatmap in words (its text alternative): how many plans, the most and least alike pairs, the
    mean share of choices in common."""
    n = len(matrix)
    if n < 2:
        return f"How similar the plans' choices are: {n} plan, nothing to compare it with."
    values = matrix.to_numpy(dtype=float)
    upper = np.triu_indices(n, k=1)
    pairs = values[upper]
    hi, lo = int(np.argmax(pairs)), int(np.argmin(pairs))
    names = [str(x) for x in matrix.index]

    def pair(k: int) -> str:
        return f"{names[upper[0][k]]} and {names[upper[1][k]]} ({pairs[k]:.0%} of choices in common)"

    return (
        f"How similar the plans' choices are, for {n} plans: most alike {pair(hi)}, least alike {pair(lo)}; "
        f"on average two plans share {pairs.mean():.0%} of their choices. The table above lists every choice."
    )


def individualization_frame(
    drafts: Sequence[CohortDraft], case: CaseStudy, *, anonymized: bool = False
) -> pd.DataFrame:
    """trainee, draft_id, score (0-100) for each draft."""
    labels = trainee_labels((d.trainee for d in drafts), anonymized=anonymized)
    return pd.DataFrame.from_records(
        [(labels[d.trainee], d.draft_id, individualization_score(d.plan, case).score) for d in drafts],
        columns=["trainee", "draft_id", "score"],
    )


def individualization_histogram(scores: pd.DataFrame, *, reference: int | None = None) -> Figure:
    """Distribution of individualization scores (0-100), with the reference plan's score marked."""
    fig = Figure(figsize=(5.5, 3.0))
    ax = fig.add_subplot()
    ax.hist(scores["score"].to_numpy(dtype=float), bins=range(0, 105, 5), color="#4c72b0", edgecolor="white")
    if reference is not None:
        ax.axvline(reference, color="#c44e52", linestyle="--", label=f"reference plan ({reference})")
        ax.legend(fontsize=8, loc="upper center")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Individualization score")
    ax.set_ylabel("Plans")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("How individualized the plans are", fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def individualization_alt(scores: pd.DataFrame, *, reference: int | None = None) -> str:
    """The histogram in words (its text alternative): how many plans, their lowest, median and highest
    individualization score, and the reference plan's."""
    values = scores["score"].to_numpy(dtype=float)
    ref = "" if reference is None else f" The case's reference plan scores {reference}."
    if not len(values):
        return "How individualized the plans are: no plans yet." + ref
    return (
        f"How individualized the plans are, out of 100, for {len(values)} plans: lowest {values.min():g}, "
        f"median {np.median(values):g}, highest {values.max():g}." + ref
    )


# ---------------------------------------------------------------------- group annotation


def group_targets(
    drafts: Sequence[CohortDraft], case: CaseStudy, category: str, choice: str
) -> list[tuple[CohortDraft, str]]:
    """Each draft that made ``choice`` with the first element (plan order) where it made it."""
    if category not in CATEGORIES:
        raise InvalidInput(
            [
                InputProblem(
                    f"no choice category {category!r}; known: {', '.join(CATEGORIES)}", field="category"
                )
            ]
        )
    out = []
    for draft in drafts:
        for c in plan_choices(draft.plan, case):
            if c.category == category and c.key == choice:
                out.append((draft, c.element_id))
                break
    return out


GROUP_PREFERENCE = ("modality", "concern", "measure", "deferred", "strength", "barrier")
"""Which choice an element stands for when a comment is applied to every draft that made it."""


def group_choice(plan: TreatmentPlan, case: CaseStudy, element_id: str) -> tuple[str, str] | None:
    """The (category, key) an element's group comment should follow, by GROUP_PREFERENCE; None if the
    element makes no choice other drafts can share."""
    made = [(c.category, c.key) for c in plan_choices(plan, case) if c.element_id == element_id]
    for category in GROUP_PREFERENCE:
        for choice in made:
            if choice[0] == category:
                return choice
    return None


def group_anchors(drafts: Sequence[CohortDraft], case: CaseStudy, category: str, choice: str) -> list[Anchor]:
    """Where a group comment goes: each draft that made ``choice``, on the element that made it, as the
    revision under review. Computed here, written by the store in one transaction
    (``PlanStore.annotate_drafts``), so a refusal on any draft writes nothing on the others."""
    return [
        Anchor(draft_id=draft.draft_id, element_id=element_id, revision=draft.revision or None)
        for draft, element_id in group_targets(drafts, case, category, choice)
    ]


# ---------------------------------------------------------------------- annotations across revisions


def annotation_anchors(
    annotations: Sequence[Annotation],
    latest: TreatmentPlan,
    latest_revision: int,
    *,
    revisions: Mapping[int, TreatmentPlan] | None = None,
) -> pd.DataFrame:
    """Where each comment sits now: id, element_id, written_on (revision), element (its text now),
    status ('on the element', 'whole draft', 'element removed in revision N'), and the thread fields."""
    present = {e.id: e for e in latest.elements()}
    records = []
    for a in annotations:
        if a.element_id is None:
            status, label = "whole draft", ""
        elif a.element_id in present:
            status, label = "on the element", element_label(present[a.element_id])
        else:
            removed_in = latest_revision
            if revisions:
                for number in sorted(n for n in revisions if n > a.revision):
                    if a.element_id not in {e.id for e in revisions[number].elements()}:
                        removed_in = number
                        break
            status, label = f"element removed in revision {removed_in}", ""
        records.append(
            (
                a.id,
                a.parent_id,
                a.element_id,
                a.revision,
                label,
                status,
                a.author,
                ", ".join(a.tags),
                a.body,
                a.resolved,
                a.released,
            )
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "id",
            "parent_id",
            "element_id",
            "written_on",
            "element",
            "status",
            "author",
            "tags",
            "body",
            "resolved",
            "released",
        ],
    )


def threads(annotations: Sequence[Annotation]) -> list[tuple[Annotation, list[Annotation]]]:
    """Top-level comments, each with its replies in order (a reply to a reply joins the same thread)."""
    by_id = {a.id: a for a in annotations}

    def root(a: Annotation) -> Annotation:
        seen = set()
        while a.parent_id is not None and a.parent_id in by_id and a.id not in seen:
            seen.add(a.id)
            a = by_id[a.parent_id]
        return a

    out: dict[int | None, tuple[Annotation, list[Annotation]]] = {}
    for a in annotations:
        r = root(a)
        entry = out.setdefault(r.id, (r, []))
        if a is not r:
            entry[1].append(a)
    return list(out.values())
