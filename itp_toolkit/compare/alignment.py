"""Side by side: two to four drafts of one case aligned by what their elements *mean*, not where they sit.

Trainees order and word their plans differently, so problem 1 of one draft is often problem 3 of another.
Elements are matched in two transparent steps, which a supervisor can check by hand:

1. **Shared case links.** Two elements that link the same case facts (presenting concerns, strengths,
   barriers, quotes; for interventions also the same named modality; for objectives the same standard
   measure) are probably about the same thing. Their overlap is the Jaccard index of those id sets.
2. **Wording.** The similarity of the statements: the mean of the Jaccard index of their content words
   (stop words dropped, plurals folded) and the Dice coefficient of their character 3-grams (which
   forgives "worries"/"worrying" and typos).

When both elements carry links the similarity is ``0.6 * links + 0.4 * wording``, otherwise wording alone.
Pairs are matched **greedily**: all pairs at or above ``threshold`` (default 0.3) in order of similarity,
best first, each element used once (ties broken by plan order). With the handful of elements per level a
plan has, greedy matching gives the same pairs as the Hungarian method in practice, and it is easy to
explain ("the closest pair first"). Drafts are aligned column by column: a draft's element joins the row
whose elements it is most similar to (its best match among them), or starts a new row.

Goals are aligned under matched problems, objectives under matched goals, interventions under matched
objectives; strengths used, barrier plans and deferred concerns are aligned on their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from ..library.vocabulary import concern_groups, modality
from ..model import (
    BarrierPlan,
    CaseStudy,
    Deferral,
    Goal,
    Intervention,
    Objective,
    Problem,
    StrengthUse,
    TreatmentPlan,
)
from ..model.base import isolate
from ..model.measures import is_standard_measure
from ..model.plan import fact_ids

DEFAULT_THRESHOLD = 0.3
LINK_WEIGHT = 0.6

_WORD = re.compile(r"[a-z0-9]+")
_ACRONYM = re.compile(r"\b([A-Z][A-Za-z]*[A-Z][a-z]?)\b")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "have",
        "her",
        "his",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "will",
        "with",
        "without",
        "who",
        "whom",
        "my",
        "me",
        "he",
        "him",
        "you",
        "your",
        "not",
        "no",
        "evidenced",
        "per",
        "each",
        "every",
        "week",
        "weeks",
    ]
)


# ---------------------------------------------------------------------- text similarity


@lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    """Lower-case words without stop words; a trailing plural 's' is folded ('attacks' -> 'attack')."""
    out = set()
    for word in _WORD.findall(text.lower()):
        if word in STOP_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.add(word)
    return frozenset(out)


@lru_cache(maxsize=65536)
def char_ngrams(text: str, n: int = 3) -> frozenset[str]:
    """Character n-grams of the content words joined by spaces (padded, so short words count)."""
    joined = " " + " ".join(sorted(content_words(text))) + " "
    return frozenset(joined[i : i + n] for i in range(max(0, len(joined) - n + 1)))


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def text_similarity(a: str, b: str) -> float:
    """0..1: mean of content-word Jaccard and character-3-gram Dice. Identical wording gives 1."""
    if not a.strip() or not b.strip():
        return 0.0
    return 0.5 * jaccard(content_words(a), content_words(b)) + 0.5 * dice(char_ngrams(a), char_ngrams(b))


def combined_similarity(ids_a: set[str], ids_b: set[str], text_a: str, text_b: str) -> float:
    """Shared links first (weight 0.6) when both sides have any, then wording; wording alone otherwise."""
    wording = text_similarity(text_a, text_b)
    if ids_a and ids_b:
        return LINK_WEIGHT * jaccard(ids_a, ids_b) + (1 - LINK_WEIGHT) * wording
    return wording


# ---------------------------------------------------------------------- what each element is "about"


def modality_key(name: str) -> str:
    """A named treatment reduced to a key: the shared vocabulary's key ('cbt', 'cpt'), else its acronym if it
    gives one, else its content words."""
    known = modality(name)
    if known is not None:
        return known.key
    acronyms = [a for a in _ACRONYM.findall(name) if a.upper() not in {"AND", "OR"}]
    if acronyms:
        return acronyms[0].upper()
    return " ".join(sorted(content_words(name)))


def measure_key(measure: str) -> str:
    """A standard instrument's code ('PHQ-9'), else the counted thing in lower case."""
    if is_standard_measure(measure):
        return measure.strip().upper()
    return " ".join(sorted(content_words(measure)))


def element_links(element: Any) -> set[str]:
    """The case facts (and named modality or measure) an element is tied to: the first matching signal."""
    ids: set[str] = set(fact_ids(element))
    if isinstance(element, Intervention) and element.modality:
        ids.add("modality:" + modality_key(element.modality))
    if isinstance(element, Objective) and element.measure and is_standard_measure(element.measure):
        ids.add("measure:" + measure_key(element.measure))
    return ids


def element_text(element: Any) -> str:
    """The words an element is compared on."""
    if isinstance(element, Problem):
        return f"{element.statement} {element.evidenced_by}"
    if isinstance(element, Goal):
        return element.statement
    if isinstance(element, Objective):
        return f"{element.description} {element.measure}"
    if isinstance(element, Intervention):
        return f"{element.modality} {element.description}"
    if isinstance(element, StrengthUse):
        return element.how
    if isinstance(element, BarrierPlan):
        return f"{element.barrier} {element.mitigation}"
    if isinstance(element, Deferral):
        return element.reason
    return str(getattr(element, "text", ""))


def element_similarity(a: Any, b: Any) -> float:
    """How alike two elements of the same kind are, 0..1 (see the module docstring for the formula)."""
    return combined_similarity(element_links(a), element_links(b), element_text(a), element_text(b))


def element_label(element: Any) -> str:
    """One line that says what the element is, for tables."""
    if isinstance(element, Problem):
        return isolate(element.statement) + (
            f" — as evidenced by {isolate(element.evidenced_by)}" if element.evidenced_by else ""
        )
    if isinstance(element, Objective):
        bits = [element.measure] if element.measure else []
        if element.baseline is not None or element.target is not None:
            bits.append(f"{_num(element.baseline)} → {_num(element.target)}")
        if element.target_week is not None:
            bits.append(f"by week {element.target_week}")
        return element.description + (f" ({', '.join(bits)})" if bits else "")
    if isinstance(element, Intervention):
        extra = ", ".join(p for p in (element.frequency, element.responsible_role) if p)
        head = f"{element.modality}: {element.description}" if element.modality else element.description
        return head + (f" ({extra})" if extra else "")
    if isinstance(element, StrengthUse):
        return (f"[{element.strength_id}] " if element.strength_id else "") + element.how
    if isinstance(element, BarrierPlan):
        return (
            f"[{element.barrier_id}] " if element.barrier_id else ""
        ) + f"{element.barrier} → {element.mitigation}"
    if isinstance(element, Deferral):
        return f"[{element.concern_id}] {element.reason}"
    return element_text(element)


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


# ---------------------------------------------------------------------- matching


def greedy_match(
    left: Sequence[Any],
    right: Sequence[Any],
    similarity: Callable[[Any, Any], float] = element_similarity,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` of left and right elements: best pair first, each used once."""
    pairs = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            s = similarity(a, b)
            if s >= threshold:
                pairs.append((-s, i, j))
    pairs.sort()
    used_left: set[int] = set()
    used_right: set[int] = set()
    out = []
    for neg, i, j in pairs:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        out.append((i, j, -neg))
    return sorted(out)


@dataclass
class AlignedRow:
    """One aligned slot: the element each column has there (None: that draft has nothing like it)."""

    level: str
    slot: str
    cells: list[Any]
    similarity: float | None = None
    """Lowest similarity among the matched pairs in the row (None when only one column has an element)."""
    children: list[AlignedRow] = field(default_factory=list)


def align_elements(
    columns: Sequence[Sequence[Any]],
    level: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    parent_slot: str = "",
) -> list[AlignedRow]:
    """Align lists of like elements (one list per draft) into rows, column by column."""
    rows: list[AlignedRow] = []
    width = len(columns)
    for col, elements in enumerate(columns):
        # A row's representative similarity to a new element is its best match among the row's elements.
        def row_similarity(row: AlignedRow, element: Any) -> float:
            return max((element_similarity(e, element) for e in row.cells if e is not None), default=0.0)

        open_rows = [r for r in rows if r.cells[col] is None]
        matches = greedy_match(open_rows, list(elements), row_similarity, threshold)
        matched = set()
        for i, j, s in matches:
            row = open_rows[i]
            row.cells[col] = elements[j]
            row.similarity = s if row.similarity is None else min(row.similarity, s)
            matched.add(j)
        for j, element in enumerate(elements):
            if j not in matched:
                cells = [None] * width
                cells[col] = element
                rows.append(AlignedRow(level, "", cells))
    # Keep the first column's order, then rows that start in later columns.
    rows.sort(key=lambda r: next(c for c, e in enumerate(r.cells) if e is not None))
    for n, row in enumerate(rows, start=1):
        row.slot = f"{parent_slot}.{n}" if parent_slot else str(n)
    return rows


_CHILDREN = {
    "problem": ("goals", "goal"),
    "goal": ("objectives", "objective"),
    "objective": ("interventions", "intervention"),
}


def _align_tree(
    columns: Sequence[Sequence[Any]], level: str, threshold: float, parent_slot: str = ""
) -> list[AlignedRow]:
    rows = align_elements(columns, level, threshold=threshold, parent_slot=parent_slot)
    if level in _CHILDREN:
        attr, child_level = _CHILDREN[level]
        for row in rows:
            child_columns = [list(getattr(e, attr)) if e is not None else [] for e in row.cells]
            row.children = _align_tree(child_columns, child_level, threshold, row.slot)
    return rows


def align_plans(plans: Sequence[TreatmentPlan], *, threshold: float = DEFAULT_THRESHOLD) -> list[AlignedRow]:
    """Every aligned row, depth first: problems with their goals, objectives and interventions, then the
    rest."""
    tree = _align_tree([p.problems for p in plans], "problem", threshold)
    out: list[AlignedRow] = []

    def flatten(rows: list[AlignedRow]) -> None:
        for row in rows:
            out.append(row)
            flatten(row.children)

    flatten(tree)
    for attr, level, prefix in (
        ("strengths_used", "strength used", "S"),
        ("barriers", "barrier plan", "B"),
        ("deferred_concerns", "deferred concern", "D"),
    ):
        out.extend(
            align_elements([getattr(p, attr) for p in plans], level, threshold=threshold, parent_slot=prefix)
        )
    return out


def _status(row: AlignedRow, labels: Sequence[str]) -> str:
    present = [e for e in row.cells if e is not None]
    missing = [labels[i] for i, e in enumerate(row.cells) if e is None]
    if len(present) == 1 and len(labels) > 1:
        return f"only in {labels[row.cells.index(present[0])]}"
    if missing:
        return "missing in " + ", ".join(missing)
    texts = {element_label(e) for e in present}
    return "same" if len(texts) == 1 else "differs"


def side_by_side(
    plans: Mapping[str, TreatmentPlan],
    *,
    reference: TreatmentPlan | None = None,
    reference_label: str = "Reference plan",
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """2-4 drafts (label -> plan) aligned row by row, with the reference plan as an optional last column.

    Columns: ``level``, ``slot`` (e.g. '2.1.1'), ``similarity``, ``status`` ('same', 'differs',
    'missing in B', 'only in A'), then one text column per draft and one ``<label> id`` column holding the
    element id (for annotating it). The reference is aligned last, so it never dictates the drafts' rows.
    """
    if not 1 <= len(plans) <= 4:
        raise ValueError(f"compare 1 to 4 drafts side by side, not {len(plans)}")
    case_ids = {p.case_id for p in plans.values()} | ({reference.case_id} if reference else set())
    if len(case_ids) > 1:
        raise ValueError(f"drafts of different cases cannot be aligned: {sorted(case_ids)}")
    labels = list(plans)
    ordered = list(plans.values())
    if reference is not None:
        if reference_label in plans:
            raise ValueError(f"a draft is already labelled {reference_label!r}")
        labels.append(reference_label)
        ordered.append(reference)
    rows = align_plans(ordered, threshold=threshold)
    # The status compares the drafts only: the reference column is there to look at.
    draft_labels = labels[: len(plans)]
    records = []
    for row in rows:
        record: dict[str, Any] = {
            "level": row.level,
            "slot": row.slot,
            "similarity": None if row.similarity is None else round(row.similarity, 2),
            "status": _status(AlignedRow(row.level, row.slot, row.cells[: len(plans)]), draft_labels)
            if any(e is not None for e in row.cells[: len(plans)])
            else "reference only",
        }
        for label, element in zip(labels, row.cells, strict=True):
            record[label] = "" if element is None else element_label(element)
        for label, element in zip(labels, row.cells, strict=True):
            record[f"{label} id"] = None if element is None else element.id
        records.append(record)
    columns = ["level", "slot", "similarity", "status", *labels, *(f"{label} id" for label in labels)]
    return pd.DataFrame.from_records(records, columns=columns)


def matched_concerns(problem: Problem, case: CaseStudy, *, threshold: float = DEFAULT_THRESHOLD) -> list[str]:
    """The case concerns a problem addresses: the ones it links; else the closest of the concerns it shares a
    vocabulary group with (a 'grief' problem and a 'yearning for his wife' concern); else the one its wording
    is closest to."""
    known = {c.id for c in case.presenting_concerns}
    linked = [c for c in problem.concern_ids if c in known]
    if linked:
        return linked
    text = element_text(problem)
    scored = [
        (text_similarity(text, f"{c.summary} {c.frequency_intensity}"), c) for c in case.presenting_concerns
    ]
    groups = concern_groups(problem.statement) or concern_groups(text)
    same_kind = [(s, c) for s, c in scored if groups & concern_groups(c.summary)]
    if same_kind:
        return [max(same_kind, key=lambda sc: sc[0])[1].id]
    best = max(((s, c.id) for s, c in scored), default=(0.0, ""))
    return [best[1]] if best[0] >= threshold * 0.7 else []
