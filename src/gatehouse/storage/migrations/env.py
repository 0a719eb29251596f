"""Alembic environment. Migrations run on a connection handed in by ``gatehouse.storage.migrate``
(sync-wrapped async connection), with batch mode so SQLite can alter tables."""

from __future__ import annotations

from alembic import context

from gatehouse.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `gatehouse db upgrade`.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
