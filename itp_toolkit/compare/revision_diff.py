"""What changed between two revisions of a plan, element by element.

Elements are matched by their permanent id, never by position or text: a goal reworded and moved to
another problem is one goal *changed* and *moved*, not one removed and one added. That is what lets a
supervisor see exactly what a trainee did with the feedback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup

from ..model import TreatmentPlan

ChangeKind = Literal["added", "removed", "moved", "changed"]

_CHILD_LISTS = ("goals", "objectives", "interventions")
_PLAN_FIELDS_SKIPPED = {
    "id",
    "case_id",
    "problems",
    "deferred_concerns",
    "strengths_used",
    "barriers",
    "discharge_criteria",
}
_KINDS = {
    "prb": "problem",
    "gol": "goal",
    "obj": "objective",
    "int": "intervention",
    "stu": "strength used",
    "bar": "barrier plan",
    "def": "deferred concern",
    "dis": "discharge criterion",
}
_PLAN_LIST_KINDS = {
    "problems": "problem",
    "goals": "goal",
    "objectives": "objective",
    "interventions": "intervention",
    "deferred_concerns": "deferred concern",
    "strengths_used": "strength used",
    "barriers": "barrier plan",
    "discharge_criteria": "discharge criterion",
}
_LABEL_FIELDS = ("statement", "description", "how", "mitigation", "reason", "text")


@dataclass(frozen=True)
class Change:
    """One difference between two revisions."""

    kind: ChangeKind
    element_id: str | None
    """The element concerned; None for a plan-level field such as ``written_at_week`` or ``safety_plan``."""
    element_kind: str
    """'problem', 'goal', ..., or 'plan'."""
    label: str
    """What the element says (new text if it still exists), to recognise it by."""
    field: str = ""
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class _Placed:
    data: dict[str, Any]
    kind: str
    parent: str | None
    index: int


def _flatten(plan: TreatmentPlan) -> dict[str, _Placed]:
    """Every element by id, with its parent and position among its siblings."""
    data = plan.model_dump(mode="json")
    out: dict[str, _Placed] = {}

    def visit(items: list[dict[str, Any]], list_name: str, parent: str | None) -> None:
        for index, item in enumerate(items):
            out[item["id"]] = _Placed(item, _PLAN_LIST_KINDS[list_name], parent, index)
            for child in _CHILD_LISTS:
                if child in item:
                    visit(item[child], child, item["id"])

    for name in ("problems", "deferred_concerns", "strengths_used", "barriers", "discharge_criteria"):
        visit(data[name], name, None)
    return out


def _label(data: dict[str, Any]) -> str:
    for name in _LABEL_FIELDS:
        if data.get(name):
            return str(data[name])
    return "(not written yet)"


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items() if v not in (None, "", [], False))
    return str(value)


def _field_changes(
    old: dict[str, Any], new: dict[str, Any], skip: Iterable[str]
) -> list[tuple[str, str, str]]:
    skipped = set(skip)
    out = []
    for name in new.keys() | old.keys():
        if name in skipped:
            continue
        before, after = old.get(name), new.get(name)
        if before != after:
            out.append((name, _show(before), _show(after)))
    return sorted(out)


def diff_revisions(old_plan: TreatmentPlan, new_plan: TreatmentPlan) -> list[Change]:
    """The changes from ``old_plan`` to ``new_plan``, in the new plan's order, removals last.

    Plan-level fields (week, safety plan, participation, review...) come first, as element_id None.
    """
    changes: list[Change] = []
    old_data = old_plan.model_dump(mode="json")
    new_data = new_plan.model_dump(mode="json")
    for name, before, after in _field_changes(old_data, new_data, _PLAN_FIELDS_SKIPPED):
        changes.append(Change("changed", None, "plan", "the plan", name, before, after))

    old_elements = _flatten(old_plan)
    new_elements = _flatten(new_plan)
    # Reordering is judged among the siblings both revisions share, so removing or adding a sibling
    # does not make every element after it look "moved".
    stayed = {
        i for i in new_elements if i in old_elements and old_elements[i].parent == new_elements[i].parent
    }
    old_rank = _ranks(old_elements, stayed)
    new_rank = _ranks(new_elements, stayed)
    for element_id, now in new_elements.items():
        label = _label(now.data)
        was = old_elements.get(element_id)
        if was is None:
            changes.append(Change("added", element_id, now.kind, label))
            continue
        if was.parent != now.parent:
            changes.append(
                Change(
                    "moved",
                    element_id,
                    now.kind,
                    label,
                    "parent",
                    _parent_label(old_elements, was.parent),
                    _parent_label(new_elements, now.parent),
                )
            )
        elif old_rank[element_id] != new_rank[element_id]:
            changes.append(
                Change(
                    "moved", element_id, now.kind, label, "position", str(was.index + 1), str(now.index + 1)
                )
            )
        for name, before, after in _field_changes(was.data, now.data, ("id", *_CHILD_LISTS)):
            changes.append(Change("changed", element_id, now.kind, label, name, before, after))
    for element_id, was in old_elements.items():
        if element_id not in new_elements:
            changes.append(Change("removed", element_id, was.kind, _label(was.data)))
    return changes


def _ranks(elements: dict[str, _Placed], keep: set[str]) -> dict[str, int]:
    """Each kept element's rank among its kept siblings (same parent, same kind of list)."""
    by_parent: dict[tuple[str | None, str], list[tuple[int, str]]] = {}
    for element_id in keep:
        placed = elements[element_id]
        by_parent.setdefault((placed.parent, placed.kind), []).append((placed.index, element_id))
    ranks: dict[str, int] = {}
    for siblings in by_parent.values():
        for rank, (_, element_id) in enumerate(sorted(siblings)):
            ranks[element_id] = rank
    return ranks


def _parent_label(elements: dict[str, _Placed], parent: str | None) -> str:
    if parent is None:
        return "the plan"
    placed = elements.get(parent)
    return f"{placed.kind} '{_label(placed.data)}'" if placed else parent


def describe_change(change: Change) -> str:
    """One plain-text line, e.g. "Goal 'Sleep through' changed: target_week 8 -> 10"."""
    what = f"{change.element_kind.capitalize()} '{change.label}'" if change.element_id else "Plan"
    if change.kind == "added":
        return f"{what} added"
    if change.kind == "removed":
        return f"{what} removed"
    if change.kind == "moved":
        return (
            f"{what} moved from {change.old} to {change.new}"
            if change.field == "parent"
            else (f"{what} moved from position {change.old} to {change.new}")
        )
    return f"{what} changed: {change.field.replace('_', ' ')} {change.old} → {change.new}"


def changes_text(changes: Iterable[Change]) -> str:
    """All changes as plain text, one per line ('No changes.' when there are none)."""
    lines = [describe_change(c) for c in changes]
    return "\n".join(lines) if lines else "No changes."


def changes_html(changes: Iterable[Change]) -> str:
    """The changes as an HTML list; every piece of plan text is escaped (trainee text is untrusted)."""
    items = []
    for c in changes:
        what = (
            Markup("{} <q>{}</q>").format(c.element_kind.capitalize(), c.label)
            if c.element_id
            else Markup("Plan")
        )
        if c.kind == "changed":
            body = Markup(
                '{} changed: <span class="itp-diff-field">{}</span> <del>{}</del> → <ins>{}</ins>'
            ).format(what, c.field.replace("_", " "), c.old, c.new)
        elif c.kind == "moved":
            body = Markup("{} moved: {} → {}").format(what, c.old, c.new)
        else:
            body = Markup("{} {}").format(what, c.kind)
        items.append(Markup('<li class="itp-diff-{}">{}</li>').format(c.kind, body))
    if not items:
        return '<p class="itp-diff-none">No changes.</p>'
    return str(Markup('<ul class="itp-diff">{}</ul>').format(Markup("").join(items)))


__all__ = ["Change", "ChangeKind", "changes_html", "changes_text", "describe_change", "diff_revisions"]
