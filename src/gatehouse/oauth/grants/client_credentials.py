"""The client credentials grant, as the client's default context user (spec §3.2, §3.9;
decisions.md "Grants and tokens").

    POST /oauth/token
    Content-Type: application/x-www-form-urlencoded

    grant_type=client_credentials&client_id=…&client_secret=…&scope=OrderAdmin

The token is issued *as* the client's ``DefaultContextUserName`` ("as far as OrderCloud knows,
you are the default context user"): its ``usr``, ``u``, ``usrtype`` and roles (scope ∩ the
user's AvailableRoles ∩ the client's maximum, with the client's minimum roles required). The
client access rule (flags and assignments) and the user, company and marketplace states apply
to that user exactly as to a password login. There is no password, so no lockout; there is no
refresh token; and the whole grant is reads in one read transaction: it writes nothing.
"""

from __future__ import annotations

from gatehouse.domain.access import (
    DCU_NOT_FOUND,
    DCU_REQUIRED,
    NO_CLIENT_SECRET,
    client_credentials_refusal,
)
from gatehouse.oauth.errors import InvalidGrantError, invalid_client_secret
from gatehouse.oauth.grants.base import (
    GrantContext,
    authenticate_client,
    check_access,
    issue_access_token,
    token_roles,
)
from gatehouse.oauth.server import TokenRequest, TokenResponse
from gatehouse.oauth.store import ClientRecord, TokenStore


class ClientCredentialsGrant:
    grant_type = "client_credentials"

    def __init__(self, store: TokenStore, ctx: GrantContext) -> None:
        self._store = store
        self._ctx = ctx

    async def issue(self, request: TokenRequest) -> TokenResponse:
        async with self._store.session() as session:
            record = await authenticate_client(session, request, self._ctx.clock.now())
            username = default_context_username(record)
            user = await session.find_user_by_username(record.marketplace_id, username)
            if user is None:
                raise InvalidGrantError(DCU_NOT_FOUND.code, DCU_NOT_FOUND.message)
            await check_access(session, record, user)
            available = await session.available_roles(record.marketplace_id, user.internal_id)
        roles = token_roles(record.client, available, request.scope)
        return await issue_access_token(self._ctx, record.client, user, roles)


def default_context_username(record: ClientRecord) -> str:
    """Who the token is for, once the client may use this grant at all
    (``client_credentials_refusal``, shared with the explain endpoint). A missing secret is
    401 ``invalid_client``; the other refusals are 400 ``invalid_grant``. The secret itself
    was checked by ``authenticate_client``."""
    client = record.client
    refusal = client_credentials_refusal(
        is_anon_buyer=client.is_anon_buyer,
        has_secret=record.has_secret,
        default_context_username=client.default_context_username,
    )
    if refusal is NO_CLIENT_SECRET:
        raise invalid_client_secret()
    if refusal is not None or not client.default_context_username:
        denial = refusal or DCU_REQUIRED
        raise InvalidGrantError(denial.code, denial.message)
    return client.default_context_username
