"""Workshops (live sessions on one case) and people.db_role (per-user PostgreSQL roles).

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01

Only tables and columns: the PostgreSQL roles, grants and row-level security policies are installed by
``itp db secure`` (``itp_toolkit/store/db_security.py``), because role names are chosen per deployment and
creating roles needs more power than the schema owner should have.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("join_code", sa.String(length=16), nullable=True),
        sa.Column("facilitator", sa.String(length=100), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("debrief_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "phase IN ('drafting', 'review', 'debrief', 'closed')", name=op.f("ck_workshops_phase")
        ),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name=op.f("fk_workshops_cohort_id_cohorts")),
        sa.ForeignKeyConstraint(
            ["facilitator"], ["people.username"], name=op.f("fk_workshops_facilitator_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshops")),
    )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.create_index("uq_workshops_join_code", ["join_code"], unique=True)

    op.create_table(
        "workshop_exemplars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("picked_by", sa.String(length=100), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_workshop_exemplars_draft_id_drafts")
        ),
        sa.ForeignKeyConstraint(
            ["picked_by"], ["people.username"], name=op.f("fk_workshop_exemplars_picked_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name=op.f("fk_workshop_exemplars_workshop_id_workshops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_exemplars")),
        sa.UniqueConstraint(
            "workshop_id", "draft_id", name=op.f("uq_workshop_exemplars_workshop_id_draft_id")
        ),
    )
    with op.batch_alter_table("workshop_exemplars", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workshop_exemplars_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "workshop_participants",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("code_used", sa.String(length=16), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["people.username"], name=op.f("fk_workshop_participants_username_people")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name=op.f("fk_workshop_participants_workshop_id_workshops")
        ),
        sa.PrimaryKeyConstraint("workshop_id", "username", name=op.f("pk_workshop_participants")),
    )
    with op.batch_alter_table("workshop_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workshop_participants_username"), ["username"], unique=False)

    # Plain ALTER TABLE ... ADD COLUMN (no batch rebuild): people is referenced by every other table.
    op.add_column("people", sa.Column("db_role", sa.String(length=63), nullable=True))
    op.create_index("uq_people_db_role", "people", ["db_role"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_people_db_role", "people")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE people DROP COLUMN db_role")  # SQLite >= 3.35, no table rebuild
    else:
        op.drop_column("people", "db_role")

    with op.batch_alter_table("workshop_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_participants_username"))

    op.drop_table("workshop_participants")
    with op.batch_alter_table("workshop_exemplars", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_exemplars_workshop_id"))

    op.drop_table("workshop_exemplars")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_index("uq_workshops_join_code")

    op.drop_table("workshops")
