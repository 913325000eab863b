"""Supervisors' 'not applicable here' decisions on critique findings (finding_dismissals).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29

A new table only; no stored plan is rewritten. Plans saved before objective kinds and event records load
unchanged (an objective without a kind is measured; a plan without event records is taken at its word), so no
data migration is needed (see docs/store.md). Row-level security for the table is installed by ``itp db
secure`` with the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "finding_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("element_id", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("released", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author"], ["people.username"], name=op.f("fk_finding_dismissals_author_people")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_finding_dismissals_draft_id_drafts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_dismissals")),
    )
    with op.batch_alter_table("finding_dismissals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_dismissals_draft_id"), ["draft_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("finding_dismissals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_dismissals_draft_id"))
    op.drop_table("finding_dismissals")
