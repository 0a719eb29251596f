"""Review a marketplace's API client configurations (docs/operations.md "Configuration
review"): load every fact in one read transaction with a fixed number of queries, then run
the pure rules of ``domain.review``. Reads only."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from gatehouse.domain.access import ClientAccess
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.review import (
    ClientFacts,
    Finding,
    ReviewThresholds,
    reachable_roles,
    review,
    seller_level_full_access,
)
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.security_profiles import ProfileAssignment
from gatehouse.settings import Settings
from gatehouse.storage.db import Database
from gatehouse.storage.queries import api_client_origins as origin_queries
from gatehouse.storage.queries import api_clients
from gatehouse.storage.queries import review as queries
from gatehouse.storage.queries import usage as usage_queries
from gatehouse.storage.queries.users import username_key

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps


class LastUsedSource(Protocol):
    """When each client was last used (``None``: no use recorded); ``RecordedLastUsed`` by
    default."""

    async def last_used(
        self, marketplace_id: str, client_ids: Collection[str]
    ) -> dict[str, datetime | None]: ...


class RecordedLastUsed:
    """The newest of the usage store's last use (every token issued and API request, kept
    beyond the per-minute retention) and the newest refresh token: the default source."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def last_used(
        self, marketplace_id: str, client_ids: Collection[str]
    ) -> dict[str, datetime | None]:
        async with self._db.read() as session:
            recorded = await usage_queries.last_used(session, marketplace_id, client_ids)
        refreshed = await RefreshTokenLastUsed(self._db).last_used(marketplace_id, client_ids)
        return {
            client_id: max(
                (when for when in (recorded.get(client_id), refreshed.get(client_id)) if when),
                default=None,
            )
            for client_id in client_ids
        }


class RefreshTokenLastUsed:
    """The newest refresh token a client issued (only password logins on clients with a
    ``RefreshTokenDuration`` leave one): a floor under the usage store's record."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def last_used(
        self, marketplace_id: str, client_ids: Collection[str]
    ) -> dict[str, datetime | None]:
        async with self._db.read() as session:
            newest = await queries.newest_refresh_tokens(
                session, marketplace_id=marketplace_id, client_ids=client_ids
            )
        return {client_id: newest.get(client_id) for client_id in client_ids}


def thresholds_from(settings: Settings) -> ReviewThresholds:
    return ReviewThresholds(
        access_token_minutes=settings.review_access_token_minutes,
        refresh_token_minutes=settings.review_refresh_token_minutes,
        idle_days=settings.review_idle_days,
        deployment_allows_any_origin=settings.cors_policy.any_origin,
    )


class ReviewService:
    """The periodic access review of a marketplace."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def review_marketplace(
        self,
        marketplace_id: str,
        thresholds: ReviewThresholds,
        last_used: LastUsedSource | None = None,
    ) -> list[Finding]:
        async with self._db.read() as session:
            clients = await api_clients.list_all(session, marketplace_id=marketplace_id)
            created = await queries.created_dates(session, marketplace_id=marketplace_id)
            assigned = await queries.client_assignments(session, marketplace_id=marketplace_id)
            secrets = await queries.named_secret_counts(session, marketplace_id=marketplace_id)
            origins = await origin_queries.by_client(session, marketplace_id=marketplace_id)
            assignments, profiles = await queries.profile_assignments(
                session, marketplace_id=marketplace_id
            )
            dcu_names = {c.default_context_username for c in clients if c.default_context_username}
            dcu_roles = await queries.roles_by_username(
                session, marketplace_id=marketplace_id, usernames=dcu_names
            )
        used = await (last_used or RecordedLastUsed(self._db)).last_used(
            marketplace_id, [c.id for c in clients]
        )
        now = self._clock.now()
        facts = [
            ClientFacts(
                client=client,
                # Reads are not one snapshot: a client created meanwhile may lack its date.
                created_at=created.get(client.id, now),
                named_secret_count=secrets.get(client.id, 0),
                reachable_roles=_reachable(client, assigned, assignments, profiles),
                dcu_roles=_dcu_roles(client, dcu_roles),
                last_used=used.get(client.id),
                allowed_origins=origins.get(client.id, ()),
                serves_companies=_serves_companies(client, assigned),
            )
            for client in clients
        ]
        return review(facts, thresholds, now, seller_level_full_access(assignments, profiles))

    async def marketplace_ids(self) -> list[str]:
        """Every marketplace, for the CLI's review of the whole installation."""
        async with self._db.read() as session:
            return await queries.marketplace_ids(session)


def _serves_companies(client: ApiClient, assigned: dict[str, tuple[set[str], set[str]]]) -> bool:
    buyers, suppliers = assigned.get(client.id, (set(), set()))
    return client.allow_any_buyer or client.allow_any_supplier or bool(buyers or suppliers)


def _reachable(
    client: ApiClient,
    assigned: dict[str, tuple[set[str], set[str]]],
    assignments: list[ProfileAssignment],
    profiles: dict[str, RoleSet],
) -> frozenset[str]:
    buyers, suppliers = assigned.get(client.id, (set(), set()))
    access = ClientAccess(
        active=client.active,
        allow_seller=client.allow_seller,
        allow_any_buyer=client.allow_any_buyer,
        allow_any_supplier=client.allow_any_supplier,
        assigned_buyer_ids=buyers,
        assigned_supplier_ids=suppliers,
    )
    return reachable_roles(access, assignments, profiles, client.role_limits.maximum)


def _dcu_roles(client: ApiClient, roles: dict[str, RoleSet]) -> RoleSet | None:
    if not client.default_context_username:
        return None
    return roles.get(username_key(client.default_context_username))
