"""orders and consumed anonymous tokens

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 00:00:00

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("from_company_id", sa.String(length=100), nullable=False),
        sa.Column("to_company_id", sa.String(length=100), nullable=False),
        sa.Column("from_user_internal_id", sa.Integer(), nullable=True),
        sa.Column("comments", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("xp", sa.JSON(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("anonymous_order_key", sa.String(length=100), nullable=True),
        sa.Column("anonymous_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_orders_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_user_internal_id"],
            ["users.id"],
            name=op.f("fk_orders_from_user_internal_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("marketplace_id", "id", name=op.f("pk_orders")),
        sa.UniqueConstraint("marketplace_id", "anonymous_order_key", name="uq_orders_anon_key"),
    )
    op.create_index("ix_orders_from", "orders", ["marketplace_id", "from_company_id"])
    op.create_index(op.f("ix_orders_from_user_internal_id"), "orders", ["from_user_internal_id"])
    op.create_index(op.f("ix_orders_anonymous_expires_at"), "orders", ["anonymous_expires_at"])
    op.create_table(
        "consumed_anon_tokens",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("order_key", sa.String(length=100), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_consumed_anon_tokens_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "marketplace_id", "order_key", name=op.f("pk_consumed_anon_tokens")
        ),
    )
    op.create_index(
        op.f("ix_consumed_anon_tokens_expires_at"), "consumed_anon_tokens", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_table("consumed_anon_tokens")
    op.drop_table("orders")
