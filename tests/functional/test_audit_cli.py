"""``gatehouse audit list`` and ``gatehouse audit purge`` against a database of their own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from gatehouse.domain.audit import APICLIENT_CREATED, AuditEvent
from gatehouse.settings import Settings
from gatehouse.storage.audit import record
from gatehouse.storage.db import Database
from tests.support.server import gatehouse

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def _old_event(url: str, days: int) -> None:
    db = Database(Settings(database_url=url).effective_database_url)
    try:
        async with db.write() as session:
            event = AuditEvent(APICLIENT_CREATED, "m1", client_id="old-client")
            await record(session, event, datetime.now(UTC) - timedelta(days=days))
    finally:
        await db.dispose()


async def test_list_and_purge(fresh_database_url: str) -> None:
    assert gatehouse("db", "upgrade", "--database-url", fresh_database_url).returncode == 0
    rotated = gatehouse("keys", "rotate", "--database-url", fresh_database_url)
    assert rotated.returncode == 0, rotated.stderr
    kid = rotated.stdout.splitlines()[0].rsplit(" ", 1)[-1]
    await _old_event(fresh_database_url, days=100)

    listed = gatehouse("audit", "list", "--json", "--database-url", fresh_database_url)
    assert listed.returncode == 0, listed.stderr
    events = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [e["EventType"] for e in events] == ["key.rotated", "apiclient.created"]
    assert events[0]["Details"]["Kid"] == kid and "ActivatesAt" in events[0]["Details"]
    assert events[0]["Actor"]["Type"] == "cli"
    assert events[0]["MarketplaceID"] is None

    by_client = gatehouse(
        "audit", "list", "--client-id", "OLD-CLIENT", "--database-url", fresh_database_url
    )
    assert by_client.returncode == 0, by_client.stderr
    [line] = by_client.stdout.splitlines()
    assert "apiclient.created" in line and "client=old-client" in line
    by_type = gatehouse(
        "audit", "list", "--event-type", "token.issued", "--database-url", fresh_database_url
    )
    assert by_type.returncode == 0 and by_type.stdout == ""
    bad = gatehouse("audit", "list", "--from", "soon", "--database-url", fresh_database_url)
    assert bad.returncode == 2
    assert "ISO 8601" in bad.stderr

    purged = gatehouse("audit", "purge", "--database-url", fresh_database_url)
    assert purged.returncode == 0, purged.stderr
    assert purged.stdout.strip() == "deleted 1 audit events older than 90 days"
    again = gatehouse(
        "audit",
        "purge",
        "--database-url",
        fresh_database_url,
        env={"GATEHOUSE_AUDIT_RETENTION_DAYS": "1"},
    )
    assert again.stdout.strip() == "deleted 0 audit events older than 1 days"
    left = gatehouse("audit", "list", "--json", "--database-url", fresh_database_url)
    assert [json.loads(x)["EventType"] for x in left.stdout.splitlines()] == ["key.rotated"]
