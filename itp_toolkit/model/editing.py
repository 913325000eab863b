"""Pure plan-editing operations: each takes a plan and returns a NEW, validated plan.

Supervisors' annotations anchor to element ids, so no operation here ever changes the id of an element
that already exists; new elements get a fresh id (or the one the caller passes, for deterministic tests).
Every front end (the plan editor widget, notebooks, scripts) edits through these functions, so the rules
live in one place and a widget never mutates a plan itself. Invalid edits raise ``InvalidInput`` naming the
field, and leave the caller's plan untouched.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InputProblem, InvalidInput, NotFound, validation_problems
from . import (
    BarrierPlan,
    CaseStudy,
    Deferral,
    DischargeCriterion,
    Goal,
    Intervention,
    Objective,
    Participation,
    PlanElement,
    PresentingConcern,
    Problem,
    Quote,
    Review,
    StrengthUse,
    TreatmentPlan,
    new_id,
)
from .plan import FACT_LIST_FIELDS

__all__ = [
    "add_barrier_plan",
    "add_deferral",
    "add_discharge_criterion",
    "add_goal",
    "add_intervention",
    "add_objective",
    "add_problem",
    "add_review_trigger",
    "add_strength_use",
    "element_kind",
    "form_value",
    "link_fact",
    "move_element",
    "parent_id",
    "quote_as_goal",
    "remove_element",
    "remove_review_trigger",
    "set_objective_kind",
    "set_participation",
    "set_review",
    "sibling_position",
    "unlink_fact",
    "update_element",
    "update_plan",
]

# Where each kind of element lives: the plan-level list, or the child list of its parent kind.
_CHILDREN: dict[type[BaseModel], tuple[str, type[BaseModel]]] = {
    Problem: ("goals", Goal),
    Goal: ("objectives", Objective),
    Objective: ("interventions", Intervention),
}
_PLAN_LISTS: dict[str, type[BaseModel]] = {
    "problems": Problem,
    "deferred_concerns": Deferral,
    "strengths_used": StrengthUse,
    "barriers": BarrierPlan,
    "discharge_criteria": DischargeCriterion,
}
_KIND_NAMES: dict[type[BaseModel], str] = {
    Problem: "problem",
    Goal: "goal",
    Objective: "objective",
    Intervention: "intervention",
    StrengthUse: "strength_use",
    BarrierPlan: "barrier_plan",
    Deferral: "deferral",
    DischargeCriterion: "discharge",
}
_STRUCTURE_FIELDS = {"id", "goals", "objectives", "interventions"}
"""Fields an update may not touch: ids are permanent and children change through add/remove/move."""


def element_kind(element: PlanElement) -> str:
    """'problem', 'goal', 'objective', 'intervention', 'strength_use', 'barrier_plan', 'deferral',
    'discharge'."""
    return _KIND_NAMES[type(element)]


# --- locating elements in the plan's plain data -----------------------------------------------------------


class _Slot:
    """Where an element sits: the list that holds it, its index, its class and its parent's id."""

    def __init__(self, siblings: list[dict], index: int, cls: type[BaseModel], parent: str | None):
        self.siblings, self.index, self.cls, self.parent = siblings, index, cls, parent

    @property
    def data(self) -> dict:
        return self.siblings[self.index]


def _walk(data: dict) -> list[_Slot]:
    slots: list[_Slot] = []

    def visit(items: list[dict], cls: type[BaseModel], parent: str | None) -> None:
        for i, item in enumerate(items):
            slots.append(_Slot(items, i, cls, parent))
            child = _CHILDREN.get(cls)
            if child is not None:
                visit(item[child[0]], child[1], item["id"])

    for name, cls in _PLAN_LISTS.items():
        visit(data[name], cls, None)
    return slots


def _find(data: dict, element_id: str) -> _Slot:
    for slot in _walk(data):
        if slot.data["id"] == element_id:
            return slot
    raise NotFound(f"the plan has no element {element_id!r}")


def _dump(plan: TreatmentPlan) -> dict:
    return plan.model_dump()


def _validate(data: dict) -> TreatmentPlan:
    try:
        return TreatmentPlan.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(validation_problems(exc)) from None


def _new_element(cls: type[BaseModel], element_id: str | None, fields: dict[str, Any]) -> dict:
    """Validate a new element on its own first, so errors name its fields, not a path through the plan."""
    forbidden = _STRUCTURE_FIELDS & fields.keys()
    if forbidden:
        raise InvalidInput(
            [InputProblem("set children with add_* functions", field=f) for f in sorted(forbidden)]
        )
    kind = _KIND_NAMES[cls]
    try:
        element = cls.model_validate({**fields, "id": element_id or new_id(kind)})
    except ValidationError as exc:
        raise InvalidInput(validation_problems(exc)) from None
    return element.model_dump()


def _append_child(
    plan: TreatmentPlan, parent_id: str, parent_cls: type[BaseModel], child: dict
) -> TreatmentPlan:
    data = _dump(plan)
    slot = _find(data, parent_id)
    if slot.cls is not parent_cls:
        raise InvalidInput(
            [
                InputProblem(
                    f"{parent_id!r} is a {_KIND_NAMES[slot.cls]}, not a {_KIND_NAMES[parent_cls]}",
                    field="parent_id",
                )
            ]
        )
    slot.data[_CHILDREN[parent_cls][0]].append(child)
    return _validate(data)


def _append_plan_list(plan: TreatmentPlan, name: str, item: dict) -> TreatmentPlan:
    data = _dump(plan)
    data[name].append(item)
    return _validate(data)


# --- the tree: problems -> goals -> objectives -> interventions -------------------------------------------


def add_problem(
    plan: TreatmentPlan, statement: str = "", *, element_id: str | None = None, **fields: Any
) -> TreatmentPlan:
    """A new problem at the end of the plan."""
    return _append_plan_list(
        plan, "problems", _new_element(Problem, element_id, {"statement": statement, **fields})
    )


def add_goal(
    plan: TreatmentPlan, problem_id: str, statement: str = "", *, element_id: str | None = None, **fields: Any
) -> TreatmentPlan:
    """A new long-term goal under a problem."""
    return _append_child(
        plan, problem_id, Problem, _new_element(Goal, element_id, {"statement": statement, **fields})
    )


def add_objective(
    plan: TreatmentPlan, goal_id: str, description: str = "", *, element_id: str | None = None, **fields: Any
) -> TreatmentPlan:
    """A new SMART objective under a goal."""
    return _append_child(
        plan, goal_id, Goal, _new_element(Objective, element_id, {"description": description, **fields})
    )


def add_intervention(
    plan: TreatmentPlan,
    objective_id: str,
    description: str = "",
    *,
    element_id: str | None = None,
    **fields: Any,
) -> TreatmentPlan:
    """A new intervention under an objective."""
    return _append_child(
        plan,
        objective_id,
        Objective,
        _new_element(Intervention, element_id, {"description": description, **fields}),
    )


def update_element(plan: TreatmentPlan, element_id: str, **fields: Any) -> TreatmentPlan:
    """Change some fields of one element; its id and its children stay as they are."""
    forbidden = _STRUCTURE_FIELDS & fields.keys()
    if forbidden:
        raise InvalidInput(
            [
                InputProblem("ids are permanent and children change through add, remove and move", field=f)
                for f in sorted(forbidden)
            ]
        )
    data = _dump(plan)
    slot = _find(data, element_id)
    unknown = [f for f in fields if f not in slot.cls.model_fields]
    if unknown:
        raise InvalidInput(
            [InputProblem(f"a {_KIND_NAMES[slot.cls]} has no such field", field=f) for f in unknown]
        )
    try:
        updated = slot.cls.model_validate({**slot.data, **fields})
    except ValidationError as exc:
        raise InvalidInput(validation_problems(exc)) from None
    slot.siblings[slot.index] = updated.model_dump()
    return _validate(data)


def set_objective_kind(plan: TreatmentPlan, objective_id: str, kind: str) -> TreatmentPlan:
    """Make an objective measured or a completion objective. A completion objective has no measure, baseline,
    target or re-measurement (they would mean nothing), so switching to it clears them; 'who' stays."""
    fields: dict[str, Any] = {"kind": kind}
    if kind == "completion":
        fields |= {"measure": "", "baseline": None, "target": None, "remeasure_every_weeks": None}
    return update_element(plan, objective_id, **fields)


def remove_element(plan: TreatmentPlan, element_id: str) -> TreatmentPlan:
    """Remove an element and everything under it."""
    data = _dump(plan)
    slot = _find(data, element_id)
    del slot.siblings[slot.index]
    return _validate(data)


def move_element(plan: TreatmentPlan, element_id: str, new_index: int) -> TreatmentPlan:
    """Reorder an element among its siblings; indexes past either end stop at the end (no error)."""
    data = _dump(plan)
    slot = _find(data, element_id)
    target = max(0, min(new_index, len(slot.siblings) - 1))
    item = slot.siblings.pop(slot.index)
    slot.siblings.insert(target, item)
    return _validate(data)


def parent_id(plan: TreatmentPlan, element_id: str) -> str | None:
    """The id of the element's parent (None for plan-level elements)."""
    return _find(_dump(plan), element_id).parent


def sibling_position(plan: TreatmentPlan, element_id: str) -> tuple[int, int]:
    """(index among siblings, number of siblings)."""
    slot = _find(_dump(plan), element_id)
    return slot.index, len(slot.siblings)


# --- links to the case's facts ---------------------------------------------------------------------------


def _check_fact(case: CaseStudy | None, fact_id: str) -> object | None:
    if case is None:
        return None
    try:
        return case.fact(fact_id)
    except KeyError:
        raise InvalidInput(
            [InputProblem(f"the case has no fact {fact_id!r}", field="linked_facts")]
        ) from None


def link_fact(
    plan: TreatmentPlan, element_id: str, fact_id: str, case: CaseStudy | None = None
) -> TreatmentPlan:
    """Link a case fact (strength, barrier, quote, concern, event) to an element.

    With the case given, the fact must exist, and two links carry extra meaning: a presenting concern linked
    to a problem is recorded as a concern the problem addresses (``concern_ids``), and a quote linked to a
    goal with no quote yet becomes the goal's ``patient_quote_id``.
    """
    fact = _check_fact(case, fact_id)
    data = _dump(plan)
    slot = _find(data, element_id)
    item = slot.data
    if slot.cls is Problem and isinstance(fact, PresentingConcern):
        if fact_id not in item["concern_ids"]:
            item["concern_ids"].append(fact_id)
        return _validate(data)
    if "linked_facts" not in item:
        raise InvalidInput(
            [
                InputProblem(
                    f"a {_KIND_NAMES[slot.cls]} names its case fact in its own field, not in links",
                    field="linked_facts",
                )
            ]
        )
    if fact_id not in item["linked_facts"]:
        item["linked_facts"].append(fact_id)
    if slot.cls is Goal and isinstance(fact, Quote) and not item["patient_quote_id"]:
        item["patient_quote_id"] = fact_id
    return _validate(data)


def unlink_fact(plan: TreatmentPlan, element_id: str, fact_id: str) -> TreatmentPlan:
    """Remove a link made by ``link_fact`` (also from ``concern_ids`` and ``patient_quote_id``)."""
    data = _dump(plan)
    item = _find(data, element_id).data
    for name in FACT_LIST_FIELDS:
        if fact_id in item.get(name, []):
            item[name].remove(fact_id)
    if item.get("patient_quote_id") == fact_id:
        item["patient_quote_id"] = None
    return _validate(data)


def quote_as_goal(plan: TreatmentPlan, goal_id: str, quote: Quote) -> TreatmentPlan:
    """Make a goal the person's own words: the quote's text, marked as theirs and linked to the quote."""
    data = _dump(plan)
    slot = _find(data, goal_id)
    if slot.cls is not Goal:
        raise InvalidInput(
            [InputProblem("only a goal can be stated in the person's words", field="patient_quote_id")]
        )
    return update_element(
        plan, goal_id, statement=quote.text, in_patient_words=True, patient_quote_id=quote.id
    )


# --- plan-level sections ------------------------------------------------------------------------------------


def add_strength_use(
    plan: TreatmentPlan, strength_id: str | None, how: str = "", *, element_id: str | None = None
) -> TreatmentPlan:
    """Say how a case strength is put to work."""
    return _append_plan_list(
        plan,
        "strengths_used",
        _new_element(StrengthUse, element_id, {"strength_id": strength_id, "how": how}),
    )


def add_barrier_plan(
    plan: TreatmentPlan,
    barrier_id: str | None = None,
    mitigation: str = "",
    *,
    barrier: str = "",
    element_id: str | None = None,
) -> TreatmentPlan:
    """A barrier (a case barrier's id, or the trainee's own words) and what the plan does about it."""
    fields = {"barrier_id": barrier_id, "barrier": barrier, "mitigation": mitigation}
    return _append_plan_list(plan, "barriers", _new_element(BarrierPlan, element_id, fields))


def add_deferral(
    plan: TreatmentPlan, concern_id: str, reason: str = "", *, element_id: str | None = None
) -> TreatmentPlan:
    """Defer an assessed concern on purpose, with the reason."""
    return _append_plan_list(
        plan,
        "deferred_concerns",
        _new_element(Deferral, element_id, {"concern_id": concern_id, "reason": reason}),
    )


def add_discharge_criterion(
    plan: TreatmentPlan, text: str = "", *, element_id: str | None = None
) -> TreatmentPlan:
    """An observable sign that treatment can end."""
    return _append_plan_list(
        plan, "discharge_criteria", _new_element(DischargeCriterion, element_id, {"text": text})
    )


_PLAN_FIELDS = {"title", "written_at_week", "revised_for_events", "diagnoses", "safety_plan", "notes"}


def update_plan(plan: TreatmentPlan, **fields: Any) -> TreatmentPlan:
    """Change plan-level text and settings (title, safety plan, notes, week, diagnoses)."""
    unknown = sorted(set(fields) - _PLAN_FIELDS)
    if unknown:
        raise InvalidInput(
            [InputProblem("not a plan-level setting (use the element functions)", field=f) for f in unknown]
        )
    return _validate({**_dump(plan), **fields})


def _set_section(
    plan: TreatmentPlan, name: str, cls: type[BaseModel], fields: dict[str, Any]
) -> TreatmentPlan:
    data = _dump(plan)
    try:
        data[name] = cls.model_validate({**data[name], **fields}).model_dump()
    except ValidationError as exc:
        raise InvalidInput(validation_problems(exc, prefix=(name,))) from None
    return _validate(data)


def set_participation(plan: TreatmentPlan, **fields: Any) -> TreatmentPlan:
    """Record how the person took part (participated, agreement recorded, copy given, note)."""
    return _set_section(plan, "participation", Participation, fields)


def set_review(plan: TreatmentPlan, **fields: Any) -> TreatmentPlan:
    """Set the review week or date and the triggers for an earlier review."""
    return _set_section(plan, "review", Review, fields)


def add_review_trigger(plan: TreatmentPlan, trigger: str) -> TreatmentPlan:
    return set_review(plan, early_review_triggers=[*plan.review.early_review_triggers, trigger])


def remove_review_trigger(plan: TreatmentPlan, index: int) -> TreatmentPlan:
    triggers = list(plan.review.early_review_triggers)
    if not 0 <= index < len(triggers):
        raise InvalidInput(
            [InputProblem(f"there is no trigger number {index + 1}", field="review.early_review_triggers")]
        )
    del triggers[index]
    return set_review(plan, early_review_triggers=triggers)


# --- form input ---------------------------------------------------------------------------------------------

_OPTIONAL_NUMBERS = {"baseline", "target", "target_week", "remeasure_every_weeks", "review_week"}
_LINE_LISTS = {"early_review_triggers"}
"""List fields typed one item per line."""
_OPTIONAL_CHOICES = {
    "time_of_day",
    "patient_quote_id",
    "strength_id",
    "barrier_id",
    "target_date",
    "review_date",
}


def form_value(name: str, raw: Any) -> Any:
    """What a form's raw input means for field ``name``: a blank number or choice is 'not set' (None).

    Text boxes give strings; pydantic turns '12' into 12.0, but '' must mean 'no baseline yet', not an error,
    and a box of review triggers holds one trigger per line.
    """
    if isinstance(raw, str) and name in _OPTIONAL_NUMBERS | _OPTIONAL_CHOICES and not raw.strip():
        return None
    if isinstance(raw, str) and name in _LINE_LISTS:
        return [line.strip() for line in raw.splitlines() if line.strip()]
    return raw
