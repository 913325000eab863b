"""Supervisors' annotations and rubric scores.

An annotation anchors to a plan element id (or to the whole draft when ``element_id`` is None) and records
the revision it was written on; because element ids are permanent, it stays on its element as the draft is
revised. A rubric is data (YAML), so a programme can use its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from .base import ElementId, LongText, ModelBase, ShortText

AnnotationTag = Literal["strength", "concern", "question", "risk", "cultural"]


class Annotation(ModelBase):
    """A supervisor's comment on one choice in one draft."""

    id: int | None = None
    draft_id: int
    element_id: ElementId | None = Field(default=None, description="None: about the whole draft.")
    revision: int = Field(ge=1, description="Revision number the comment was written on.")
    author: ShortText
    body: LongText = Field(min_length=1)
    tags: list[AnnotationTag] = Field(default_factory=list)
    parent_id: int | None = Field(default=None, description="The annotation this replies to.")
    resolved: bool = False
    released: bool = False
    created_at: dt.datetime | None = None


class Dismissal(ModelBase):
    """A supervisor's decision that one critique finding does not apply to this plan, with the reason.

    It is part of the feedback on the draft: the trainee sees it (with the reason) once feedback is released.
    A finding is matched by its rule, the element it is about and, for whole-plan findings, the case fact it
    is about, so the decision holds across revisions for as long as that finding would be raised.
    """

    id: int | None = None
    draft_id: int
    revision: int = Field(ge=1, description="Revision the decision was made on.")
    rule: ShortText = Field(description="The critique rule, e.g. 'feasibility.transport_in_person'.")
    element_id: ElementId | None = Field(default=None, description="None: a finding about the whole plan.")
    subject: ShortText | None = Field(
        default=None,
        description="The case fact a whole-plan finding is about (a concern, a barrier, an event).",
    )
    reason: LongText = Field(min_length=1, description="Why it does not apply here, for the trainee to read.")
    author: ShortText
    released: bool = False
    created_at: dt.datetime | None = None

    def matches(self, finding: object) -> bool:
        """True when ``finding`` (a critique Finding) is the one this decision is about."""
        return (
            getattr(finding, "rule", None) == self.rule
            and getattr(finding, "element_id", None) == self.element_id
            and getattr(finding, "subject", None) == self.subject
        )


class RubricLevel(ModelBase):
    score: int = Field(ge=1, le=4)
    descriptor: ShortText


class RubricCriterion(ModelBase):
    id: ElementId
    title: ShortText
    description: ShortText
    levels: list[RubricLevel] = Field(min_length=4, max_length=4)
    related_rules: list[ShortText] = Field(
        default_factory=list, description="Critique rule prefixes offered as evidence."
    )

    @model_validator(mode="after")
    def _levels_one_to_four(self) -> RubricCriterion:
        if sorted(level.score for level in self.levels) != [1, 2, 3, 4]:
            raise ValueError("levels must describe scores 1, 2, 3 and 4 once each")
        return self


class Rubric(ModelBase):
    id: ElementId
    title: ShortText
    competent_at: int = Field(default=3, ge=1, le=4)
    criteria: list[RubricCriterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _criteria_unique(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        if len(ids) != len(set(ids)):
            raise ValueError("criterion ids must be unique")
        return self


class RubricScore(ModelBase):
    """One rater's score of one draft revision on one criterion."""

    draft_id: int
    revision: int = Field(ge=1)
    rubric_id: ElementId
    criterion_id: ElementId
    rater: ShortText
    score: int = Field(ge=1, le=4)
    comment: ShortText = ""
    released: bool = False
