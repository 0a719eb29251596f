"""Operator look-ups across marketplaces for the CLI (``gatehouse marketplace list``,
``clients list|show``, ``audit list``): read-only, one read transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatehouse.domain.api_client_secrets import ApiClientSecret
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.audit import AuditQuery, StoredEvent
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.storage.queries import api_clients, inventory
from gatehouse.storage.queries.inventory import MarketplaceSummary

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps


@dataclass(frozen=True, slots=True)
class ClientView:
    """A client as an operator sees it: where it lives and its named secrets (never a value)."""

    marketplace_id: str
    client: ApiClient
    secrets: tuple[ApiClientSecret, ...]


class InventoryService:
    """What operators list from the CLI: marketplaces, clients and recent audit events."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db

    async def marketplaces(self) -> list[MarketplaceSummary]:
        async with self._db.read() as session:
            return await inventory.marketplaces(session)

    async def require_marketplace(self, marketplace_id: str) -> None:
        async with self._db.read() as session:
            if not await inventory.marketplace_exists(session, marketplace_id):
                raise NotFoundError("Marketplace", marketplace_id)

    async def clients(self, marketplace_id: str | None) -> list[tuple[str, ApiClient]]:
        """Every client, in one marketplace (404 when it does not exist) or in all of them."""
        async with self._db.read() as session:
            if marketplace_id is not None and not await inventory.marketplace_exists(
                session, marketplace_id
            ):
                raise NotFoundError("Marketplace", marketplace_id)
            found = []
            for owner in sorted(
                {m for m, _ in await inventory.client_ids(session, marketplace_id)}
            ):
                for client in await api_clients.list_all(session, marketplace_id=owner):
                    found.append((owner, client))
            return sorted(found, key=lambda item: (item[0], item[1].app_name, item[1].id))

    async def client(self, client_id: str) -> ClientView:
        key = normalize_client_id(client_id)
        async with self._db.read() as session:
            found = await api_clients.get_any(session, client_id=key)
            if found is None:
                raise NotFoundError("ApiClient", client_id)
            marketplace_id, record = found
            named = await inventory.secrets_of(session, key)
        return ClientView(marketplace_id, record, tuple(named))

    async def recent_events(self, query: AuditQuery) -> list[StoredEvent]:
        if query.client_id:
            query = AuditQuery(
                normalize_client_id(query.client_id),
                query.event_type,
                query.marketplace_id,
                query.since,
                query.limit,
            )
        async with self._db.read() as session:
            return await inventory.recent_events(session, query)
