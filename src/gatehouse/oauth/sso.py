"""Tokens of the SSO flow (ordercloud-sso.md §3.7, §4.4).

``issue_sso_token``: the user the IdP identity leads to gets an ordinary user token by the
password grant's rules, minus the password: the client must be active and let this user type
in (flags or assignments), the user, company and marketplace must be active, a locked-out user
is refused, roles are ``roles`` ∩ the user's roles ∩ the client's maximum (every role of the
user when ``roles`` is absent) with the client's minimum enforced, the access token lives
``AccessTokenDuration`` and a refresh token comes when ``RefreshTokenDuration`` > 0.

``issue_elevated_token``: the short-lived seller token with the event's ``ElevatedRoles`` that
the integration event receives as ``OrderCloudAccessToken``.
"""

from __future__ import annotations

from dataclasses import replace

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.lockout import is_locked
from gatehouse.domain.tokens import TokenSubject, access_token_claims, token_times
from gatehouse.domain.users import UserIdentity
from gatehouse.oauth.errors import InvalidClientError, InvalidGrantError, invalid_client_id
from gatehouse.oauth.grants.base import (
    GrantContext,
    check_access,
    issue_access_token,
    note_client,
    note_user,
    token_roles,
)
from gatehouse.oauth.grants.refresh_token import issue_refresh_token
from gatehouse.oauth.server import TokenResponse
from gatehouse.oauth.store import TokenStore

ELEVATED_TOKEN_MINUTES = 10


async def issue_sso_token(
    store: TokenStore,
    ctx: GrantContext,
    *,
    marketplace_id: str,
    client_id: str,
    user_internal_id: int,
    roles: str | None,
) -> TokenResponse:
    now = ctx.clock.now()
    async with store.session() as session:
        record = await session.find_client(client_id)
        if record is None or record.marketplace_id != marketplace_id:
            raise invalid_client_id()
        note_client(record)
        if not record.client.active:
            raise InvalidClientError("Auth.ClientNotActive", "Client ID is not active.")
        user = await session.find_user_by_id(marketplace_id, user_internal_id)
        if user is None:
            raise InvalidGrantError("Auth.UserNotFound", "User not found.")
        note_user(user)
        login = await session.find_login(marketplace_id, user.username)
        await check_access(session, record, user)
        available = await session.available_roles(marketplace_id, user.internal_id)
    if login is not None and is_locked(now, login.lock.locked_until):
        raise InvalidGrantError("Auth.LockedOut", "User is locked out.")
    granted = token_roles(record.client, available, roles)
    response = await issue_access_token(ctx, record.client, user, granted)
    refresh = await issue_refresh_token(store, record, user, granted, now)
    return replace(response, refresh_token=refresh)


async def issue_elevated_token(
    ctx: GrantContext, client: ApiClient, user: UserIdentity, roles: frozenset[str]
) -> str:
    """Signed like any access token, for ``ELEVATED_TOKEN_MINUTES``, with exactly ``roles``."""
    times = token_times(ctx.clock.now(), ELEVATED_TOKEN_MINUTES)
    subject = TokenSubject(
        username=user.username,
        client_id=client.id,
        user_type=user.user_type,
        internal_user_id=user.internal_id,
        roles=roles,
    )
    return await ctx.codec.sign(access_token_claims(subject, times, ctx.issuer))
