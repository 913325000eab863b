"""The case study: an anonymized, synthetic patient a trainee plans for.

Every fact a plan can draw on (a presenting concern, a strength, a barrier, a quote, a timeline event)
has an id, so plans link to *this* patient's facts and critique can tell which were used and which ignored.
Supervisor-only material (teaching notes, the reference plan) lives here too; views for trainees use
``CaseStudy.for_trainee()``, which removes it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import ElementId, LongText, ModelBase, ShortText, Week
from .measures import check_item_scores, check_score, get_instrument
from .plan import Diagnosis, Format, TreatmentPlan

BarrierKind = Literal[
    "transport",
    "cost",
    "waitlist",
    "work_hours",
    "childcare",
    "language",
    "housing",
    "digital_access",
    "stigma",
    "ambivalence",
    "mistrust",
    "other",
]
ACCESS_BARRIERS = {
    "transport",
    "cost",
    "waitlist",
    "work_hours",
    "childcare",
    "language",
    "housing",
    "digital_access",
}
ENGAGEMENT_BARRIERS = {"stigma", "ambivalence", "mistrust"}
DayPart = Literal["morning", "afternoon", "evening", "night", "weekend"]
"""Parts of the week a person may be unable to attend: weekday mornings, afternoons, evenings, nights, or
weekends. A daytime session is in the morning or the afternoon."""


class Demographics(ModelBase):
    """De-identified demographics: an age or an age band, never a date of birth."""

    age: int | None = Field(
        default=None, ge=10, le=89, description="Age in years; Safe Harbor forbids ages over 89."
    )
    age_band: ShortText | None = Field(
        default=None, description="e.g. '60-69' or '90 or older' when age is withheld."
    )
    gender: ShortText = Field(description="As the person describes it.")
    pronouns: ShortText | None = None
    occupation: ShortText | None = None
    living_situation: ShortText | None = None

    @model_validator(mode="after")
    def _age_or_band(self) -> Demographics:
        if self.age is None and not self.age_band:
            raise ValueError("give either age or age_band")
        return self


class PresentingConcern(ModelBase):
    """An assessed need: the plan must address it or explicitly defer it."""

    id: ElementId
    summary: ShortText
    frequency_intensity: ShortText = Field(default="", description="How often and how severe, observably.")


class Strength(ModelBase):
    """A strength or natural support the plan can build on."""

    id: ElementId
    text: ShortText
    kind: Literal["personal", "natural_support", "community", "skill", "value"] = "personal"


class Escort(ModelBase):
    """Someone the person depends on to get to care or to be with them there (parents who drive a teenager,
    a daughter who takes her mother to appointments), and when that person is not free to do it."""

    who: ShortText = Field(description="As the case names them: 'her parents', 'his daughter'.")
    also_called: list[ShortText] = Field(
        default_factory=list,
        description="Other words a plan may use for them: 'parent', 'mother', 'father', 'mum', 'dad'.",
    )
    unavailable: list[DayPart] = Field(
        min_length=1, description="When they cannot drive or come along (their work hours, a school run)."
    )

    def names(self) -> list[str]:
        """Every way a plan may name them, longest first."""
        return sorted({self.who, *self.also_called}, key=len, reverse=True)


class Barrier(ModelBase):
    """Something that stands between this person and care: access (transport, cost...) or engagement."""

    id: ElementId
    text: ShortText
    kind: BarrierKind
    applies_to: ShortText = Field(
        default="",
        description="What it stands in the way of, in the case's words: what costs (cost), where the person "
        "cannot get to (transport), what is waitlisted (waitlist). Empty: everything of its kind.",
    )
    formats: list[Format] = Field(
        default_factory=list,
        description="Kinds of care it applies to (e.g. a copay on individual and medication visits); empty: "
        "judged from its kind and what it applies to.",
    )
    unavailable: list[DayPart] = Field(
        default_factory=list, description="When the person cannot attend (work hours, care duties, a curfew)."
    )
    attend_at_most_per_week: int | None = Field(
        default=None, ge=0, le=21, description="How many sessions a week the person can attend at most."
    )
    wait_weeks: Week | None = Field(
        default=None, description="Waitlist: weeks from intake until the waitlisted care can start."
    )
    ends_week: Week | None = Field(
        default=None,
        description="The week from intake when the service it names stops (a school centre closing for the "
        "summer, a programme ending): care planned there after it needs a handover.",
    )
    escorts: list[Escort] = Field(
        default_factory=list,
        description="Who the person depends on to get to care, and when they cannot take them: care that "
        "relies on them at those times will not happen.",
    )

    @property
    def category(self) -> Literal["access", "engagement", "other"]:
        if self.kind in ACCESS_BARRIERS:
            return "access"
        if self.kind in ENGAGEMENT_BARRIERS:
            return "engagement"
        return "other"


class Quote(ModelBase):
    """The patient's own words, verbatim: a complaint, a hope, or how they see things."""

    id: ElementId
    text: ShortText
    kind: Literal["complaint", "hope", "view"] = "view"


class RiskSummary(ModelBase):
    """Current risk as assessed at intake."""

    level: Literal["none", "low", "moderate", "high"]
    summary: LongText
    safety_plan_needed: bool = False


class MeasurePoint(ModelBase):
    """One administration of a standardized measure."""

    instrument: ShortText
    week: Week
    score: float
    item_scores: list[int] | None = None

    @field_validator("instrument")
    @classmethod
    def _known_instrument(cls, v: str) -> str:
        try:
            return get_instrument(v).code
        except KeyError as exc:
            raise ValueError(str(exc.args[0])) from None

    @model_validator(mode="after")
    def _score_in_range(self) -> MeasurePoint:
        check_score(self.instrument, self.score)
        if self.item_scores is not None:
            check_item_scores(self.instrument, self.item_scores, self.score)
        return self


class EventEnd(ModelBase):
    """Something a timeline event stops or takes away: a medication the person stopped, a service that closes
    or ends, a support or arrangement that is no longer there. A plan written after the event that still
    relies on it is out of date."""

    what: ShortText = Field(description="As the clinic names it: 'sertraline', 'the school health centre'.")
    kind: Literal["medication", "service", "support", "other"] = Field(
        default="other",
        description="A medication stopped, a service closing or ending, a support (a person, a place to "
        "stay) no longer there, or something else.",
    )
    also_called: list[ShortText] = Field(
        default_factory=list,
        description="Other words a plan may use for it: a brand name ('Zoloft'), a short name ('school "
        "centre').",
    )
    from_week: Week | None = Field(
        default=None,
        description="The week it stops when that is not the event's week (a centre that closes two weeks "
        "after the news).",
    )

    def names(self) -> list[str]:
        """Every way a plan may name it, longest first."""
        return sorted({self.what, *self.also_called}, key=len, reverse=True)


class TimelineEvent(ModelBase):
    """A change in the person's life at week N that should prompt a plan revision."""

    id: ElementId
    week: Week
    title: ShortText
    description: LongText
    measures: list[MeasurePoint] = Field(
        default_factory=list, description="Scores taken when the event is revealed."
    )
    risk: bool = Field(
        default=False,
        description="The event raises the risk of harm to self: new or worse self-harm, suicidal thoughts, "
        "an "
        "overdose, or a dangerous fall under the influence. The plan's safety content must be revised for "
        "it.",
    )
    ends: list[EventEnd] = Field(
        default_factory=list,
        description="What the event stops or takes away: a medication stopped, a service that closes, a "
        "support no longer there.",
    )
    restarts: list[ShortText] = Field(
        default_factory=list,
        description="What an earlier event stopped and this one brings back (a medication restarted), by "
        "the name the earlier event gave it.",
    )
    resolves: list[ElementId] = Field(
        default_factory=list,
        description="Barriers of the case this event removes (hearing aids now fitted; a therapy slot now "
        "open; a move away from the roommates): from this week a plan no longer works around them.",
    )


CaseFact = PresentingConcern | Strength | Barrier | Quote | TimelineEvent
"""Anything in a case that a plan can point at by id."""


class CaseStudy(ModelBase):
    """A synthetic, anonymized teaching case."""

    id: ElementId = Field(description="Stable slug, e.g. 'case-rural-perinatal'.")
    title: ShortText
    setting: ShortText = Field(
        description="Where care happens, e.g. 'community clinic with a six-week waitlist'."
    )
    demographics: Demographics
    presenting_concerns: list[PresentingConcern] = Field(min_length=1)
    history: LongText
    cultural_social_context: LongText
    mental_status: LongText = ""
    formulation: LongText
    working_diagnosis: list[Diagnosis] = Field(min_length=1)
    strengths: list[Strength] = Field(min_length=1)
    barriers: list[Barrier] = Field(min_length=1)
    patient_words: list[Quote] = Field(min_length=1)
    risk: RiskSummary
    measures: list[MeasurePoint] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    teaching_notes: LongText = Field(default="", description="Supervisor-only.")
    discussion_questions: list[ShortText] = Field(
        default_factory=list, description="Supervisor-only prompts."
    )
    reference_plan: TreatmentPlan | None = Field(
        default=None, description="Supervisor-only annotated exemplar."
    )

    @model_validator(mode="after")
    def _ids_unique_and_plan_matches(self) -> CaseStudy:
        seen: set[str] = set()
        for fact in self.facts():
            if fact.id in seen:
                raise ValueError(f"case fact id {fact.id!r} is used twice")
            seen.add(fact.id)
        barrier_ids = {b.id for b in self.barriers}
        ended: set[str] = set()
        for event in sorted(self.timeline, key=lambda e: e.week):
            for fact_id in event.resolves:
                if fact_id not in barrier_ids:
                    raise ValueError(
                        f"event {event.id!r} resolves {fact_id!r}, which is not a barrier of this case"
                    )
            for name in event.restarts:
                if name.casefold() not in ended:
                    raise ValueError(f"event {event.id!r} restarts {name!r}, which no earlier event ends")
            ended |= {end.what.casefold() for end in event.ends}
        if self.reference_plan is not None and self.reference_plan.case_id != self.id:
            raise ValueError(
                f"reference_plan.case_id is {self.reference_plan.case_id!r}, expected {self.id!r}"
            )
        return self

    def facts(self) -> list[CaseFact]:
        """Every fact with an id, in case order."""
        return [
            *self.presenting_concerns,
            *self.strengths,
            *self.barriers,
            *self.patient_words,
            *self.timeline,
        ]

    def fact(self, fact_id: str) -> CaseFact:
        """The fact with this id; KeyError if the case has none."""
        for f in self.facts():
            if f.id == fact_id:
                return f
        raise KeyError(fact_id)

    def measures_until(self, week: int) -> list[MeasurePoint]:
        """Every score known by ``week``: intake measures and those of events already revealed."""
        points = [m for m in self.measures if m.week <= week]
        for event in self.timeline:
            if event.week <= week:
                points.extend(m for m in event.measures if m.week <= week)
        return sorted(points, key=lambda m: (m.instrument, m.week))

    def latest_score(self, instrument: str, week: int | None = None) -> MeasurePoint | None:
        """The most recent score on ``instrument`` known by ``week`` (default: all intake measures)."""
        code = get_instrument(instrument).code
        horizon = week if week is not None else max((m.week for m in self.measures), default=0)
        points = [m for m in self.measures_until(horizon) if m.instrument == code]
        return max(points, key=lambda m: m.week) if points else None

    def events_until(self, week: int) -> list[TimelineEvent]:
        """Timeline events revealed by ``week``, in order."""
        return sorted((e for e in self.timeline if e.week <= week), key=lambda e: e.week)

    def ended_by(self, week: int) -> list[tuple[TimelineEvent, EventEnd]]:
        """What events revealed by ``week`` have stopped and no later event by then has brought back, with
        the event that stopped it, in order."""
        out: list[tuple[TimelineEvent, EventEnd]] = []
        for event in self.events_until(week):
            back = {name.casefold() for name in event.restarts}
            out = [(e, end) for e, end in out if end.what.casefold() not in back]
            out.extend((event, end) for end in event.ends)
        return out

    def resolved_by(self, week: int) -> dict[str, TimelineEvent]:
        """Barrier id -> the event revealed by ``week`` that removed it."""
        return {fact_id: e for e in self.events_until(week) for fact_id in e.resolves}

    def for_trainee(self) -> CaseStudy:
        """The same case without supervisor-only material (teaching notes, questions, reference plan)."""
        return self.model_copy(
            update={"teaching_notes": "", "discussion_questions": [], "reference_plan": None}
        )
