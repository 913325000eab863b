"""Plans side by side by element, in words a supervisor reads: 'Problem 1', 'Goal 1.2', 'Only in Ben'.

``side_by_side`` (alignment.py) gives the analyst's frame (slots, similarity, element ids). This is the same
alignment turned into rows for a page: each row is one problem, goal, objective, intervention, strength
used, barrier plan or deferred concern that the plans have (or lack) in common, with every column's text
and case facts by their text, never by id. Pure: plans and the case in, rows out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import BarrierPlan, CaseStudy, Deferral, StrengthUse, TreatmentPlan
from ..model.base import isolate
from .alignment import DEFAULT_THRESHOLD, align_plans, element_label

KIND_TITLES = {
    "problem": "Problem",
    "goal": "Goal",
    "objective": "Objective",
    "intervention": "Intervention",
    "strength used": "Strength used",
    "barrier plan": "Barrier plan",
    "deferred concern": "Deferred concern",
}
DEPTH = {"problem": 0, "goal": 1, "objective": 2, "intervention": 3}

Agreement = str
"""'same', 'differs', 'partial' (some plans lack it), 'single' (only one plan has it)."""


@dataclass(frozen=True)
class ElementRow:
    """One aligned element: its heading ('Goal 1.2'), how the plans agree on it, and each column's text."""

    kind: str
    heading: str
    depth: int
    agreement: Agreement
    status: str
    """The agreement in words: 'Same wording', 'Worded differently', 'Not in Ben', 'Only in Ana'."""
    cells: tuple[str, ...]
    """One text per column (drafts in the order given, then the reference plan); '' where it has none."""
    element_ids: tuple[str | None, ...]
    """The element each column has here (for anchoring a comment; never shown)."""


def element_text(element: Any, case: CaseStudy | None) -> str:
    """What an element says, with the case fact it names given by its text."""
    if isinstance(element, StrengthUse):
        fact = _fact_text(case, "strengths", element.strength_id)
        return f"{fact}: {element.how}" if fact else element.how
    if isinstance(element, BarrierPlan):
        fact = _fact_text(case, "barriers", element.barrier_id) or element.barrier
        return f"{fact} → {element.mitigation}" if fact else element.mitigation
    if isinstance(element, Deferral):
        fact = _fact_text(case, "presenting_concerns", element.concern_id)
        return f"{fact}: {element.reason}" if fact else element.reason
    return element_label(element)


def _fact_text(case: CaseStudy | None, attr: str, fact_id: str | None) -> str:
    if case is None or not fact_id:
        return ""
    for fact in getattr(case, attr):
        if fact.id == fact_id:
            return isolate(str(getattr(fact, "text", None) or getattr(fact, "summary", "")))
    return ""


def _status(present: Sequence[bool], texts: Sequence[str], labels: Sequence[str]) -> tuple[Agreement, str]:
    have = [label for label, p in zip(labels, present, strict=True) if p]
    lack = [label for label, p in zip(labels, present, strict=True) if not p]
    if len(have) == 1 and len(labels) > 1:
        return "single", f"Only in {have[0]}"
    if lack:
        return "partial", "Not in " + ", ".join(lack)
    shown = {" ".join(t.lower().split()) for t, p in zip(texts, present, strict=True) if p}
    return ("same", "Same wording") if len(shown) == 1 else ("differs", "Worded differently")


def compare_by_element(
    plans: Mapping[str, TreatmentPlan],
    case: CaseStudy | None = None,
    *,
    reference: TreatmentPlan | None = None,
    reference_label: str = "Reference plan",
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ElementRow]:
    """One to four drafts (label -> plan), and optionally the case's reference plan as the last column,
    aligned element by element (problems with their goals, objectives and interventions, then strengths
    used, barrier plans and deferred concerns).

    With two or more drafts the status compares the drafts with each other (the reference is there to look
    at); with one draft and the reference it compares the draft with the reference.
    """
    if not 1 <= len(plans) <= 4:
        raise ValueError(f"compare 1 to 4 drafts side by side, not {len(plans)}")
    if len(plans) == 1 and reference is None:
        raise ValueError("one draft is compared with the reference plan; give the reference or more drafts")
    if reference is not None and reference_label in plans:
        raise ValueError(f"a draft is already labelled {reference_label!r}")
    case_ids = {p.case_id for p in plans.values()} | ({reference.case_id} if reference else set())
    if len(case_ids) > 1:
        raise ValueError("drafts of different cases cannot be aligned")
    labels = list(plans) + ([reference_label] if reference is not None else [])
    ordered = list(plans.values()) + ([reference] if reference is not None else [])
    compared = len(labels) if len(plans) == 1 else len(plans)
    said = list(labels)  # how the status names a column: "Not in the reference plan"
    if reference is not None:
        said[-1] = f"the {reference_label[0].lower()}{reference_label[1:]}"
    out = []
    for row in align_plans(ordered, threshold=threshold):
        texts = tuple("" if e is None else element_text(e, case) for e in row.cells)
        present = [e is not None for e in row.cells[:compared]]
        if any(present):
            agreement, status = _status(present, texts[:compared], said[:compared])
        else:
            agreement, status = "single", f"Only in {said[-1]}"
        out.append(
            ElementRow(
                kind=row.level,
                heading=f"{KIND_TITLES.get(row.level, row.level.capitalize())} {_number(row.slot)}",
                depth=DEPTH.get(row.level, 0),
                agreement=agreement,
                status=status,
                cells=texts,
                element_ids=tuple(None if e is None else e.id for e in row.cells),
            )
        )
    return out


def _number(slot: str) -> str:
    """'2.1.3' stays; 'S.2' (a strength row) becomes '2'."""
    head, _, rest = slot.partition(".")
    return rest if head in {"S", "B", "D"} else slot
