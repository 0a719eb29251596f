"""Buyer.DefaultCatalogID and Supplier.AllBuyersCanOrder

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 21:40:00

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("buyers") as batch_op:
        batch_op.add_column(sa.Column("default_catalog_id", sa.String(length=100), nullable=True))
    with op.batch_alter_table("suppliers") as batch_op:
        batch_op.add_column(
            sa.Column(
                "all_buyers_can_order", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("suppliers") as batch_op:
        batch_op.drop_column("all_buyers_can_order")
    with op.batch_alter_table("buyers") as batch_op:
        batch_op.drop_column("default_catalog_id")
