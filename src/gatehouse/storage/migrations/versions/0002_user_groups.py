"""user groups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:34:24.314497

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_spa_party",
        "security_profile_assignments",
        ["marketplace_id", "buyer_id", "supplier_id", "user_id"],
    )

    op.create_table(
        "user_groups",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("owner_type", sa.String(length=10), nullable=False),
        sa.Column("company_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("xp", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_user_groups_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "marketplace_id", "owner_type", "company_id", "id", name=op.f("pk_user_groups")
        ),
    )
    op.create_table(
        "user_group_assignments",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("owner_type", sa.String(length=10), nullable=False),
        sa.Column("company_id", sa.String(length=100), nullable=False),
        sa.Column("user_group_id", sa.String(length=100), nullable=False),
        sa.Column("user_internal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id", "owner_type", "company_id", "user_group_id"],
            [
                "user_groups.marketplace_id",
                "user_groups.owner_type",
                "user_groups.company_id",
                "user_groups.id",
            ],
            name="fk_user_group_assignments_group",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_internal_id"],
            ["users.id"],
            name=op.f("fk_user_group_assignments_user_internal_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "marketplace_id",
            "owner_type",
            "company_id",
            "user_group_id",
            "user_internal_id",
            name=op.f("pk_user_group_assignments"),
        ),
    )
    with op.batch_alter_table("user_group_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_group_assignments_user_internal_id"),
            ["user_internal_id"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_index("ix_spa_party", table_name="security_profile_assignments")

    with op.batch_alter_table("user_group_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_group_assignments_user_internal_id"))

    op.drop_table("user_group_assignments")
    op.drop_table("user_groups")
