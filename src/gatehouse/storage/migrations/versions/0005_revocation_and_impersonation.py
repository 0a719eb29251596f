"""token revocation thresholds and impersonation configs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 23:55:00

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default: no table rewrite on either database.
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("tokens_valid_from", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.add_column(
            sa.Column("tokens_valid_from", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "impersonation_configs",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("impersonation_buyer_id", sa.String(length=100), nullable=False),
        sa.Column("impersonation_group_id", sa.String(length=100), nullable=False),
        sa.Column("impersonation_user_id", sa.String(length=100), nullable=False),
        sa.Column("buyer_id", sa.String(length=100), nullable=False),
        sa.Column("group_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("security_profile_id", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_impersonation_configs_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("marketplace_id", "id", name=op.f("pk_impersonation_configs")),
    )


def downgrade() -> None:
    op.drop_table("impersonation_configs")
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.drop_column("tokens_valid_from")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("tokens_valid_from")
