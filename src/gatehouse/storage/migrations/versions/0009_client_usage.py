"""per-client usage counts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 00:10:00

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_usage",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "marketplace_id", "client_id", "minute", "kind", "label", name=op.f("pk_client_usage")
        ),
    )
    op.create_index(op.f("ix_client_usage_minute"), "client_usage", ["minute"], unique=False)
    op.create_table(
        "client_last_used",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("marketplace_id", "client_id", name=op.f("pk_client_last_used")),
    )


def downgrade() -> None:
    op.drop_table("client_last_used")
    op.drop_index(op.f("ix_client_usage_minute"), table_name="client_usage")
    op.drop_table("client_usage")
