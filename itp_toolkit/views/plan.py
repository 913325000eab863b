"""The plan as rows for the editor's tree: what each row is, where it sits, and what it says."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Intervention, Objective, TreatmentPlan
from ..model.base import isolate


@dataclass(frozen=True)
class OutlineRow:
    """One element of the problem -> goal -> objective -> intervention tree."""

    element_id: str
    kind: str  # 'problem', 'goal', 'objective', 'intervention'
    depth: int
    parent_id: str | None
    index: int
    """Position among its siblings (0-based)."""
    siblings: int
    label: str
    """A one-line summary, e.g. 'Objective 1.1.2: Falls asleep within 30 minutes (PHQ-9 12 -> 5 by week
    8)'."""

    @property
    def can_move_up(self) -> bool:
        return self.index > 0

    @property
    def can_move_down(self) -> bool:
        return self.index < self.siblings - 1


_UNTITLED = "(not written yet)"


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _objective_label(o: Objective) -> str:
    text = isolate(o.description) if o.description else _UNTITLED
    parts = []
    if o.measure:
        parts.append(isolate(o.measure))
    if o.baseline is not None or o.target is not None:
        parts.append(f"{_num(o.baseline)} → {_num(o.target)}")
    if o.target_week is not None:
        parts.append(f"by week {o.target_week}")
    return f"{text} ({', '.join(parts)})" if parts else text


def _intervention_label(i: Intervention) -> str:
    head = isolate(i.modality or i.description) if (i.modality or i.description) else _UNTITLED
    extra = ", ".join(isolate(p) for p in (i.frequency, i.duration) if p)
    return f"{head} ({extra})" if extra else head


def plan_outline(plan: TreatmentPlan) -> list[OutlineRow]:
    """Rows for the tree, depth first in plan order, numbered like '2.1.3' in their labels."""
    rows: list[OutlineRow] = []

    def add(
        element, kind: str, depth: int, parent: str | None, index: int, siblings: int, number: str, text: str
    ):
        rows.append(
            OutlineRow(
                element.id, kind, depth, parent, index, siblings, f"{kind.capitalize()} {number}: {text}"
            )
        )

    for pi, p in enumerate(plan.problems):
        pn = f"{pi + 1}"
        add(
            p,
            "problem",
            0,
            None,
            pi,
            len(plan.problems),
            pn,
            isolate(p.statement) if p.statement else _UNTITLED,
        )
        for gi, g in enumerate(p.goals):
            gn = f"{pn}.{gi + 1}"
            add(g, "goal", 1, p.id, gi, len(p.goals), gn, isolate(g.statement) if g.statement else _UNTITLED)
            for oi, o in enumerate(g.objectives):
                on = f"{gn}.{oi + 1}"
                add(o, "objective", 2, g.id, oi, len(g.objectives), on, _objective_label(o))
                for ii, i in enumerate(o.interventions):
                    add(
                        i,
                        "intervention",
                        3,
                        o.id,
                        ii,
                        len(o.interventions),
                        f"{on}.{ii + 1}",
                        _intervention_label(i),
                    )
    return rows
