"""What every rule reads: the plan, the case, and facts about the case worked out once.

Critique reruns on every edit, so per-case work (fact lookups, the phrases of the cultural context, latest
scores, risk) lives in a small cache keyed by the case's id and identity; per-run work is a few dicts.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..library.vocabulary import concern_groups
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
    TimelineEvent,
    TreatmentPlan,
)
from ..model.base import isolate
from ..model.case import CaseFact
from ..model.measures import INSTRUMENTS, Instrument, needs_risk_follow_up
from ..model.plan import PlanElement, fact_ids
from .generic import GenericElement, generic_elements
from .phrases import GENERIC_WORDS, Phrase, context_phrases, passages_keys
from .text import content_words, key_words, matches

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


_FACT_KINDS = {
    "PresentingConcern": "Concern",
    "Strength": "Strength",
    "Barrier": "Barrier",
    "Quote": "In their words",
    "TimelineEvent": "Event",
}


def cite(fact) -> str:
    """Evidence for a case fact, as a reader sees it: 'Barrier: No car; ...' (never its id)."""
    kind = type(fact).__name__
    text = fact_text(fact)
    if kind == "Quote":
        return f'In their words: "{text}"'
    if kind == "TimelineEvent":
        return f"Week {fact.week}: {text}"
    return f"{_FACT_KINDS.get(kind, 'Case')}: {text}"


def cite_score(point: MeasurePoint) -> str:
    return f"{point.instrument} {fmt(point.score)} (week {point.week})"


def fmt(number: float) -> str:
    """12.0 -> '12', 8.5 -> '8.5'."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


@dataclass(frozen=True)
class RiskReason:
    """Why the case calls for safety content by a given week, in words, and the fact it comes from."""

    text: str
    event_id: str | None = None


@dataclass
class CaseIndex:
    """Per-case lookups, built once per case object."""

    case: CaseStudy
    facts: dict[str, CaseFact] = field(init=False)
    strengths: dict[str, Strength] = field(init=False)
    barriers: dict[str, Barrier] = field(init=False)
    quotes: dict[str, Quote] = field(init=False)
    concern_ids: list[str] = field(init=False)
    event_ids: set[str] = field(init=False)

    def __post_init__(self) -> None:
        case = self.case
        self.facts = {f.id: f for f in case.facts()}
        self.strengths = {s.id: s for s in case.strengths}
        self.barriers = {b.id: b for b in case.barriers}
        self.quotes = {q.id: q for q in case.patient_words}
        self.concern_ids = [c.id for c in case.presenting_concerns]
        self.event_ids = {e.id for e in case.timeline}
        self._latest: dict[tuple[str, int], MeasurePoint | None] = {}
        self._risk: dict[int, list[RiskReason]] = {}
        self._event_words: dict[str, frozenset[str]] = {}
        self._phrase_hits: dict[frozenset[str], tuple[tuple[Phrase, frozenset[str]], ...]] = {}

    @cached_property
    def cultural_phrases(self) -> tuple[Phrase, ...]:
        """Recognisable phrases of the cultural and social context (spaCy, once per case text)."""
        return context_phrases(self.case.cultural_social_context)

    @cached_property
    def strength_keys(self) -> dict[str, frozenset[str]]:
        """Each strength's distinctive stems: using two of them in one passage uses the strength."""
        return {sid: key_words(s.text) - GENERIC_WORDS for sid, s in self.strengths.items()}

    @cached_property
    def quote_keys(self) -> dict[str, frozenset[str]]:
        return {qid: key_words(q.text) for qid, q in self.quotes.items()}

    @cached_property
    def concern_groups(self) -> dict[str, frozenset[str]]:
        """Vocabulary groups of each presenting concern ('grief' for 'intense yearning for his wife')."""
        return {c.id: concern_groups(c.summary) for c in self.case.presenting_concerns}

    @cached_property
    def intake_words(self) -> frozenset[str]:
        """Stems of everything known at intake (the case without its timeline): an event's own words are the
        ones not in here."""
        case = self.case
        parts = [
            case.title,
            case.setting,
            case.history,
            case.cultural_social_context,
            case.mental_status,
            case.formulation,
            case.risk.summary,
            " ".join(d.label for d in case.working_diagnosis),
            " ".join(f"{c.summary} {c.frequency_intensity}" for c in case.presenting_concerns),
            " ".join(s.text for s in case.strengths),
            " ".join(b.text for b in case.barriers),
            " ".join(q.text for q in case.patient_words),
            " ".join(v for v in case.demographics.model_dump().values() if isinstance(v, str)),
        ]
        return key_words(" ".join(parts))

    def phrases_in(self, passage: frozenset[str]) -> tuple[tuple[Phrase, frozenset[str]], ...]:
        """The context units one passage of plan prose reflects, with the stems it shares with each
        (remembered:
        most passages do not change between keystrokes)."""
        hit = self._phrase_hits.get(passage)
        if hit is None:
            hit = tuple((p, shared) for p in self.cultural_phrases if (shared := p.shared(passage)))
            self._phrase_hits[passage] = hit
            if len(self._phrase_hits) > 4096:
                self._phrase_hits.pop(next(iter(self._phrase_hits)))
        return hit

    def event_words(self, event: TimelineEvent) -> frozenset[str]:
        """Stems that tell this event apart from what was known at intake ('midterm', 'warning', 'letter'): a
        plan using two of them was written with the event in mind."""
        if event.id not in self._event_words:
            self._event_words[event.id] = (
                key_words(f"{event.title} {event.description}") - self.intake_words - GENERIC_WORDS
            )
        return self._event_words[event.id]

    def latest(self, code: str, week: int) -> MeasurePoint | None:
        """Latest score on ``code`` known by ``week`` (intake measures and revealed events)."""
        key = (code, week)
        if key not in self._latest:
            points = [m for m in self.case.measures_until(week) if m.instrument == code]
            self._latest[key] = max(points, key=lambda m: m.week) if points else None
        return self._latest[key]

    def risk_events(self, week: int) -> list[TimelineEvent]:
        """Timeline events revealed by ``week`` that raise the risk of harm to self, oldest first."""
        return [e for e in self.case.events_until(week) if e.risk]

    def risk_reasons(self, week: int) -> list[RiskReason]:
        """Why this case calls for safety content by ``week``: assessed risk level, flag, a risk item > 0, or
        a risk event on the timeline."""
        if week not in self._risk:
            reasons = []
            risk = self.case.risk
            if risk.level in ("moderate", "high"):
                reasons.append(RiskReason(f"risk at intake was {risk.level} ({risk.summary.rstrip('.')})"))
            elif risk.safety_plan_needed:
                reasons.append(
                    RiskReason(f"the intake risk assessment asks for a safety plan ({risk.summary})")
                )
            for point in self.case.measures_until(week):
                if needs_risk_follow_up(point.instrument, point.item_scores):
                    item = INSTRUMENTS[point.instrument].risk_item
                    if item is None or point.item_scores is None:  # follow-up needs both: not reached
                        continue
                    value = point.item_scores[item - 1]
                    reasons.append(
                        RiskReason(f"{point.instrument} item {item} = {value} (week {point.week})")
                    )
            for event in self.risk_events(week):
                reasons.append(RiskReason(f"week {event.week}: '{isolate(event.title)}'", event.id))
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


_ONE_OFF = re.compile(
    r"\b(?:written|writes?|wrote|complete[sd]?|finish(?:es|ed)?|book(?:s|ed)?|schedul(?:es|ed)|signs?|signed|"
    r"shares?|shared|hands?\s+in|handed\s+in|removes?|removed|locks?|locked|stores?|stored|installs?|installed|"
    r"refer(?:s|red)|referral|enrol(?:l?s|led)?|appl(?:y|ies|ied)\s+for|registers?|registered|obtains?|obtained|"
    r"fitted|arranges?|arranged|sets?\s+up|agreed|agrees|drafts?|drafted|moves?|moved|gives?\s+(?:her|his|their)|"
    r"attends?\s+(?:an?|the|his|her|their|one)\s+(?:\w+\s+){0,3}?(?:assessment|appointment|evaluation|visit|intake|"
    r"review|consultation|screening|session)|(?:assessment|appointment|evaluation|referral|plan)\s+(?:is\s+)?"
    r"(?:made|done|booked|completed|sent|written)|sent|lodged|secured|submitted|done|in\s+place|rewritten|"
    r"refreshed|prioriti[sz]ed|read\s+through|held|attended|met\s+with|meets\s+(?:the|her|his|their|a)|"
    r"handed\s+over|filed|returned|fitted)\b",
    re.IGNORECASE,
)
"""Wording of a one-off step ('safety plan written and shared', 'assessment booked', 'firearm stored')."""
_RECURRING = re.compile(
    r"\b(?:\d+\s*(?:x|times)|once|twice|daily|nightly|weekly|every|each|per\s+(?:day|week|month)|"
    r"a\s+(?:day|week|month|night)|most\s+(?:days|nights)|(?:days|nights|mornings|evenings)\s+a\s+week)\b",
    re.IGNORECASE,
)


def objective_kind(obj: Objective) -> str:
    """'measured', 'completion', or 'one_off': a measured objective with no measure, baseline or target whose
    words describe a dated one-off step, which the critique treats as the completion objective it is."""
    if obj.kind == "completion":
        return "completion"
    if (
        not obj.measure.strip()
        and obj.baseline is None
        and obj.target is None
        and _ONE_OFF.search(obj.description)
        and not _RECURRING.search(obj.description)
    ):
        return "one_off"
    return "measured"


_EMPTY = re.compile(
    r"^\W*(?:noted|n/?a|none|tbd|tba|to\s+be\s+(?:decided|discussed|confirmed)|later|ok(?:ay)?|yes|no|-+|\?+|"
    r"will\s+discuss|discuss(?:ed)?|see\s+above|as\s+above|pending|todo)\W*$",
    re.IGNORECASE,
)
TENTATIVE = re.compile(
    r"^\W*(?:(?:she|he|they|the\s+client|client|the\s+person)\s+)?(?:will|would|could|may|might|hopes?\s+to|"
    r"plans?\s+to|is\s+going\s+to|to)\s+(?:ask|try|see|look\s+into|think\s+about|explore|consider|request|"
    r"find\s+out)\b",
    re.IGNORECASE,
)
"""A mitigation that is a hope or a question to ask, not a change that removes the barrier."""


def empty_mitigation(text: str) -> bool:
    """A mitigation that says nothing: blank, or 'Noted.', 'TBD', 'Later', 'N/A'."""
    return not text.strip() or matches(_EMPTY, text)


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
        """Goals, objectives and interventions that are library text: for the finding and the score's
        penalty."""
        return generic_elements(self.plan)

    @cached_property
    def order(self) -> dict[str, int]:
        """Position of each element in plan order, for sorting findings."""
        return {e.id: n for n, e in enumerate(self.plan.elements())}

    @cached_property
    def refs(self) -> list[tuple[PlanElement, list[str]]]:
        """(element, case fact ids it refers to) for every element, in plan order."""
        return [(element, fact_ids(element)) for element in self.plan.elements()]

    @cached_property
    def linked_ids(self) -> set[str]:
        """Every case fact id the plan refers to (same as ``TreatmentPlan.linked_fact_ids``, faster)."""
        ids = set(self.plan.revised_for_events)
        for _, refs in self.refs:
            ids.update(refs)
        return ids

    @cached_property
    def objective_kinds(self) -> dict[str, str]:
        """Each objective's kind as the critique reads it (see ``objective_kind``)."""
        return {o.id: objective_kind(o) for _, _, o in self.plan.objectives()}

    @cached_property
    def known_week(self) -> int:
        """The latest week whose events the plan was written knowing: its own week, or a later event it says
        it was revised for, never past the exercise week."""
        revised = [e.week for e in self.case.timeline if e.id in self.plan.revised_for_events]
        return min(self.week, max([self.plan.written_at_week, *revised]))

    @cached_property
    def resolved_barriers(self) -> dict[str, TimelineEvent]:
        """Barrier id -> the event that removed it, for events the plan was written knowing (hearing aids
        now fitted, a therapy slot now open): the plan no longer has to work around them."""
        return self.case.resolved_by(self.known_week)

    @cached_property
    def barriers_in_force(self) -> list[Barrier]:
        """The case's barriers the plan must still work around, in case order: all but the resolved ones."""
        return [b for b in self.index.barriers.values() if b.id not in self.resolved_barriers]

    @cached_property
    def planned_barriers(self) -> dict[str, str]:
        """Barrier id -> mitigation, for barrier plans that name a case barrier and say something ('Noted.' or
        'TBD' says nothing)."""
        return {
            b.barrier_id: b.mitigation
            for b in self.plan.barriers
            if b.barrier_id and not empty_mitigation(b.mitigation)
        }

    @cached_property
    def mitigated_barriers(self) -> dict[str, str]:
        """Barrier id -> mitigation, for barriers the plan actually removes: a hope ('she will ask her manager
        about fewer shifts') is a plan to find out, not a mitigation, so the barrier still stands in the
        way."""
        return {k: v for k, v in self.planned_barriers.items() if not matches(TENTATIVE, v)}

    @cached_property
    def addressed_barriers(self) -> set[str]:
        """Case barriers the plan does something about: a barrier plan that says something, or an intervention
        that links the barrier (it was adapted for it)."""
        ids = set(self.planned_barriers)
        for _, item in self.plan.interventions():
            ids.update(f for f in item.linked_facts if f in self.index.barriers)
        return ids & self.index.barriers.keys()

    @cached_property
    def passages(self) -> list[frozenset[str]]:
        """Stems of each sentence of the trainee's prose: 'used in the plan' means used in one passage."""
        return passages_keys(self.plan_parts)

    def in_one_passage(self, keys: frozenset[str], needed: int) -> bool:
        return any(len(keys & passage) >= needed for passage in self.passages)

    @cached_property
    def used_strengths(self) -> list[str]:
        """Strengths linked anywhere, or put to work in words (two of their distinctive words in one
        passage)."""
        ids = {s.strength_id for s in self.plan.strengths_used if s.strength_id} | self.linked_ids
        out = []
        for sid, keys in self.index.strength_keys.items():
            if sid in ids or (len(keys) >= 2 and self.in_one_passage(keys, 2)):
                out.append(sid)
        return out

    @cached_property
    def used_quotes(self) -> list[str]:
        """The person's words linked anywhere, or quoted (most of the quote's words in one passage)."""
        out = []
        for qid, keys in self.index.quote_keys.items():
            if qid in self.linked_ids or (
                len(keys) >= 3 and self.in_one_passage(keys, max(3, -(-len(keys) * 3 // 5)))
            ):
                out.append(qid)
        return out

    @cached_property
    def cultural_phrases_used(self) -> list[str]:
        """The clauses (or names) of the case's context a reader would recognise in the plan, each as the
        part of it the plan reflected, in the case's words ('…parents who run a small family restaurant'; see
        ``phrases``). One mention counts once: a unit whose shared words were already credited to another
        adds nothing."""
        shared: dict[Phrase, frozenset[str]] = {}
        for passage in self.passages:
            for phrase, stems in self.index.phrases_in(passage):
                shared[phrase] = shared.get(phrase, frozenset()) | stems
        used: list[str] = []
        credited: set[str] = set()
        for phrase in self.index.cultural_phrases:
            stems = shared.get(phrase, frozenset())
            if (stems - GENERIC_WORDS) - credited:
                used.append(phrase.excerpt(stems))
                credited |= stems - GENERIC_WORDS
        return used

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
