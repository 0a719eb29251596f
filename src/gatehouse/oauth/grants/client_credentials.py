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

DCU_REQUIRED = "Default context user required for client credentials grant"


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
                raise InvalidGrantError(
                    "Auth.DefaultContextUserNotFound", "Default context user not found."
                )
            await check_access(session, record, user)
            available = await session.available_roles(record.marketplace_id, user.internal_id)
        roles = token_roles(record.client, available, request.scope)
        return await issue_access_token(self._ctx, record.client, user, roles)


def default_context_username(record: ClientRecord) -> str:
    """Who the token is for, once the client may use this grant at all.

    Anonymous-buyer clients are refused for now: on them ``client_credentials`` is the
    anonymous shopping grant (spec §3.9), which a later issue implements. Any other client
    needs a secret (decisions.md: no secret, no client credentials; the secret itself was
    checked by ``authenticate_client``; a legacy or a named secret, expired or not) and a
    default context user.
    """
    client = record.client
    if client.is_anon_buyer:
        raise InvalidGrantError(
            "Auth.AnonymousNotSupported", "Anonymous shopping tokens are not supported yet."
        )
    if not record.has_secret:
        raise invalid_client_secret()
    if not client.default_context_username:
        raise InvalidGrantError("Auth.DefaultContextUserRequired", DCU_REQUIRED)
    return client.default_context_username
