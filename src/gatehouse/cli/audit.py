"""``gatehouse audit list`` and ``gatehouse audit purge``: the audit trail from the server
machine, straight from the database (no token needed)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Annotated, Any

import typer
from sqlalchemy import or_, select

from gatehouse.domain.audit import StoredEvent
from gatehouse.domain.clock import SystemClock
from gatehouse.domain.ids import normalize_client_id
from gatehouse.services.audit import parse_instant, purge
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.audit import to_domain
from gatehouse.storage.db import Database
from gatehouse.storage.models import AuditEventRow

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides GATEHOUSE_DATABASE_URL.", show_default=False),
]
MAX_LIMIT = 10_000


def _settings(database_url: str | None) -> Settings:
    return Settings(database_url=database_url) if database_url else Settings()


@audit_app.command("list")
def audit_list(
    client_id: Annotated[str | None, typer.Option("--client-id")] = None,
    event_type: Annotated[str | None, typer.Option("--event-type")] = None,
    marketplace_id: Annotated[str | None, typer.Option("--marketplace-id")] = None,
    since: Annotated[str | None, typer.Option("--from", help="ISO 8601")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_LIMIT)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """The newest events first, across marketplaces unless --marketplace-id is given."""
    start = None
    if since is not None:
        start = parse_instant(since)
        if start is None:
            typer.echo("error: --from must be an ISO 8601 date or date-time", err=True)
            raise typer.Exit(2)
    url = _settings(database_url).effective_database_url
    events = asyncio.run(_list(url, client_id, event_type, marketplace_id, start, limit))
    for stored in events:
        typer.echo(json.dumps(as_dict(stored)) if as_json else _line(stored))


async def _list(
    url: str,
    client_id: str | None,
    event_type: str | None,
    marketplace_id: str | None,
    since: Any,
    limit: int,
) -> list[StoredEvent]:
    await migrate.upgrade(url)
    db = Database(url)
    row = AuditEventRow
    stmt = select(row).order_by(row.time.desc(), row.id.desc()).limit(limit)
    if client_id:
        key = normalize_client_id(client_id)
        stmt = stmt.where(or_(row.client_id == key, row.actor_client_id == key))
    if event_type:
        stmt = stmt.where(row.event_type == event_type)
    if marketplace_id:
        stmt = stmt.where(row.marketplace_id == marketplace_id)
    if since is not None:
        stmt = stmt.where(row.time >= since)
    try:
        async with db.read() as session:
            return [to_domain(r) for r in (await session.scalars(stmt)).all()]
    finally:
        await db.dispose()


@audit_app.command("purge")
def audit_purge(
    retention_days: Annotated[
        int | None,
        typer.Option("--retention-days", min=1, help="GATEHOUSE_AUDIT_RETENTION_DAYS (90)"),
    ] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Delete events older than the retention period, in batches."""
    settings = _settings(database_url)
    days = retention_days or settings.audit_retention_days
    deleted = asyncio.run(_purge(settings.effective_database_url, days))
    typer.echo(f"deleted {deleted} audit events older than {days} days")


async def _purge(url: str, days: int) -> int:
    await migrate.upgrade(url)
    db = Database(url)
    try:
        return await purge(db, SystemClock(), timedelta(days=days))
    finally:
        await db.dispose()


def as_dict(stored: StoredEvent) -> dict[str, Any]:
    event = stored.event
    actor = event.actor
    user = event.user
    return {
        "ID": stored.id,
        "Time": stored.time.isoformat(),
        "MarketplaceID": event.marketplace_id,
        "EventType": event.event_type,
        "ClientID": event.client_id,
        "Actor": {
            "Type": actor.kind,
            "Username": actor.username,
            "UserType": actor.user_type,
            "ClientID": actor.client_id,
        },
        "User": None if user is None else {"Username": user.username, "UserType": user.user_type},
        "Details": dict(event.details),
    }


def _line(stored: StoredEvent) -> str:
    event = stored.event
    who = event.actor.username or event.actor.kind
    user = f" user={event.user.username}" if event.user is not None else ""
    details = json.dumps(dict(event.details), sort_keys=True) if event.details else ""
    return (
        f"{stored.time.isoformat()} {event.event_type} marketplace={event.marketplace_id} "
        f"client={event.client_id} actor={who}{user} {details}"
    ).rstrip()
