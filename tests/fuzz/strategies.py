"""Hypothesis strategies for valid treatment plans, case files and rubrics.

Plans are built through the model (so text is stripped the way the model stores it); ids are drawn unique per
plan, numbers are finite, weeks and dates lie in the model's ranges.
"""

from __future__ import annotations

from typing import get_args

from hypothesis import strategies as st

from itp_toolkit.model import (
    BarrierPlan,
    Deferral,
    Diagnosis,
    DischargeCriterion,
    Goal,
    Intervention,
    Objective,
    Participation,
    Problem,
    Review,
    StrengthUse,
    TreatmentPlan,
)
from itp_toolkit.model.plan import Delivery, EventRevision, Format, PlanSection, TimeOfDay

ODD_CHARACTERS = [
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u0301",  # combining acute accent
    "e\u0301",  # decomposed é
    "\U0001f9e0",  # emoji (brain)
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family emoji with zero-width joiners
    "\ufeff",  # byte-order mark inside text
    "\t",
    "\u00a0",  # no-break space
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic
    "\u2028",  # line separator
]

ids = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,8}){1,2}", fullmatch=True)

plain_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
"""Any Unicode except lone surrogates and NUL (neither can be stored as UTF-8 text in files or PostgreSQL)."""

odd_text = st.lists(st.sampled_from(ODD_CHARACTERS) | plain_text, max_size=6).map("".join)
text = plain_text | odd_text
numbers = (
    st.none()
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.integers(-1000, 1000).map(float)
)
weeks = st.none() | st.integers(0, 520)
measures = st.sampled_from(["PHQ-9", "phq-9", "GAD-7", "AUDIT", "AUDIT-C", "PCL-5", "EPDS", ""]) | text


@st.composite
def treatment_plans(draw, max_problems: int = 3) -> TreatmentPlan:
    """A valid plan: up to a few problems, goals, objectives and interventions, and every section filled or
    not."""
    pool = iter(draw(st.lists(ids, min_size=60, max_size=60, unique=True)))
    fact = ids  # fact ids need not be unique

    def intervention() -> Intervention:
        return Intervention(
            id=next(pool),
            description=draw(text),
            modality=draw(text),
            format=draw(st.sampled_from(get_args(Format))),
            delivery=draw(st.sampled_from(get_args(Delivery))),
            frequency=draw(text),
            duration=draw(text),
            time_of_day=draw(st.none() | st.sampled_from(get_args(TimeOfDay))),
            responsible_role=draw(st.sampled_from(["", "Trainee therapist", "Peer specialist"]) | text),
            evidence_base=draw(text),
            linked_facts=draw(st.lists(fact, max_size=2)),
        )

    def objective() -> Objective:
        if draw(st.booleans()) and draw(st.booleans()):  # a quarter are completion objectives
            return Objective(
                id=next(pool),
                kind="completion",
                description=draw(text),
                who=draw(text),
                target_week=draw(weeks),
                target_date=draw(st.none() | st.dates()),
                linked_facts=draw(st.lists(fact, max_size=2)),
                interventions=[intervention() for _ in range(draw(st.integers(0, 2)))],
            )
        return Objective(
            id=next(pool),
            description=draw(text),
            measure=draw(measures),
            baseline=draw(numbers),
            target=draw(numbers),
            target_week=draw(weeks),
            target_date=draw(st.none() | st.dates()),
            remeasure_every_weeks=draw(st.none() | st.integers(1, 52)),
            linked_facts=draw(st.lists(fact, max_size=2)),
            interventions=[intervention() for _ in range(draw(st.integers(0, 2)))],
        )

    def goal() -> Goal:
        return Goal(
            id=next(pool),
            statement=draw(text),
            in_patient_words=draw(st.booleans()),
            patient_quote_id=draw(st.none() | fact),
            linked_facts=draw(st.lists(fact, max_size=2)),
            objectives=[objective() for _ in range(draw(st.integers(0, 2)))],
        )

    def problem() -> Problem:
        return Problem(
            id=next(pool),
            statement=draw(text),
            evidenced_by=draw(text),
            concern_ids=draw(st.lists(fact, max_size=2)),
            linked_facts=draw(st.lists(fact, max_size=2)),
            goals=[goal() for _ in range(draw(st.integers(0, 2)))],
        )

    diagnoses = draw(
        st.lists(
            st.builds(
                Diagnosis,
                label=text,
                code=st.none() | st.sampled_from(["F32.1", "F43.10", "6A70", "296.23"]) | text,
                system=st.none() | st.sampled_from(["DSM-5-TR", "ICD-10-CM", "ICD-11"]),
                provisional=st.booleans(),
            ),
            max_size=2,
        )
    )
    return TreatmentPlan(
        id=next(pool),
        case_id=draw(ids),
        title=draw(text),
        written_at_week=draw(st.integers(0, 520)),
        revised_for_events=draw(st.lists(fact, max_size=2)),
        event_revisions=[
            EventRevision(
                event_id=draw(fact),
                changed_elements=draw(st.lists(ids, max_size=2)),
                changed_sections=draw(
                    st.lists(st.sampled_from(get_args(PlanSection)), max_size=2, unique=True)
                ),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        diagnoses=diagnoses,
        problems=[problem() for _ in range(draw(st.integers(0, max_problems)))],
        deferred_concerns=[
            Deferral(id=next(pool), concern_id=draw(fact), reason=draw(text))
            for _ in range(draw(st.integers(0, 2)))
        ],
        strengths_used=[
            StrengthUse(id=next(pool), strength_id=draw(st.none() | fact), how=draw(text))
            for _ in range(draw(st.integers(0, 2)))
        ],
        barriers=[
            BarrierPlan(
                id=next(pool), barrier_id=draw(st.none() | fact), barrier=draw(text), mitigation=draw(text)
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        safety_plan=draw(text),
        discharge_criteria=[
            DischargeCriterion(id=next(pool), text=draw(text)) for _ in range(draw(st.integers(0, 2)))
        ],
        participation=draw(
            st.builds(
                Participation,
                patient_participated=st.booleans(),
                agreement_recorded=st.booleans(),
                copy_given=st.booleans(),
                note=text,
            )
        ),
        review=draw(
            st.builds(
                Review,
                review_week=weeks,
                review_date=st.none() | st.dates(),
                early_review_triggers=st.lists(text, max_size=2),
            )
        ),
        notes=draw(text),
    )
