"""Minting an impersonation token (spec §3.10): the impersonated user's claims plus ``imp``.

Who may impersonate whom, and with which roles, is decided before this is called
(``gatehouse.domain.impersonation`` and ``gatehouse.services.impersonation``). No refresh
token is ever issued: the JS SDK never refreshes impersonation tokens.
"""

from __future__ import annotations

from typing import Any

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.users import UserIdentity
from gatehouse.oauth.grants.base import GrantContext
from gatehouse.oauth.minting import mint_access_token


async def issue_impersonation_token(
    ctx: GrantContext,
    client: ApiClient,
    user: UserIdentity,
    roles: frozenset[str],
    impersonator_id: int,
) -> dict[str, Any]:
    """The ``AccessToken`` body: lifetime is the client's ``AccessTokenDuration``, dated at its
    real time of issue, like any token."""
    minted = await mint_access_token(ctx, client, user, roles, impersonator_id=impersonator_id)
    return {
        "access_token": minted.access_token,
        "expires_in": minted.expires_in,
        "token_type": "bearer",
        "refresh_token": None,
    }
