"""Initial schema: people, cohorts, assignments, drafts, append-only revisions, feedback.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Revisions are the record of a trainee's work: nothing may change or remove one, whoever asks.
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
       BEGIN SELECT RAISE(ABORT, 'revisions are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
       BEGIN SELECT RAISE(ABORT, 'revisions are append-only: DELETE refused'); END""",
]
_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION itp_refuse_revision_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'revisions are append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
       END $$""",
    """CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions
       FOR EACH ROW EXECUTE FUNCTION itp_refuse_revision_change()""",
    """CREATE TRIGGER revisions_append_only_truncate BEFORE TRUNCATE ON revisions
       FOR EACH STATEMENT EXECUTE FUNCTION itp_refuse_revision_change()""",
]


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRES_TRIGGERS:
        op.execute(statement)


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER revisions_append_only_update")
        op.execute("DROP TRIGGER revisions_append_only_delete")
    else:
        op.execute("DROP TRIGGER revisions_append_only ON revisions")
        op.execute("DROP TRIGGER revisions_append_only_truncate ON revisions")
        op.execute("DROP FUNCTION itp_refuse_revision_change()")


def upgrade() -> None:
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("name", name=op.f("uq_cohorts_name")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=500), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("NOT (is_admin AND role = 'trainee')", name=op.f("ck_people_admin_is_supervisor")),
        sa.CheckConstraint("role IN ('trainee', 'supervisor')", name=op.f("ck_people_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("username", name=op.f("uq_people_username")),
    )
    op.create_table(
        "case_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("trainee", sa.String(length=100), nullable=True),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(cohort_id IS NULL) <> (trainee IS NULL)", name=op.f("ck_case_assignments_cohort_or_trainee")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["people.username"], name=op.f("fk_case_assignments_assigned_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_case_assignments_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["trainee"], ["people.username"], name=op.f("fk_case_assignments_trainee_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignments")),
        sa.UniqueConstraint(
            "case_id", "cohort_id", "trainee", name=op.f("uq_case_assignments_case_id_cohort_id_trainee")
        ),
    )
    op.create_index(op.f("ix_case_assignments_case_id"), "case_assignments", ["case_id"], unique=False)

    op.create_table(
        "cohort_members",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_cohort_members_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["username"], ["people.username"], name=op.f("fk_cohort_members_username_people")
        ),
        sa.PrimaryKeyConstraint("cohort_id", "username", name=op.f("pk_cohort_members")),
    )
    op.create_index(op.f("ix_cohort_members_username"), "cohort_members", ["username"], unique=False)

    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner"], ["people.username"], name=op.f("fk_drafts_owner_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint(
            "owner", "case_id", "workshop_id", name=op.f("uq_drafts_owner_case_id_workshop_id")
        ),
    )
    op.create_index(op.f("ix_drafts_case_id"), "drafts", ["case_id"], unique=False)
    op.create_index(op.f("ix_drafts_owner"), "drafts", ["owner"], unique=False)
    op.create_index(
        "uq_drafts_owner_case_no_workshop",
        "drafts",
        ["owner", "case_id"],
        unique=True,
        sqlite_where=sa.text("workshop_id IS NULL"),
        postgresql_where=sa.text("workshop_id IS NULL"),
    )

    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=64), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(length=500), server_default="", nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("released", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author"], ["people.username"], name=op.f("fk_annotations_author_people")),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_annotations_draft_id_drafts")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["annotations.id"], name=op.f("fk_annotations_parent_id_annotations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
    )
    op.create_index(op.f("ix_annotations_draft_id"), "annotations", ["draft_id"], unique=False)

    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("plan_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("based_on >= 0 AND based_on < number", name=op.f("ck_revisions_based_on_earlier")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_revisions_number_positive")),
        sa.ForeignKeyConstraint(["author"], ["people.username"], name=op.f("fk_revisions_author_people")),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_revisions_draft_id_drafts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        sa.UniqueConstraint("draft_id", "number", name=op.f("uq_revisions_draft_id_number")),
    )
    op.create_table(
        "rubric_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.String(length=64), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("rater", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("released", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 4", name=op.f("ck_rubric_scores_score_1_to_4")),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_rubric_scores_draft_id_drafts")),
        sa.ForeignKeyConstraint(["rater"], ["people.username"], name=op.f("fk_rubric_scores_rater_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric_scores")),
        sa.UniqueConstraint(
            "draft_id",
            "revision",
            "rubric_id",
            "criterion_id",
            "rater",
            name=op.f("uq_rubric_scores_draft_id_revision_rubric_id_criterion_id_rater"),
        ),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('submitted', 'returned', 'accepted')", name=op.f("ck_submissions_status")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["people.username"], name=op.f("fk_submissions_decided_by_people")
        ),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_submissions_draft_id_drafts")),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["people.username"], name=op.f("fk_submissions_submitted_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    op.create_index(op.f("ix_submissions_draft_id"), "submissions", ["draft_id"], unique=False)
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_index(op.f("ix_submissions_draft_id"), "submissions")

    op.drop_table("submissions")
    op.drop_table("rubric_scores")
    op.drop_table("revisions")
    op.drop_index(op.f("ix_annotations_draft_id"), "annotations")

    op.drop_table("annotations")
    op.drop_index(
        "uq_drafts_owner_case_no_workshop",
        "drafts",
        sqlite_where=sa.text("workshop_id IS NULL"),
        postgresql_where=sa.text("workshop_id IS NULL"),
    )
    op.drop_index(op.f("ix_drafts_owner"), "drafts")
    op.drop_index(op.f("ix_drafts_case_id"), "drafts")

    op.drop_table("drafts")
    op.drop_index(op.f("ix_cohort_members_username"), "cohort_members")

    op.drop_table("cohort_members")
    op.drop_index(op.f("ix_case_assignments_case_id"), "case_assignments")

    op.drop_table("case_assignments")
    op.drop_table("people")
    op.drop_table("cohorts")
