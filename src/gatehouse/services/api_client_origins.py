"""A client's allowed browser origins (Gatehouse's own, docs/behaviour.md "Browsers and
CORS"): read and replaced as a whole, apart from the OrderCloud ApiClient resource so that a
``PUT /v1/apiclients/{id}`` from an SDK that does not know them can never wipe them.

A change invalidates the client in its transaction: every process's client and token caches
drop it before their next request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gatehouse.domain import audit
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.origins import validate_origins
from gatehouse.storage.audit import record
from gatehouse.storage.invalidation import client_key, invalidate
from gatehouse.storage.queries import api_client_origins as queries
from gatehouse.storage.queries import api_clients

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps

OBJECT_TYPE = "ApiClient"
FIELD = "AllowedOrigins"


class ApiClientOriginService:
    """The browser origins each API client allows."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db

    async def get(self, marketplace_id: str, client_id: str) -> tuple[str, ...]:
        normalized = _normalized(client_id)
        async with self._db.read() as session:
            found = await api_clients.get(
                session, marketplace_id=marketplace_id, client_id=normalized
            )
            if found is None:
                raise NotFoundError(OBJECT_TYPE, client_id)
            return await queries.allowed(session, client_id=normalized)

    async def put(
        self,
        marketplace_id: str,
        client_id: str,
        origins: Iterable[str],
        actor: audit.Actor | None = None,
    ) -> tuple[str, ...]:
        """Replace the list; an empty list lets every origin the deployment allows through."""
        checked = validate_origins(origins)
        normalized = _normalized(client_id)
        async with self._db.write() as session:
            before = await queries.allowed(session, client_id=normalized)
            found = await queries.set_allowed(
                session, marketplace_id=marketplace_id, client_id=normalized, origins=checked
            )
            if not found:
                raise NotFoundError(OBJECT_TYPE, client_id)
            await invalidate(session, client_key(normalized))
            if before != checked:
                event = audit.AuditEvent(
                    audit.APICLIENT_UPDATED,
                    marketplace_id,
                    audit.actor_or_system(actor),
                    client_id=normalized,
                    details={"Fields": [FIELD]},
                )
                await record(session, event)
        return checked


def _normalized(client_id: str) -> str:
    normalized = normalize_client_id(client_id)
    if len(normalized) > 100:
        raise NotFoundError(OBJECT_TYPE, client_id)
    return normalized
