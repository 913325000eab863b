"""Pure domain types: case study, treatment plan, measures, annotations and rubrics. No I/O here."""

from .annotation import Annotation, AnnotationTag, Rubric, RubricCriterion, RubricLevel, RubricScore
from .case import (
    Barrier,
    CaseStudy,
    Demographics,
    MeasurePoint,
    PresentingConcern,
    Quote,
    RiskSummary,
    Strength,
    TimelineEvent,
)
from .ids import new_id
from .plan import (
    BarrierPlan,
    Deferral,
    Diagnosis,
    DischargeCriterion,
    Goal,
    Intervention,
    Objective,
    Participation,
    PlanElement,
    Problem,
    Review,
    StrengthUse,
    TreatmentPlan,
)

__all__ = [
    "Annotation", "AnnotationTag", "Barrier", "BarrierPlan", "CaseStudy", "Deferral", "Demographics",
    "Diagnosis", "DischargeCriterion", "Goal", "Intervention", "MeasurePoint", "Objective", "Participation",
    "PlanElement", "PresentingConcern", "Problem", "Quote", "Review", "RiskSummary", "Rubric",
    "RubricCriterion", "RubricLevel", "RubricScore", "Strength", "StrengthUse", "TimelineEvent",
    "TreatmentPlan", "new_id",
]
