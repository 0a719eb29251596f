"""Targeted incident response on one API client (issue 5): deactivate or reactivate it,
revoke every token issued through it, and look up its marketplace for the CLI. Every other
client keeps working: each operation touches this client's rows only."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from gatehouse.domain import audit
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.tokens import from_micros, revocation_threshold, seconds_until
from gatehouse.storage.audit import record
from gatehouse.storage.invalidation import client_key, invalidate
from gatehouse.storage.queries import incidents as incidents_q

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps


class IncidentService:
    """Incident response on one API client."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def client_marketplace(self, client_id: str) -> str:
        """The marketplace a client belongs to (operators name clients by ID alone)."""
        async with self._db.read() as session:
            found = await incidents_q.client_marketplace(
                session, client_id=normalize_client_id(client_id)
            )
        if found is None:
            raise NotFoundError("ApiClient", client_id)
        return found

    async def revoke_client_tokens(
        self,
        marketplace_id: str,
        client_id: str,
        actor: audit.Actor | None = None,
    ) -> int:
        """Refuse every access token issued through the client so far and delete its refresh
        tokens, on every process from its next request; return the new threshold.

        Returns only once the threshold (a microsecond) has passed, so every token issued before
        this call returned is refused and none issued after it (``domain.tokens``)."""
        normalized = normalize_client_id(client_id)
        async with self._db.write() as session:
            current = await incidents_q.lock_tokens_valid_from(
                session, marketplace_id=marketplace_id, client_id=normalized
            )
            if current is None:
                raise NotFoundError("ApiClient", client_id)
            threshold = revocation_threshold(self._clock.now(), current)
            await incidents_q.set_tokens_valid_from(
                session, marketplace_id=marketplace_id, client_id=normalized, threshold=threshold
            )
            await incidents_q.delete_refresh_tokens(session, client_id=normalized)
            await invalidate(session, client_key(normalized))
            event = audit.AuditEvent(
                audit.TOKENS_REVOKED,
                marketplace_id,
                audit.actor_or_system(actor),
                client_id=normalized,
                details={"Scope": "client", "ValidFrom": from_micros(threshold).isoformat()},
            )
            await record(session, event, self._clock.now())
        await asyncio.sleep(seconds_until(threshold, self._clock.now()))
        return threshold
