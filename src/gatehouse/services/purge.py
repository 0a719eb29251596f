"""Deleting what can never be used again (``gatehouse purge``, and every
``GATEHOUSE_PURGE_INTERVAL_SECONDS`` in the server): abandoned anonymous orders, records of
consumed anonymous tokens that have expired, expired or revoked refresh tokens, and the ids of
revoked access tokens that have expired."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from gatehouse.domain.clock import Clock
from gatehouse.storage.db import Database
from gatehouse.storage.queries import orders, revoked_tokens
from gatehouse.storage.queries.orders import PurgeCounts

log = logging.getLogger(__name__)


async def purge(
    db: Database, clock: Clock, on_step: Callable[[str], None] | None = None
) -> PurgeCounts:
    """One short write transaction; safe to run from several processes at once.
    ``on_step`` hears each of its three deletes as it finishes (the CLI's progress bar)."""
    async with db.write() as session:
        # Revoked access tokens' ids past their token's expiry (RFC 7009, ``/oauth/revoke``).
        await revoked_tokens.purge_expired(session, int(clock.now().timestamp()))
        return await orders.purge(session, now=clock.now(), on_step=on_step)


async def purge_periodically(db: Database, clock: Clock, interval_seconds: float) -> None:
    """Purge, then sleep; forever (until cancelled). A failed run is logged and retried at
    the next interval, so a database hiccup never stops the loop."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            counts = await purge(db, clock)
            log.info("purge: %s", counts.as_json())
        except Exception:
            log.exception("purge failed; retrying in %s s", interval_seconds)
