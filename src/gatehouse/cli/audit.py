"""``gatehouse audit list`` and ``gatehouse audit purge``: the audit trail from the server
machine, straight from the database (no token needed)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

import typer

from gatehouse.cli.common import (
    EXIT_USAGE,
    DatabaseOpt,
    JsonOpt,
    MarketplaceOpt,
    emit,
    fail,
    load_settings,
    progress,
    run,
    run_services,
)
from gatehouse.domain.audit import AuditQuery, StoredEvent
from gatehouse.domain.clock import SystemClock
from gatehouse.services.audit import parse_instant, purge, purgeable
from gatehouse.storage.db import Database

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
MAX_LIMIT = 10_000


@audit_app.command("list")
def audit_list(
    client_id: Annotated[str | None, typer.Option("--client-id")] = None,
    event_type: Annotated[str | None, typer.Option("--event-type")] = None,
    marketplace_id: MarketplaceOpt = None,
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
            fail("--from must be an ISO 8601 date or date-time", EXIT_USAGE)
    query = AuditQuery(client_id, event_type, marketplace_id, start, limit)
    settings = load_settings(database_url=database_url)
    events = run_services(settings, lambda services: services.inventory.recent_events(query))
    for stored in events:
        typer.echo(json.dumps(as_dict(stored)) if as_json else _line(stored))


@audit_app.command("purge")
def audit_purge(
    retention_days: Annotated[
        int | None,
        typer.Option("--retention-days", min=1, help="GATEHOUSE_AUDIT_RETENTION_DAYS (90)"),
    ] = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Delete events older than the retention period, in batches (with a progress bar)."""
    settings = load_settings(database_url=database_url)
    days = retention_days or settings.audit_retention_days
    deleted = run(settings, lambda db: _purge(db, days, as_json))
    if as_json:
        emit({"Deleted": deleted, "RetentionDays": days}, True)
    else:
        typer.echo(f"deleted {deleted} audit events older than {days} days")


async def _purge(db: Database, days: int, quiet: bool) -> int:
    retention = timedelta(days=days)
    total = await purgeable(db, SystemClock(), retention)
    with progress("purging audit events", total, quiet=quiet) as advance:
        return await purge(db, SystemClock(), retention, on_batch=advance)


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
