"""The database tables, as SQLAlchemy 2 ORM classes.

This module is the *target* of the Alembic migrations in ``itp_toolkit/migrations``; a test checks that the
two agree (autogenerate finds no difference). Change a table here only together with a new migration.

Rules the database itself enforces (so that no front end, and no code in a user's kernel, can skip them):
- revisions are append-only: triggers refuse UPDATE and DELETE (see the first migration);
- one draft per trainee x case outside workshops, and one per participant per workshop (its case);
- roles, submission statuses and scores 1-4 are CHECK constraints.
Every draft row carries its owner's username, so per-user PostgreSQL roles with row-level security can be
added later without reshaping the data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

USERNAME_LEN = 100
NAME_LEN = 500
ELEMENT_ID_LEN = 64
RULE_ID_LEN = 100

# Deterministic constraint names: SQLite can only change constraints by rebuilding a table (Alembic "batch"
# mode), which needs to know them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment in UTC. SQLite has no time zones, so we store UTC and hand back aware datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the store's clock must return timezone-aware datetimes")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PersonRow(Base):
    """A trainee or a supervisor, known by the username JupyterHub gives them."""

    __tablename__ = "people"
    __table_args__ = (
        Index("uq_people_db_role", "db_role", unique=True),
        CheckConstraint("role IN ('trainee', 'supervisor')", name="role"),
        CheckConstraint("NOT (is_admin AND role = 'trainee')", name="admin_is_supervisor"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LEN), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_LEN))
    role: Mapped[str] = mapped_column(String(20))
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    db_role: Mapped[str | None] = mapped_column(String(63))
    """The PostgreSQL login role this person connects as (``itp db grant``); row-level security maps
    ``current_user`` back to the person through it. NULL on SQLite and for people without their own role."""
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    """False once deactivated: the person's drafts and feedback stay, but they can no longer act."""


class CohortRow(Base):
    """A training group (a class, a placement year); a deployment has several."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    course: Mapped[str | None] = mapped_column(String(NAME_LEN))
    """The course the cohort takes (several courses share one deployment); NULL: not said."""


class CohortMemberRow(Base):
    """A person in a cohort. A supervisor in a cohort supervises its trainees (and reads their drafts)."""

    __tablename__ = "cohort_members"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("people.username"), primary_key=True, index=True)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CaseAssignmentRow(Base):
    """A case set for a whole cohort or for one trainee."""

    __tablename__ = "case_assignments"
    __table_args__ = (
        CheckConstraint("(cohort_id IS NULL) <> (trainee IS NULL)", name="cohort_or_trainee"),
        UniqueConstraint("case_id", "cohort_id", "trainee"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(ELEMENT_ID_LEN), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"))
    trainee: Mapped[str | None] = mapped_column(ForeignKey("people.username"))
    assigned_by: Mapped[str] = mapped_column(ForeignKey("people.username"))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    """The day the plan is due (a calendar date, no time zone); NULL: no due date."""


class DraftRow(Base):
    """One trainee's plan for one case: the container its revisions hang from.

    ``workshop_id`` is for the later workshop feature (the same case planned again in a live session);
    until then it is NULL, and the partial unique index keeps one draft per owner x case.
    """

    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("owner", "case_id", "workshop_id"),
        Index(
            "uq_drafts_owner_case_no_workshop",
            "owner",
            "case_id",
            unique=True,
            sqlite_where=text("workshop_id IS NULL"),
            postgresql_where=text("workshop_id IS NULL"),
        ),
        Index(  # one draft per participant per workshop (migration 0007)
            "uq_drafts_owner_workshop",
            "owner",
            "workshop_id",
            unique=True,
            sqlite_where=text("workshop_id IS NOT NULL"),
            postgresql_where=text("workshop_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(ForeignKey("people.username"), index=True)
    case_id: Mapped[str] = mapped_column(String(ELEMENT_ID_LEN), index=True)
    workshop_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RevisionRow(Base):
    """One save of a draft. Append-only: never updated, never deleted (triggers refuse it)."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("based_on >= 0 AND based_on < number", name="based_on_earlier"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    number: Mapped[int] = mapped_column(Integer)
    based_on: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(ForeignKey("people.username"))
    plan_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SubmissionRow(Base):
    """A revision handed in for supervision, and what became of it."""

    __tablename__ = "submissions"
    __table_args__ = (CheckConstraint("status IN ('submitted', 'returned', 'accepted')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    submitted_by: Mapped[str] = mapped_column(ForeignKey("people.username"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("people.username"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AnnotationRow(Base):
    """A supervisor's comment anchored to a plan element id and the revision it was written on."""

    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str | None] = mapped_column(String(ELEMENT_ID_LEN))
    author: Mapped[str] = mapped_column(ForeignKey("people.username"))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(NAME_LEN), server_default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id"))
    resolved: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    released: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class FindingDismissalRow(Base):
    """A supervisor's 'not applicable here' on one critique finding of a draft, with the reason: part of the
    feedback (the trainee sees it once released). Withdrawing keeps the row and marks it withdrawn."""

    __tablename__ = "finding_dismissals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(RULE_ID_LEN))
    element_id: Mapped[str | None] = mapped_column(String(ELEMENT_ID_LEN))
    subject: Mapped[str | None] = mapped_column(String(ELEMENT_ID_LEN))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(ForeignKey("people.username"))
    released: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    withdrawn: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RubricScoreRow(Base):
    """One rater's 1-4 score of one revision on one rubric criterion."""

    __tablename__ = "rubric_scores"
    __table_args__ = (
        UniqueConstraint("draft_id", "revision", "rubric_id", "criterion_id", "rater"),
        CheckConstraint("score BETWEEN 1 AND 4", name="score_1_to_4"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    revision: Mapped[int] = mapped_column(Integer)
    rubric_id: Mapped[str] = mapped_column(String(ELEMENT_ID_LEN))
    criterion_id: Mapped[str] = mapped_column(String(ELEMENT_ID_LEN))
    rater: Mapped[str] = mapped_column(ForeignKey("people.username"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, server_default="")
    released: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


WORKSHOP_PHASES = ("drafting", "review", "debrief", "closed")
"""A workshop only moves forward through these."""
JOIN_CODE_LEN = 16


class WorkshopRow(Base):
    """A live session: a facilitator sets one case, trainees draft it blind, then review and debrief together.

    Drafts made in a workshop carry its id in ``drafts.workshop_id`` (no foreign key there: adding one would
    mean rebuilding the drafts table on SQLite; the store checks it, and row-level security on PostgreSQL).
    """

    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint("phase IN ('drafting', 'review', 'debrief', 'closed')", name="phase"),
        Index("uq_workshops_join_code", "join_code", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(NAME_LEN))
    case_id: Mapped[str] = mapped_column(String(ELEMENT_ID_LEN))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"))
    join_code: Mapped[str | None] = mapped_column(String(JOIN_CODE_LEN))
    facilitator: Mapped[str] = mapped_column(ForeignKey("people.username"))
    phase: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    review_opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    debrief_opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WorkshopParticipantRow(Base):
    """A trainee who joined a workshop, and how (the code they typed, or NULL: as a member of its cohort)."""

    __tablename__ = "workshop_participants"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("people.username"), primary_key=True, index=True)
    code_used: Mapped[str | None] = mapped_column(String(JOIN_CODE_LEN))
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class WorkshopExemplarRow(Base):
    """A draft the facilitator holds up in the debrief, pinned to the revision it was picked at."""

    __tablename__ = "workshop_exemplars"
    __table_args__ = (UniqueConstraint("workshop_id", "draft_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    revision: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, server_default="")
    picked_by: Mapped[str] = mapped_column(ForeignKey("people.username"))
    picked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
