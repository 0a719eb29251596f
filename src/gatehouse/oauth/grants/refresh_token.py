"""Refresh tokens: issuing them with a password login, and the ``refresh_token`` grant
(spec §3.2, §3.8; decisions.md "Grants and tokens").

    POST /oauth/token
    Content-Type: application/x-www-form-urlencoded

    grant_type=refresh_token&client_id=…&refresh_token=…[&client_secret=…]

A refresh token is opaque (256 random bits, base64url) and stored only as its SHA-256 with the
roles its grant gave. It is **not rotated and not consumed**: the same value keeps working until
it expires (``RefreshTokenDuration`` minutes after issue) or is revoked, because the JS SDK
keeps presenting the first one. The response repeats the presented ``refresh_token`` because
the Python SDK (``ordercloud-python``) replaces its stored refresh token with the response's,
an empty one when absent, and would stop refreshing after the first time; JS12 ignores it and
the .NET SDK keeps the old one unless a new one comes, so the echo is safe for all three.

Each refresh re-checks everything a login would, except the password: the client (secret,
active), the access rule, the user, company and marketplace states, and the client's minimum
roles. The new token's roles are the original roles ∩ the user's current roles ∩ the client's
maximum (narrowed further by ``scope`` when one is sent). A refresh writes nothing, and once
the process caches are warm (client, user, roles, and the stored token itself:
``oauth.refresh_records``) it reads nothing either. The caches cannot serve a revoked token:
every UPDATE or DELETE of a stored refresh token, and every change to users, companies or the
client, empties the token cache in every process before its next request
(``storage.invalidation``).
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from gatehouse.crypto import sha256_hex
from gatehouse.domain.roles import RoleSet, missing_minimum_roles, parse_scope, refresh_roles
from gatehouse.domain.tokens import refresh_token_expiry, refresh_token_usable
from gatehouse.domain.users import UserIdentity
from gatehouse.oauth.errors import InvalidGrantError, InvalidRequestError
from gatehouse.oauth.grants.base import (
    GrantContext,
    authenticate_client,
    check_access,
    issue_access_token,
)
from gatehouse.oauth.server import TokenRequest, TokenResponse
from gatehouse.oauth.store import ClientRecord, RefreshTokenRecord, TokenStore

REFRESH_TOKEN_BYTES = 32  # 256 bits (decisions.md: ≥ 256 bits of randomness)


class RefreshTokenGrant:
    grant_type = "refresh_token"

    def __init__(self, store: TokenStore, ctx: GrantContext) -> None:
        self._store = store
        self._ctx = ctx

    async def issue(self, request: TokenRequest) -> TokenResponse:
        if not request.refresh_token:
            raise InvalidRequestError("Auth.RefreshTokenRequired", "refresh_token is required.")
        async with self._store.session() as session:
            record = await authenticate_client(session, request, self._ctx.clock.now())
            stored = await session.find_refresh_token(sha256_hex(request.refresh_token))
            stored = usable_for(stored, record, self._ctx.clock.now())
            user = await session.find_user_by_id(record.marketplace_id, stored.user_internal_id)
            if user is None:
                raise invalid_refresh_token()
            await check_access(session, record, user)
            available = await session.available_roles(record.marketplace_id, user.internal_id)
        roles = refreshed_roles(record, stored.roles, available, request.scope)
        issued = await issue_access_token(self._ctx, record.client, user, roles)
        return replace(issued, refresh_token=request.refresh_token)


def invalid_refresh_token() -> InvalidGrantError:
    return InvalidGrantError("Auth.InvalidRefreshToken", "Invalid refresh token.")


def usable_for(
    stored: RefreshTokenRecord | None, record: ClientRecord, now: datetime
) -> RefreshTokenRecord:
    """Unknown, expired, revoked and another client's tokens all get the same answer."""
    if (
        stored is None
        or stored.client_id != record.client.id
        or stored.marketplace_id != record.marketplace_id
        or not refresh_token_usable(stored.expires_at, stored.revoked_at, now)
    ):
        raise invalid_refresh_token()
    return stored


def refreshed_roles(
    record: ClientRecord, original: frozenset[str], current: RoleSet, scope: str | None
) -> frozenset[str]:
    """Original ∩ current ∩ the client's maximum; the client's minimum roles still apply."""
    limits = record.client.role_limits
    missing = missing_minimum_roles(current, limits)
    if missing:
        raise InvalidGrantError(
            "Auth.InsufficientRoles",
            "The user lacks roles this API client requires.",
            {"MissingRoles": sorted(missing)},
        )
    roles = refresh_roles(original, current, limits)
    requested = parse_scope(scope)
    return roles if requested is None else roles & requested


async def issue_refresh_token(
    store: TokenStore,
    record: ClientRecord,
    user: UserIdentity,
    roles: frozenset[str],
    now: datetime,
) -> str | None:
    """A new refresh token when the client's ``RefreshTokenDuration`` is above 0, else None.

    Called last in a grant, after every check passed: its one write is a short transaction.
    """
    duration = record.client.refresh_token_duration
    if duration <= 0:
        return None
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    stored = RefreshTokenRecord(
        marketplace_id=record.marketplace_id,
        client_id=record.client.id,
        user_internal_id=user.internal_id,
        roles=roles,
        issued_at=now,
        expires_at=refresh_token_expiry(now, duration),
    )
    await store.save_refresh_token(sha256_hex(token), stored)
    return token
