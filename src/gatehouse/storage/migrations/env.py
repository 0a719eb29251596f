"""Alembic environment. Migrations run on a connection handed in by ``gatehouse.storage.migrate``
(sync-wrapped async connection), with batch mode so SQLite can alter tables."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo

from gatehouse.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `gatehouse db upgrade`.")

on_applied = context.config.attributes.get("on_applied")


def _applied(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]
) -> None:
    """Tell the caller (the CLI's progress bar) each revision as it is applied."""
    if on_applied is not None:
        on_applied(str(step.up_revision_id if step.is_upgrade else step.down_revision_ids))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    on_version_apply=_applied,
)
with context.begin_transaction():
    context.run_migrations()
