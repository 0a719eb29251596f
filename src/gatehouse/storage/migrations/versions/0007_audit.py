"""audit trail

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 00:10:00

One new table, no change to existing ones. No foreign keys: an event outlives what it names.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("actor_type", sa.String(length=10), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_username", sa.String(length=100), nullable=True),
        sa.Column("actor_user_type", sa.String(length=10), nullable=True),
        sa.Column("actor_client_id", sa.String(length=36), nullable=True),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        sa.Column("user_internal_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("user_type", sa.String(length=10), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    for name, columns in (
        ("ix_audit_events_marketplace_time", ["marketplace_id", "time"]),
        ("ix_audit_events_client_time", ["marketplace_id", "client_id", "time"]),
        ("ix_audit_events_actor_client_time", ["marketplace_id", "actor_client_id", "time"]),
        ("ix_audit_events_type_time", ["marketplace_id", "event_type", "time"]),
        ("ix_audit_events_time", ["time"]),
    ):
        op.create_index(name, "audit_events", columns, unique=False)


def downgrade() -> None:
    op.drop_table("audit_events")
