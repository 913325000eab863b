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


def draft_status(latest_revision: int, submission_status: SubmissionStatus | None) -> DraftStatus:
    """Where a draft stands: its newest submission's status; with no submission, 'in_progress' once a
    revision is saved, else 'empty'. The one copy of this rule (the store's reads, a drafting session's
    saves)."""
    return submission_status or ("in_progress" if latest_revision else "empty")


Phase = Literal["drafting", "review", "debrief", "closed"]
PHASES: tuple[Phase, ...] = ("drafting", "review", "debrief", "closed")
"""A workshop only moves forward through these."""

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
    active: bool = Field(
        default=True, description="False once deactivated: their history stays, they can no longer act."
    )


class Cohort(Record):
    """A training group: its supervisors supervise its trainees."""

    id: int
    name: str
    course: str | None = Field(default=None, description="The course the cohort takes, if said.")


class CaseAssignment(Record):
    """A case set for a cohort or for one trainee (exactly one of ``cohort_id`` and ``trainee``)."""

    id: int
    case_id: str
    cohort_id: int | None = None
    trainee: str | None = None
    assigned_by: str
    assigned_at: dt.datetime
    due_on: dt.date | None = Field(default=None, description="The day the plan is due; None: no due date.")


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


class Anchor(Record):
    """Where a comment goes: a draft, one of its elements, as that draft stood in one revision.

    A group comment (the same words on every draft that made one choice) is a list of anchors, one per draft,
    each on the element that made the choice there.
    """

    draft_id: int
    element_id: str | None = Field(default=None, description="None: about the whole draft.")
    revision: int | None = Field(default=None, description="None: the draft's latest revision.")


class Workshop(Record):
    """A workshop as the asking person may see it."""

    id: int
    title: str
    case_id: str
    cohort_id: int | None = Field(description="Members of this cohort may join without the code.")
    join_code: str | None = Field(
        description="Shown to supervisors only; None for trainees and for cohort-only workshops."
    )
    facilitator: str
    phase: Phase
    created_at: dt.datetime
    ends_at: dt.datetime | None = Field(
        default=None, description="End of drafting time (advisory countdown)."
    )
    review_opened_at: dt.datetime | None = None
    debrief_opened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    joined: bool = Field(default=False, description="Whether the asking person has joined.")
    my_draft_id: int | None = Field(
        default=None, description="The asking trainee's workshop draft, once joined."
    )
    participants: int = Field(default=0, description="How many trainees have joined.")


class WorkshopProgress(Record):
    """One participant's row on the facilitator's board."""

    trainee: str
    display_name: str
    joined_at: dt.datetime
    draft_id: int | None
    status: DraftStatus
    latest_revision: int = Field(description="0 while nothing has been saved.")
    last_saved_at: dt.datetime | None
    submitted: bool = Field(description="Handed in (waiting, returned or accepted) at least once.")


class Exemplar(Record):
    """A draft the facilitator holds up in the debrief, at the revision it was picked."""

    id: int
    workshop_id: int
    draft_id: int
    owner: str
    revision: int
    note: str
    picked_by: str
    picked_at: dt.datetime


class RosterEntry(Record):
    """One checked row of a roster file: who, in which role, in which cohorts (by name)."""

    line: int = Field(description="Where the row is in its file (for messages).")
    username: str
    display_name: str
    role: Role
    is_admin: bool = False
    cohorts: tuple[str, ...] = ()


class RosterResult(Record):
    """What importing a roster changed (nothing, the second time)."""

    people_added: tuple[str, ...] = ()
    names_updated: tuple[str, ...] = ()
    cohorts_added: tuple[str, ...] = ()
    memberships_added: tuple[tuple[str, str], ...] = Field(default=(), description="(cohort, username)")
    kept_deactivated: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.people_added or self.names_updated or self.cohorts_added or self.memberships_added)


class PlanStatus(Record):
    """One assigned case of one trainee, and where their plan for it stands ("My plans")."""

    trainee: str
    display_name: str
    active: bool = True
    case_id: str
    due_on: dt.date | None = None
    cohorts: tuple[str, ...] = Field(default=(), description="Cohorts the case was set through.")
    draft_id: int | None = Field(default=None, description="None: not started.")
    latest_revision: int = 0
    status: DraftStatus = "empty"
    last_saved_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = Field(default=None, description="Of the newest submission.")
    decided_at: dt.datetime | None = None
    new_feedback: int = Field(
        default=0,
        description="Comments and scores the trainee can read, written since their newest save.",
    )


class ScorePoint(Record):
    """One criterion's level for one revision of one trainee's draft (the mean of its raters' scores)."""

    trainee: str
    display_name: str
    case_id: str
    draft_id: int
    revision: int
    revised_at: dt.datetime = Field(description="When that revision was saved.")
    rubric_id: str
    criterion_id: str
    score: float
    raters: int
