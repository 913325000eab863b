"""Course administration: deactivated people, cohorts' courses, due dates of case assignments.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-30

Three new columns, nullable or with a default; no row is rewritten. Everyone already stored stays active,
cohorts have no course and assignments no due date until an admin sets them. Plain ALTER TABLE ... ADD
COLUMN (no batch rebuild on SQLite): people, cohorts and case assignments are referenced by other tables.
``down_revision`` is the only line that names the revision before this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS: tuple[tuple[str, sa.Column[Any]], ...] = (
    ("people", sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False)),
    ("cohorts", sa.Column("course", sa.String(length=500), nullable=True)),
    ("case_assignments", sa.Column("due_on", sa.Date(), nullable=True)),
)


def upgrade() -> None:
    for table, column in _COLUMNS:
        op.add_column(table, column)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in reversed(_COLUMNS):
        if sqlite:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")  # SQLite >= 3.35, no table rebuild
        else:
            op.drop_column(table, column.name)
