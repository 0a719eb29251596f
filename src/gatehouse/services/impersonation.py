"""``POST /v1/buyers/{buyerID}/users/{userID}/accesstoken`` (spec §3.10): gather the facts in
one read transaction, let ``gatehouse.domain.impersonation`` decide, then mint the token.

The checks run in an order that tells a caller nothing it may not know: the client and its
buyer assignment first (the caller names the client), then whether any config lets this caller
impersonate users of that buyer, and only then whether the user exists. A caller without a
config for a buyer gets ``Impersonation.ConfigError`` whether or not the user exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from gatehouse.domain.impersonation import (
    ImpersonationConfig,
    Party,
    TokenRequest,
    buyer_not_assigned,
    client_not_found,
    config_error,
    impersonatee_buyer_matches,
    impersonatee_matches,
    impersonation_roles,
    impersonator_matches,
)
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.oauth.grants.base import GrantContext
from gatehouse.oauth.impersonation import issue_impersonation_token
from gatehouse.storage.queries import (
    api_clients,
    companies,
    impersonation_configs,
    security_profiles,
    user_groups,
    users,
)
from gatehouse.storage.queries.user_groups import GroupOwner
from gatehouse.storage.queries.users import UserRow

if TYPE_CHECKING:  # the registry imports this module to build it
    from gatehouse.services.registry import ServiceDeps


@dataclass(frozen=True, slots=True)
class Impersonator:
    """The caller, from its verified token."""

    marketplace_id: str
    internal_user_id: int | None
    impersonating: bool


@dataclass(frozen=True, slots=True)
class _Grant:
    client: ApiClient
    user: UserIdentity
    roles: frozenset[str]
    impersonator_id: int


class ImpersonationService:
    """Impersonation tokens, bound to the process's database."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db

    async def access_token(
        self,
        ctx: GrantContext,
        caller: Impersonator,
        buyer_id: str,
        user_id: str,
        request: TokenRequest,
    ) -> dict[str, Any]:
        """The ``AccessToken`` body for ``user_id`` of ``buyer_id``, minted with ``ctx``."""
        if caller.impersonating:
            raise ForbiddenError(
                "Impersonation.NotAllowedWhileImpersonating",
                "An impersonation token cannot be used to impersonate another user.",
            )
        if caller.internal_user_id is None:  # anonymous shoppers have no user to match configs
            raise config_error()
        async with self._db.read() as session:
            grant = await _decide(
                session, caller, caller.internal_user_id, buyer_id, user_id, request
            )
        return await issue_impersonation_token(
            ctx, grant.client, grant.user, grant.roles, grant.impersonator_id
        )


async def _decide(
    session: AsyncSession,
    caller: Impersonator,
    caller_id: int,
    buyer_id: str,
    user_id: str,
    request: TokenRequest,
) -> _Grant:
    """Every check, in the order the module docstring explains, then the roles."""
    marketplace_id = caller.marketplace_id
    client = await _client_for_buyer(session, marketplace_id, request.client_id, buyer_id)
    me = await users.get_by_internal_id(
        session, marketplace_id=marketplace_id, internal_id=caller_id
    )
    if me is None:
        raise config_error()
    candidates = await _configs_for_caller(session, client, me, buyer_id)
    row = await users.get_row(
        session,
        marketplace_id=marketplace_id,
        user_type=UserType.BUYER,
        company_id=buyer_id,
        user_id=user_id,
    )
    if row is None:
        raise NotFoundError("User", user_id)
    target = await _party(session, marketplace_id, row)
    matching = [config for config in candidates if impersonatee_matches(config, target)]
    if not matching:
        raise config_error()
    identity = await _active_identity(session, marketplace_id, row)
    profiles = await _profiles(session, marketplace_id, matching)
    roles = impersonation_roles(request, profiles, client.role_limits)
    return _Grant(client, identity, roles, me.id)


async def _client_for_buyer(
    session: AsyncSession, marketplace_id: str, client_id: str, buyer_id: str
) -> ApiClient:
    """The named client, active and allowed to reach ``buyer_id``'s users."""
    client = await api_clients.get(session, marketplace_id=marketplace_id, client_id=client_id)
    if client is None or not client.active:
        raise client_not_found()
    if not client.allow_any_buyer:
        buyers, _ = await api_clients.assigned_companies(session, client_id=client.id)
        if buyer_id not in buyers:
            raise buyer_not_assigned(buyer_id)
    return client


async def _configs_for_caller(
    session: AsyncSession, client: ApiClient, me: UserRow, buyer_id: str
) -> list[ImpersonationConfig]:
    """The client's configs that let the caller impersonate users of ``buyer_id`` (none:
    ``Impersonation.ConfigError``, before anything about the user is read)."""
    impersonator = await _party(session, me.marketplace_id, me)
    candidates = [
        config
        for config in await impersonation_configs.for_client(
            session, marketplace_id=me.marketplace_id, client_id=client.id
        )
        if impersonator_matches(config, impersonator)
        and impersonatee_buyer_matches(config, buyer_id)
    ]
    if not candidates:
        raise config_error()
    return candidates


async def _party(session: AsyncSession, marketplace_id: str, row: UserRow) -> Party:
    """A user with the groups it belongs to in its own company (or the seller's groups)."""
    user_type = UserType(row.user_type)
    own = GroupOwner(user_type, row.company_id or "")
    found = await user_groups.memberships(
        session, marketplace_id=marketplace_id, user_internal_ids=[row.id]
    )
    groups = frozenset(group_id for _, owner, group_id in found if owner == own)
    return Party(user_type, row.company_id or None, row.external_id, groups)


async def _active_identity(
    session: AsyncSession, marketplace_id: str, row: UserRow
) -> UserIdentity:
    """The impersonated user and its buyer must both be active, as at login."""
    if not row.active:
        raise InvalidInputError("Auth.UserNotActive", "User is not active.")
    if not await companies.company_active(
        session,
        marketplace_id=marketplace_id,
        user_type=UserType.BUYER.value,
        company_id=row.company_id,
    ):
        raise InvalidInputError("Auth.CompanyNotActive", "The user's company is not active.")
    return UserIdentity(
        internal_id=row.id,
        username=row.username,
        user_type=UserType.BUYER,
        company_id=row.company_id,
        active=True,
        company_active=True,
        tokens_valid_from=row.tokens_valid_from,
    )


async def _profiles(
    session: AsyncSession, marketplace_id: str, configs: list[ImpersonationConfig]
) -> list[RoleSet]:
    found = []
    for profile_id in sorted({config.security_profile_id for config in configs}):
        profile = await security_profiles.get(
            session, marketplace_id=marketplace_id, profile_id=profile_id
        )
        if profile is not None:
            found.append(RoleSet(frozenset(profile.roles), frozenset(profile.custom_roles)))
    return found
