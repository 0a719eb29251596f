"""The resource owner password grant (RFC 6749 §4.3; spec §3.2–3.5).

    POST /oauth/token
    Content-Type: application/x-www-form-urlencoded

    grant_type=password&client_id=…&username=…&password=…&scope=Shopper MeAdmin

The password is verified before anything about the user's access is decided, and an unknown
username costs the same argon2 verification as a wrong password, so neither the answer nor its
timing tells whether a user exists.
"""

from __future__ import annotations

from gatehouse.crypto import PasswordHasher
from gatehouse.oauth.errors import InvalidRequestError, invalid_credentials
from gatehouse.oauth.grants.base import (
    GrantContext,
    authenticate_client,
    check_access,
    issue_access_token,
    token_roles,
)
from gatehouse.oauth.server import TokenRequest, TokenResponse
from gatehouse.oauth.store import TokenStore


class PasswordGrant:
    grant_type = "password"

    def __init__(self, store: TokenStore, hasher: PasswordHasher, ctx: GrantContext) -> None:
        self._store = store
        self._hasher = hasher
        self._ctx = ctx

    async def issue(self, request: TokenRequest) -> TokenResponse:
        if not request.username or not request.password:
            raise InvalidRequestError(
                "Auth.UsernameAndPasswordRequired", "Username and password are required."
            )
        async with self._store.session() as session:
            record = await authenticate_client(session, request)
            login = await session.find_login(record.marketplace_id, request.username)
        # Hash verification (~20 ms of CPU in a worker thread) holds no database connection.
        verified = await self._hasher.verify(
            login.password_hash if login else None, request.password
        )
        if login is None or not verified:
            raise invalid_credentials()
        async with self._store.session() as session:
            await check_access(session, record, login.identity)
            available = await session.available_roles(
                record.marketplace_id, login.identity.internal_id
            )
        roles = token_roles(record.client, available, request.scope)
        return await issue_access_token(self._ctx, record.client, login.identity, roles)
