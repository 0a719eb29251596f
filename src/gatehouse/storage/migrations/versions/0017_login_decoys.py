"""login decoys: the same write for a wrong password whether or not the user exists

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07 04:10:00

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DECOYS = 64  # gatehouse.storage.queries.login_failures.DECOYS


def upgrade() -> None:
    table = op.create_table(
        "login_decoys",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("failed_login_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_decoys")),
    )
    op.bulk_insert(
        table, [{"id": n, "failed_login_attempts": 0, "locked_until": None} for n in range(DECOYS)]
    )


def downgrade() -> None:
    op.drop_table("login_decoys")
