"""Minting an impersonation token (spec §3.10): the impersonated user's claims plus ``imp``.

Who may impersonate whom, and with which roles, is decided before this is called
(``gatehouse.domain.impersonation`` and ``gatehouse.services.impersonation``). No refresh
token is ever issued: the JS SDK never refreshes impersonation tokens.
"""

from __future__ import annotations

from typing import Any

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.tokens import TokenSubject, access_token_claims, token_times
from gatehouse.domain.users import UserIdentity
from gatehouse.oauth.grants.base import GrantContext


async def issue_impersonation_token(
    ctx: GrantContext,
    client: ApiClient,
    user: UserIdentity,
    roles: frozenset[str],
    impersonator_id: int,
) -> dict[str, Any]:
    """The ``AccessToken`` body: lifetime is the client's ``AccessTokenDuration``, dated at its
    real time of issue, like any token."""
    times = token_times(ctx.clock.now(), client.access_token_duration)
    subject = TokenSubject(
        username=user.username,
        client_id=client.id,
        user_type=user.user_type,
        internal_user_id=user.internal_id,
        roles=roles,
        impersonator_id=impersonator_id,
    )
    token = await ctx.codec.sign(access_token_claims(subject, times, ctx.issuer))
    return {
        "access_token": token,
        "expires_in": times.expires_in,
        "token_type": "bearer",
        "refresh_token": None,
    }
