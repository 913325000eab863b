"""The Individualized Treatment Plan.

Structure (Jongsma / CARF person-centred plan): problem "as evidenced by" observable behaviour -> goals
(ideally in the person's own words) -> SMART objectives -> interventions. Around it: strengths used,
barriers with mitigations, concerns deferred, safety, discharge criteria, participation, review.

Every element carries a permanent ``id`` made when it is created (``ids.new_id``). Supervisors' annotations
anchor to those ids, so they survive edits, reordering and later revisions of the draft.
Elements link to the case's facts through ``linked_facts`` (ids of strengths, barriers, quotes, concerns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from .base import ElementId, LongText, ModelBase, ShortText, Week
from .ids import new_id

ObjectiveKind = Literal["measured", "completion"]
"""A measured objective counts or scores something against a baseline and a target; a completion objective
is a dated one-off step (a safety plan written and shared, an assessment booked) that is done or not done."""
PlanSection = Literal["safety_plan", "review", "participation", "notes", "diagnoses"]
"""Parts of a plan that are not elements with ids, named when a revision changes them."""

Delivery = Literal["in_person", "telehealth", "phone", "home_visit", "community", "self_directed"]
Format = Literal[
    "individual", "group", "family", "couple", "peer_support", "medication", "case_management", "self_help"
]
TimeOfDay = Literal["daytime", "evening", "weekend", "flexible"]


class Diagnosis(ModelBase):
    """A working diagnosis; the code is optional (trainees often reason before coding)."""

    label: ShortText
    code: ShortText | None = Field(default=None, description="DSM-5-TR or ICD-10-CM code, e.g. F32.1.")
    system: Literal["DSM-5-TR", "ICD-10-CM", "ICD-11"] | None = None
    provisional: bool = False


class Intervention(ModelBase):
    """What the care team will do, how often, for how long, by whom, and on what evidence."""

    id: ElementId = Field(default_factory=lambda: new_id("intervention"))
    description: ShortText = Field(description="What is done, adapted to this person.")
    modality: ShortText = Field(default="", description="e.g. 'behavioural activation', 'CPT', 'MI'.")
    format: Format = "individual"
    delivery: Delivery = "in_person"
    frequency: ShortText = Field(default="", description="e.g. 'weekly', 'twice weekly', 'every 2 weeks'.")
    duration: ShortText = Field(default="", description="e.g. '12 sessions', '8 weeks'.")
    time_of_day: TimeOfDay | None = None
    responsible_role: ShortText = Field(
        default="", description="e.g. 'trainee therapist', 'peer specialist'."
    )
    evidence_base: ShortText = ""
    linked_facts: list[ElementId] = Field(default_factory=list)


class Objective(ModelBase):
    """A short-term, SMART step toward a goal: a behaviour, a measure, a baseline, a target and a date; or,
    for
    a completion objective, what is done, who does it and by when."""

    id: ElementId = Field(default_factory=lambda: new_id("objective"))
    kind: ObjectiveKind = Field(
        default="measured",
        description="'measured' (a count or score against a baseline and target) or 'completion' (a dated "
        "one-off step). Plans written before kinds existed are measured.",
    )
    description: ShortText = Field(
        description="The observable behaviour, e.g. 'walks with her sister 3 mornings a week'; for a "
        "completion objective, what is done, e.g. 'safety plan written and shared with her sister'."
    )
    who: ShortText = Field(
        default="", description="Completion objectives: who does the step (the person, a support, the team)."
    )
    measure: ShortText = Field(
        default="", description="A standard instrument code (PHQ-9) or what is counted."
    )
    baseline: float | None = None
    target: float | None = None
    target_week: Week | None = None
    target_date: dt.date | None = None
    remeasure_every_weeks: int | None = Field(default=None, ge=1, le=52)
    linked_facts: list[ElementId] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)

    @model_validator(mode="after")
    def _completion_has_no_numbers(self) -> Objective:
        """A completion objective is done or not done by its date: a measure, baseline, target or
        re-measurement
        would be silently meaningless (and lost in export), so they are refused."""
        if self.kind == "completion":
            numbers = [
                name
                for name, value in (
                    ("measure", self.measure),
                    ("baseline", self.baseline),
                    ("target", self.target),
                    ("re-measurement interval", self.remeasure_every_weeks),
                )
                if value not in (None, "")
            ]
            if numbers:
                raise ValueError(
                    "a completion objective is done or not done by its date, so it has no "
                    f"{', '.join(numbers)}; "
                    "make it a measured objective to count or score something"
                )
        return self


class Goal(ModelBase):
    """A long-term goal, ideally quoting the person (``patient_quote_id`` names the case quote)."""

    id: ElementId = Field(default_factory=lambda: new_id("goal"))
    statement: ShortText
    in_patient_words: bool = Field(default=False, description="The statement is the person's own words.")
    patient_quote_id: ElementId | None = None
    linked_facts: list[ElementId] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)


class Problem(ModelBase):
    """A problem stated with the observable behaviour that evidences it."""

    id: ElementId = Field(default_factory=lambda: new_id("problem"))
    statement: ShortText
    evidenced_by: ShortText = Field(default="", description="Observable behaviour: 'as evidenced by ...'.")
    concern_ids: list[ElementId] = Field(
        default_factory=list, description="Case presenting concerns addressed."
    )
    linked_facts: list[ElementId] = Field(default_factory=list)
    goals: list[Goal] = Field(default_factory=list)


class StrengthUse(ModelBase):
    """How a case strength or natural support is put to work in this plan."""

    id: ElementId = Field(default_factory=lambda: new_id("strength_use"))
    strength_id: ElementId | None = None
    how: ShortText


class BarrierPlan(ModelBase):
    """A barrier to care and what the plan does about it."""

    id: ElementId = Field(default_factory=lambda: new_id("barrier_plan"))
    barrier_id: ElementId | None = None
    barrier: ShortText = ""
    mitigation: ShortText


class Deferral(ModelBase):
    """An assessed concern the plan deliberately does not address now, and why."""

    id: ElementId = Field(default_factory=lambda: new_id("deferral"))
    concern_id: ElementId
    reason: ShortText


class DischargeCriterion(ModelBase):
    """An observable sign that treatment can end, discussed with the person."""

    id: ElementId = Field(default_factory=lambda: new_id("discharge"))
    text: ShortText


class Participation(ModelBase):
    """Evidence that the person shaped and agreed to the plan."""

    patient_participated: bool = False
    agreement_recorded: bool = False
    copy_given: bool = False
    note: ShortText = Field(default="", description="How they took part, in a sentence.")


class Review(ModelBase):
    """When the plan is reviewed, and what prompts an earlier review."""

    review_week: Week | None = None
    review_date: dt.date | None = None
    early_review_triggers: list[ShortText] = Field(default_factory=list)


class EventRevision(ModelBase):
    """What the plan changed for one timeline event: the drafting session records it from the moment the
    trainee
    revises for the event, against the plan as it stood then, so 'revised' means something changed."""

    event_id: ElementId
    changed_elements: list[ElementId] = Field(
        default_factory=list, description="Elements added, changed or removed since the revision began."
    )
    changed_sections: list[PlanSection] = Field(
        default_factory=list, description="Parts of the plan without ids that changed (e.g. the safety plan)."
    )

    @property
    def empty(self) -> bool:
        return not self.changed_elements and not self.changed_sections


PlanElement = (
    Problem | Goal | Objective | Intervention | StrengthUse | BarrierPlan | Deferral | DischargeCriterion
)


class TreatmentPlan(ModelBase):
    """A trainee's (or a reference) plan for one case."""

    id: ElementId = Field(default_factory=lambda: new_id("plan"))
    case_id: ElementId
    title: ShortText = ""
    written_at_week: Week = Field(default=0, description="The case week the plan reflects (0 = intake).")
    revised_for_events: list[ElementId] = Field(
        default_factory=list, description="Timeline events taken into account."
    )
    event_revisions: list[EventRevision] = Field(
        default_factory=list,
        description="For events revised for in the drafting session: what changed for each (none for plans "
        "written elsewhere, which are taken at their word).",
    )
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    deferred_concerns: list[Deferral] = Field(default_factory=list)
    strengths_used: list[StrengthUse] = Field(default_factory=list)
    barriers: list[BarrierPlan] = Field(default_factory=list)
    safety_plan: LongText = Field(
        default="", description="How risk is monitored and managed, when the case carries risk."
    )
    discharge_criteria: list[DischargeCriterion] = Field(default_factory=list)
    participation: Participation = Field(default_factory=Participation)
    review: Review = Field(default_factory=Review)
    notes: LongText = ""

    @model_validator(mode="after")
    def _element_ids_unique(self) -> TreatmentPlan:
        seen: set[str] = set()
        for element in self.elements():
            if element.id in seen:
                raise ValueError(f"element id {element.id!r} is used twice in the plan")
            seen.add(element.id)
        return self

    def elements(self) -> Iterator[PlanElement]:
        """Every element with an id, depth first in plan order."""
        for problem in self.problems:
            yield problem
            for goal in problem.goals:
                yield goal
                for objective in goal.objectives:
                    yield objective
                    yield from objective.interventions
        yield from self.deferred_concerns
        yield from self.strengths_used
        yield from self.barriers
        yield from self.discharge_criteria

    def element(self, element_id: str) -> PlanElement:
        """The element with this id; KeyError if the plan has none."""
        for e in self.elements():
            if e.id == element_id:
                return e
        raise KeyError(element_id)

    def objectives(self) -> Iterator[tuple[Problem, Goal, Objective]]:
        for problem in self.problems:
            for goal in problem.goals:
                for objective in goal.objectives:
                    yield problem, goal, objective

    def interventions(self) -> Iterator[tuple[Objective, Intervention]]:
        for _, _, objective in self.objectives():
            for intervention in objective.interventions:
                yield objective, intervention

    def linked_fact_ids(self) -> set[str]:
        """Every case fact id the plan refers to, anywhere."""
        ids: set[str] = set(self.revised_for_events)
        for e in self.elements():
            ids.update(fact_ids(e))
        return ids


FACT_LIST_FIELDS = ("linked_facts", "concern_ids")
"""Element fields that hold several case fact ids."""
FACT_ID_FIELDS = ("patient_quote_id", "strength_id", "barrier_id", "concern_id")
"""Element fields that hold one case fact id (or nothing)."""
_FACT_FIELDS_OF: dict[type, tuple[str, ...]] = {}


def fact_fields(kind: type) -> tuple[str, ...]:
    """Which of the fact fields an element class has, looked up once per class (asking a pydantic model for a
    field it lacks costs an exception each time; over a cohort of drafts that was half the work)."""
    found = _FACT_FIELDS_OF.get(kind)
    if found is None:
        names = getattr(kind, "model_fields", {})
        found = tuple(n for n in (*FACT_LIST_FIELDS, *FACT_ID_FIELDS) if n in names)
        _FACT_FIELDS_OF[kind] = found
    return found


def fact_ids(element: object) -> list[str]:
    """The case fact ids an element refers to, in field order: the one list every reader of links uses."""
    out: list[str] = []
    for name in fact_fields(type(element)):
        value = getattr(element, name)
        if isinstance(value, list):
            out.extend(value)
        elif value:
            out.append(value)
    return out


_NOT_SECTIONS = {
    "id",
    "case_id",
    "title",
    "written_at_week",
    "revised_for_events",
    "event_revisions",
    "problems",
    "deferred_concerns",
    "strengths_used",
    "barriers",
    "discharge_criteria",
}
_CHILD_LISTS = ("goals", "objectives", "interventions")


def _element_data(plan: TreatmentPlan) -> dict[str, dict]:
    """Each element's own fields (children left out), by id."""
    out: dict[str, dict] = {}
    for element in plan.elements():
        out[element.id] = element.model_dump(exclude=set(_CHILD_LISTS) & set(type(element).model_fields))
    return out


def plan_changes(base: TreatmentPlan, plan: TreatmentPlan) -> tuple[list[str], list[str]]:
    """(element ids added, changed or removed; plan sections changed) from ``base`` to ``plan``, in plan
    order.

    The week, the events revised for and their records are bookkeeping, not changes to the care planned.
    """
    before, after = _element_data(base), _element_data(plan)
    elements = [i for i, data in after.items() if before.get(i) != data]
    elements += [i for i in before if i not in after]
    sections = [
        name
        for name in TreatmentPlan.model_fields
        if name not in _NOT_SECTIONS and getattr(base, name) != getattr(plan, name)
    ]
    return elements, sections
