"""ApiClient use cases (spec §1, §2.2): CRUD, assignments and the last-full-access rule."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain import audit
from gatehouse.domain.api_clients import ApiClient, validate_api_client
from gatehouse.domain.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RequiredFieldError,
)
from gatehouse.domain.ids import new_client_id, normalize_client_id
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.users import UserType
from gatehouse.domain.xp import deep_merge, validate_xp
from gatehouse.services import impersonation_configs
from gatehouse.storage.audit import record
from gatehouse.storage.invalidation import client_key, invalidate
from gatehouse.storage.queries import api_clients, companies
from gatehouse.storage.queries.marketplaces import lock_marketplace
from gatehouse.storage.queries.users import find_by_username

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps

OBJECT_TYPE = "ApiClient"
READ_ONLY = frozenset({"id", "assigned_buyer_count", "assigned_supplier_count"})


class ApiClientService:
    """API clients of every marketplace, their assignments and the last-full-access rule."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def get(self, marketplace_id: str, client_id: str) -> ApiClient:
        async with self._db.read() as session:
            return await _require(session, marketplace_id, client_id)

    async def list_page(self, marketplace_id: str, query: ListQuery) -> tuple[list[ApiClient], int]:
        async with self._db.read() as session:
            return await api_clients.list_page(session, marketplace_id=marketplace_id, query=query)

    async def create(
        self,
        marketplace_id: str,
        fields: dict[str, Any],
        actor: audit.Actor | None = None,
    ) -> ApiClient:
        """Client-supplied IDs are ignored: ApiClient IDs are server-made lowercase GUIDs."""
        client = _build(new_client_id(), fields)
        async with self._db.write() as session:
            await _check_references(session, marketplace_id, client)
            await api_clients.insert(
                session, marketplace_id=marketplace_id, client=client, now=self._clock.now()
            )
            await _audit(session, audit.APICLIENT_CREATED, marketplace_id, client.id, actor)
            return await _require(session, marketplace_id, client.id)

    async def replace(
        self,
        marketplace_id: str,
        client_id: str,
        fields: dict[str, Any],
        actor: audit.Actor | None = None,
    ) -> ApiClient:
        """PUT: omitted writable fields fall back to their defaults. Unknown id → 404."""
        async with self._db.write() as session:
            current = await _require(session, marketplace_id, client_id)
            client = _build(current.id, fields)
            await _check_references(session, marketplace_id, client)
            await api_clients.update(session, marketplace_id=marketplace_id, client=client)
            await invalidate(session, client_key(current.id))
            return await _updated(session, marketplace_id, current, actor)

    async def patch(
        self,
        marketplace_id: str,
        client_id: str,
        changes: dict[str, Any],
        actor: audit.Actor | None = None,
    ) -> ApiClient:
        """PATCH: only the fields sent change; xp is deep-merged."""
        async with self._db.write() as session:
            current = await _require(session, marketplace_id, client_id)
            changes = {k: v for k, v in changes.items() if k not in READ_ONLY}
            if "xp" in changes:
                changes["xp"] = deep_merge(current.xp, changes["xp"])
            merged = {
                f.name: getattr(current, f.name)
                for f in dataclasses.fields(ApiClient)
                if f.name not in READ_ONLY
            }
            merged.update(changes)
            client = _build(current.id, merged)
            await _check_references(session, marketplace_id, client)
            await api_clients.update(session, marketplace_id=marketplace_id, client=client)
            await invalidate(session, client_key(current.id))
            return await _updated(session, marketplace_id, current, actor)

    async def delete(
        self, marketplace_id: str, client_id: str, actor: audit.Actor | None = None
    ) -> None:
        async with self._db.write() as session:
            # Serialise deletes within a marketplace so two concurrent deletes cannot both pass
            # the last-full-access check (a no-op lock on SQLite, whose writes are serial anyway).
            await lock_marketplace(session, marketplace_id)
            client = await _require(session, marketplace_id, client_id)
            if client.grants_full_access_to_sellers():
                others = await api_clients.list_all(session, marketplace_id=marketplace_id)
                if not any(o.grants_full_access_to_sellers() for o in others if o.id != client.id):
                    raise ConflictError(
                        "ApiClient.CannotDeleteLastFullAccess",
                        "The last full access client cannot be deleted.",
                        {"ObjectType": OBJECT_TYPE, "ObjectID": client.id},
                    )
            await impersonation_configs.refuse_client_delete(session, marketplace_id, client.id)
            await api_clients.delete_client(
                session, marketplace_id=marketplace_id, client_id=client.id
            )
            await invalidate(session, client_key(client.id))
            details = {"AppName": client.app_name}
            await _audit(
                session, audit.APICLIENT_DELETED, marketplace_id, client.id, actor, details
            )

    async def list_assignments(
        self,
        marketplace_id: str,
        *,
        client_id: str | None,
        buyer_id: str | None,
        supplier_id: str | None,
        page: int,
        page_size: int,
    ) -> tuple[list[tuple[str, str, str]], int]:
        async with self._db.read() as session:
            return await api_clients.list_assignments(
                session,
                marketplace_id=marketplace_id,
                client_id=None if client_id is None else normalize_client_id(client_id),
                buyer_id=buyer_id,
                supplier_id=supplier_id,
                page=page,
                page_size=page_size,
            )

    async def save_assignment(
        self,
        marketplace_id: str,
        client_id: str,
        buyer_id: str | None,
        supplier_id: str | None,
        actor: audit.Actor | None = None,
    ) -> None:
        """One assignment gives one buyer *or* one supplier access to the client."""
        if buyer_id and supplier_id:
            raise InvalidInputError(
                "PartyAssignment.CannotSpecifyBuyerAndSupplier",
                "An API client assignment may name a buyer or a supplier, not both.",
            )
        if not buyer_id and not supplier_id:
            raise InvalidInputError(
                "RequiredField", "BuyerID or SupplierID is required.", {"Field": "BuyerID"}
            )
        async with self._db.write() as session:
            client = await _require(session, marketplace_id, client_id)
            await _require_company(session, marketplace_id, buyer_id, supplier_id)
            await api_clients.save_assignment(
                session,
                marketplace_id=marketplace_id,
                client_id=client.id,
                buyer_id=buyer_id or "",
                supplier_id=supplier_id or "",
            )
            details = _party(buyer_id, supplier_id)
            await _audit(session, audit.ASSIGNMENT_SAVED, marketplace_id, client.id, actor, details)

    async def delete_assignment(
        self,
        marketplace_id: str,
        client_id: str,
        buyer_id: str | None,
        supplier_id: str | None,
        actor: audit.Actor | None = None,
    ) -> None:
        async with self._db.write() as session:
            client = await _require(session, marketplace_id, client_id)
            await _require_company(session, marketplace_id, buyer_id, supplier_id)
            await api_clients.delete_assignment(
                session,
                marketplace_id=marketplace_id,
                client_id=client.id,
                buyer_id=buyer_id or "",
                supplier_id=supplier_id or "",
            )
            details = _party(buyer_id, supplier_id)
            await _audit(
                session, audit.ASSIGNMENT_DELETED, marketplace_id, client.id, actor, details
            )


def _build(client_id: str, fields: dict[str, Any]) -> ApiClient:
    values = {k: v for k, v in fields.items() if k not in READ_ONLY}
    for name in ("app_name", "access_token_duration"):
        if values.get(name) is None:
            raise RequiredFieldError("AppName" if name == "app_name" else "AccessTokenDuration")
    defaults = ApiClient(id=client_id, app_name="", access_token_duration=0)
    for name, value in list(values.items()):
        if value is None and name in _NOT_NULLABLE:
            values[name] = getattr(defaults, name)
    client = dataclasses.replace(defaults, **values)
    validate_xp(client.xp, len(json.dumps(client.xp)))
    validate_api_client(client)
    return client


_NOT_NULLABLE = frozenset(
    {
        "active",
        "refresh_token_duration",
        "anonymous_token_duration",
        "allow_any_buyer",
        "allow_any_supplier",
        "allow_seller",
        "is_anon_buyer",
        "minimum_required_roles",
        "minimum_required_custom_roles",
        "maximum_granted_roles",
        "maximum_granted_custom_roles",
    }
)


async def _require(session: AsyncSession, marketplace_id: str, client_id: str) -> ApiClient:
    client = await api_clients.get(
        session, marketplace_id=marketplace_id, client_id=normalize_client_id(client_id)
    )
    if client is None:
        raise NotFoundError(OBJECT_TYPE, client_id)
    return client


async def _check_references(session: AsyncSession, marketplace_id: str, client: ApiClient) -> None:
    """A DefaultContextUserName must name an existing user of this marketplace; an
    ``IsAnonBuyer`` client's must be a buyer user, the anonymous shoppers' template (spec §3.9).
    """
    user = None
    if client.default_context_username:
        user = await find_by_username(
            session, marketplace_id=marketplace_id, username=client.default_context_username
        )
        if user is None:
            raise NotFoundError("User", client.default_context_username)
        client.default_context_username = user.username
    if client.is_anon_buyer and (user is None or user.user_type != UserType.BUYER.value):
        raise InvalidInputError(
            "ApiClient.RequiredNotAnonBuyer",
            "IsAnonBuyer can be true only when a buyer user is set as the Default Context User.",
            {"Field": "DefaultContextUserName"},
        )


async def _require_company(
    session: AsyncSession, marketplace_id: str, buyer_id: str | None, supplier_id: str | None
) -> None:
    if buyer_id and not await companies.buyer_exists(
        session, marketplace_id=marketplace_id, buyer_id=buyer_id
    ):
        raise NotFoundError("Buyer", buyer_id)
    if supplier_id and not await companies.supplier_exists(
        session, marketplace_id=marketplace_id, supplier_id=supplier_id
    ):
        raise NotFoundError("Supplier", supplier_id)


async def _updated(
    session: AsyncSession, marketplace_id: str, before: ApiClient, actor: audit.Actor | None
) -> ApiClient:
    """The client as stored now, after recording ``apiclient.updated`` with the names (never
    the values) of the fields that changed."""
    after = await _require(session, marketplace_id, before.id)
    details = {"Fields": audit.changed_fields(before, after)}
    await _audit(session, audit.APICLIENT_UPDATED, marketplace_id, before.id, actor, details)
    return after


async def _audit(
    session: AsyncSession,
    event_type: str,
    marketplace_id: str,
    client_id: str,
    actor: audit.Actor | None,
    details: dict[str, Any] | None = None,
) -> None:
    event = audit.AuditEvent(
        event_type,
        marketplace_id,
        audit.actor_or_system(actor),
        client_id=client_id,
        details=details or {},
    )
    await record(session, event)


def _party(buyer_id: str | None, supplier_id: str | None) -> dict[str, Any]:
    return {"BuyerID": buyer_id} if buyer_id else {"SupplierID": supplier_id}
