"""What every rule reads: the plan, the case, and facts about the case worked out once.

Critique reruns on every edit, so per-case work (fact lookups, the vocabulary of the cultural context,
latest scores) lives in a small cache keyed by the case's id and identity; per-run work is a few dicts.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..model import (
    Barrier,
    BarrierPlan,
    CaseStudy,
    Deferral,
    DischargeCriterion,
    Goal,
    Intervention,
    MeasurePoint,
    Objective,
    Problem,
    Quote,
    Strength,
    StrengthUse,
    TreatmentPlan,
)
from ..model.measures import INSTRUMENTS, Instrument, needs_risk_follow_up
from .generic import GenericElement, generic_elements
from .text import STOPWORDS, content_words

_ITEM = re.compile(r"\bitems?\b", re.IGNORECASE)
_CODES_LOOSE = {code.replace("-", ""): code for code in INSTRUMENTS}


@lru_cache(maxsize=1024)
def instrument_for(measure: str | None) -> Instrument | None:
    """The standard instrument an objective's ``measure`` names ('PHQ-9', 'phq9', 'PHQ-9 total'), or None."""
    if not measure or _ITEM.search(measure):
        return None
    text = measure.strip().upper()
    for candidate in (text, text.split()[0] if text.split() else text):
        if candidate in INSTRUMENTS:
            return INSTRUMENTS[candidate]
        loose = candidate.replace("-", "").replace(" ", "")
        if loose in _CODES_LOOSE:
            return INSTRUMENTS[_CODES_LOOSE[loose]]
    return None


def item_instrument_for(measure: str | None) -> Instrument | None:
    """The instrument of an item-level measure ('PHQ-9 item 9'), whose range is one item's (0-3)."""
    if not measure or not _ITEM.search(measure):
        return None
    return instrument_for(_ITEM.split(measure)[0])


def fact_text(fact) -> str:
    for attr in ("text", "summary", "title"):
        value = getattr(fact, attr, None)
        if value:
            return value
    return ""


def cite(fact) -> str:
    """Evidence string for a case fact: 'id: text'."""
    return f"{fact.id}: {fact_text(fact)}"


def cite_score(point: MeasurePoint) -> str:
    return f"{point.instrument} {fmt(point.score)} (week {point.week})"


def fmt(number: float) -> str:
    """12.0 -> '12', 8.5 -> '8.5'."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


_GENERIC_CONTEXT_WORDS = frozenset(
    ["client", "patient", "person", "people", "life", "lives", "living", "live", "year", "years", "old", "time", "times", "week", "weeks", "month", "months", "also", "like", "feel", "feels", "felt", "says", "said", "told", "tells", "often", "usually", "sometimes", "since", "back", "well", "good", "much", "many", "work", "works", "family", "home", "money", "every", "call", "calls", "called", "know", "knows", "knew", "never", "plan", "plans", "through", "want", "wants", "wanted", "himself", "herself", "themselves", "would", "could", "being", "other", "others", "after", "before", "about", "because", "still", "first", "each", "only", "even", "make", "made", "take", "takes", "took", "need", "needs", "going", "come", "comes", "came", "thing", "things", "help", "helps", "helped", "treatment", "service", "services", "support", "supports", "care", "therapy", "session", "sessions", "clinic", "trying", "tried", "getting", "right", "really", "always", "something", "someone", "anyone", "nothing", "everything", "around", "between", "within", "without"]
)
"""Words too common to show that a plan reflects *this* person's cultural and social context."""


@dataclass
class CaseIndex:
    """Per-case lookups, built once per case object."""

    case: CaseStudy
    facts: dict[str, object] = field(init=False)
    strengths: dict[str, Strength] = field(init=False)
    barriers: dict[str, Barrier] = field(init=False)
    quotes: dict[str, Quote] = field(init=False)
    concern_ids: list[str] = field(init=False)
    event_ids: set[str] = field(init=False)
    cultural_terms: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        case = self.case
        self.facts = {f.id: f for f in case.facts()}
        self.strengths = {s.id: s for s in case.strengths}
        self.barriers = {b.id: b for b in case.barriers}
        self.quotes = {q.id: q for q in case.patient_words}
        self.concern_ids = [c.id for c in case.presenting_concerns]
        self.event_ids = {e.id for e in case.timeline}
        self.cultural_terms = frozenset(
            w
            for w in content_words(case.cultural_social_context)
            if w not in _GENERIC_CONTEXT_WORDS and w not in STOPWORDS and len(w) >= 4
        )
        self._latest: dict[tuple[str, int], MeasurePoint | None] = {}
        self._risk: dict[int, list[str]] = {}

    def latest(self, code: str, week: int) -> MeasurePoint | None:
        """Latest score on ``code`` known by ``week`` (intake measures and revealed events)."""
        key = (code, week)
        if key not in self._latest:
            points = [m for m in self.case.measures_until(week) if m.instrument == code]
            self._latest[key] = max(points, key=lambda m: m.week) if points else None
        return self._latest[key]

    def risk_reasons(self, week: int) -> list[str]:
        """Why this case calls for a safety plan by ``week``: assessed risk level, flag, or a risk item > 0."""
        if week not in self._risk:
            reasons = []
            risk = self.case.risk
            if risk.level in ("moderate", "high"):
                reasons.append(f"risk level at intake: {risk.level} ({risk.summary})")
            elif risk.safety_plan_needed:
                reasons.append(f"intake risk assessment asks for a safety plan ({risk.summary})")
            for point in self.case.measures_until(week):
                if needs_risk_follow_up(point.instrument, point.item_scores):
                    item = INSTRUMENTS[point.instrument].risk_item
                    value = point.item_scores[item - 1]  # type: ignore[index]
                    reasons.append(f"{point.instrument} item {item} = {value} (week {point.week})")
            self._risk[week] = reasons
        return self._risk[week]


_CACHE: OrderedDict[tuple[str, int], CaseIndex] = OrderedDict()
_CACHE_SIZE = 32


def case_index(case: CaseStudy) -> CaseIndex:
    """The cached index of ``case`` (rebuilt if a different object carries the same id)."""
    key = (case.id, id(case))
    hit = _CACHE.get(key)
    if hit is not None and hit.case is case:
        _CACHE.move_to_end(key)
        return hit
    index = CaseIndex(case)
    _CACHE[key] = index
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return index


@dataclass
class PlanContext:
    """One critique run: the plan, its case, the exercise week and optional peer drafts."""

    plan: TreatmentPlan
    case: CaseStudy
    index: CaseIndex
    week: int
    peers: tuple[TreatmentPlan, ...] = ()

    @cached_property
    def generic(self) -> list[GenericElement]:
        """Goals, objectives and interventions that are library text: for the finding and the score's penalty."""
        return generic_elements(self.plan)

    @cached_property
    def order(self) -> dict[str, int]:
        """Position of each element in plan order, for sorting findings."""
        return {e.id: n for n, e in enumerate(self.plan.elements())}

    @cached_property
    def refs(self) -> list[tuple[object, list[str]]]:
        """(element, case fact ids it refers to) for every element, in plan order."""
        out = []
        for element in self.plan.elements():
            fields = _REF_FIELDS[type(element)]
            ids: list[str] = []
            for name in fields:
                value = getattr(element, name)
                if isinstance(value, list):
                    ids.extend(value)
                elif value:
                    ids.append(value)
            out.append((element, ids))
        return out

    @cached_property
    def linked_ids(self) -> set[str]:
        """Every case fact id the plan refers to (same as ``TreatmentPlan.linked_fact_ids``, faster)."""
        ids = set(self.plan.revised_for_events)
        for _, refs in self.refs:
            ids.update(refs)
        return ids

    @cached_property
    def mitigated_barriers(self) -> dict[str, str]:
        """Barrier id -> mitigation, for barrier plans that name a case barrier and say what is done."""
        return {
            b.barrier_id: b.mitigation for b in self.plan.barriers if b.barrier_id and b.mitigation.strip()
        }

    @cached_property
    def addressed_barriers(self) -> set[str]:
        """Case barriers the plan does something about: a barrier plan with a mitigation, or an intervention
        that links the barrier (it was adapted for it)."""
        ids = set(self.mitigated_barriers)
        for _, item in self.plan.interventions():
            ids.update(f for f in item.linked_facts if f in self.index.barriers)
        return ids & self.index.barriers.keys()

    @cached_property
    def used_strengths(self) -> list[str]:
        ids = {s.strength_id for s in self.plan.strengths_used if s.strength_id} | self.linked_ids
        return [s for s in self.index.strengths if s in ids]

    @cached_property
    def used_quotes(self) -> list[str]:
        return [q for q in self.index.quotes if q in self.linked_ids]

    @cached_property
    def cultural_terms_used(self) -> list[str]:
        return sorted(self.index.cultural_terms & self.plan_words)

    @property
    def possessive(self) -> str:
        """'Her', 'His', 'Their' from the case's pronouns, for suggestions that read naturally."""
        pronouns = (self.case.demographics.pronouns or "").lower()
        for key, word in (("she", "Her"), ("he", "His"), ("they", "Their")):
            if pronouns.startswith(key):
                return word
        return "The"

    @cached_property
    def plan_parts(self) -> list[str]:
        """Every piece of the trainee's prose in the plan."""
        p = self.plan
        parts = [p.safety_plan, p.notes, p.participation.note, *p.review.early_review_triggers]
        for e in p.elements():
            for name in _TEXT_FIELDS[type(e)]:
                value = getattr(e, name)
                if value:
                    parts.append(value)
        return parts

    @cached_property
    def plan_text(self) -> str:
        """All the trainee's prose, lower-cased, for 'is this mentioned anywhere' checks."""
        return "\n".join(self.plan_parts).lower()

    @cached_property
    def plan_words(self) -> set[str]:
        words: set[str] = set()
        for part in self.plan_parts:
            words |= content_words(part)
        return words


_ELEMENT_TYPES = (
    Problem,
    Goal,
    Objective,
    Intervention,
    StrengthUse,
    BarrierPlan,
    Deferral,
    DischargeCriterion,
)
_TEXT_FIELDS = {
    cls: tuple(
        n
        for n in (
            "statement",
            "evidenced_by",
            "description",
            "modality",
            "how",
            "barrier",
            "mitigation",
            "reason",
            "text",
            "responsible_role",
            "frequency",
            "measure",
        )
        if n in cls.model_fields
    )
    for cls in _ELEMENT_TYPES
}
"""Prose fields of each element type, looked up once (pydantic's getattr on a missing field is slow)."""
_REF_FIELDS = {
    cls: tuple(
        n
        for n in (
            "linked_facts",
            "concern_ids",
            "patient_quote_id",
            "strength_id",
            "barrier_id",
            "concern_id",
        )
        if n in cls.model_fields
    )
    for cls in _ELEMENT_TYPES
}
