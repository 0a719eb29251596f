"""per-client and per-marketplace rate limits

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 00:10:00

Two new tables only (no change to existing ones), so older processes keep working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _limit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("token_per_minute", sa.Integer(), nullable=True),
        sa.Column("token_burst", sa.Integer(), nullable=True),
        sa.Column("api_per_minute", sa.Integer(), nullable=True),
        sa.Column("api_burst", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "client_rate_limits",
        *_limit_columns(),
        sa.Column("api_client_id", sa.String(length=36), nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_client_rate_limits_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("api_client_id", name=op.f("pk_client_rate_limits")),
    )
    op.create_index(
        op.f("ix_client_rate_limits_marketplace_id"),
        "client_rate_limits",
        ["marketplace_id"],
        unique=False,
    )
    op.create_table(
        "marketplace_rate_limits",
        *_limit_columns(),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_marketplace_rate_limits_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("marketplace_id", name=op.f("pk_marketplace_rate_limits")),
    )


def downgrade() -> None:
    op.drop_table("marketplace_rate_limits")
    op.drop_index(op.f("ix_client_rate_limits_marketplace_id"), table_name="client_rate_limits")
    op.drop_table("client_rate_limits")
