"""Small, frozen records the store hands back (besides the model's plans, annotations and scores).

They are read-only snapshots: changing one changes nothing in the database; ask the store instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["trainee", "supervisor"]
DraftStatus = Literal["empty", "in_progress", "submitted", "returned", "accepted"]
SubmissionStatus = Literal["submitted", "returned", "accepted"]

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$"
"""JupyterHub usernames: letters, digits and . _ @ + - (an email address works)."""


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(Record):
    """Someone who uses the toolkit, known by their JupyterHub username."""

    username: str = Field(description="Login name; unique.")
    display_name: str = Field(description="How the person is shown to others.")
    role: Role = Field(
        description="trainee: writes plans; supervisor: reads their cohort's plans and gives feedback."
    )
    is_admin: bool = Field(
        default=False, description="May add people and cohorts and assign cases (supervisors only)."
    )


class Cohort(Record):
    """A training group: its supervisors supervise its trainees."""

    id: int
    name: str


class CaseAssignment(Record):
    """A case set for a cohort or for one trainee (exactly one of ``cohort_id`` and ``trainee``)."""

    id: int
    case_id: str
    cohort_id: int | None = None
    trainee: str | None = None
    assigned_by: str
    assigned_at: dt.datetime


class DraftSummary(Record):
    """One trainee's plan for one case, without the plan itself."""

    id: int
    owner: str = Field(description="Username of the trainee whose plan this is.")
    case_id: str
    workshop_id: int | None = Field(
        default=None, description="Reserved for live workshops; None for coursework."
    )
    latest_revision: int = Field(description="0 while nothing has been saved.")
    status: DraftStatus
    created_at: dt.datetime
    updated_at: dt.datetime


class RevisionInfo(Record):
    """One save of a draft. Revisions are numbered 1, 2, 3... per draft and never change."""

    draft_id: int
    number: int
    based_on: int = Field(description="The revision the writer started from (0: a blank plan).")
    author: str
    created_at: dt.datetime
    size_bytes: int = Field(description="Size of the stored plan JSON.")


class Submission(Record):
    """A revision handed in for supervision and what the supervisor decided."""

    id: int
    draft_id: int
    revision: int
    status: SubmissionStatus
    submitted_by: str
    submitted_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
