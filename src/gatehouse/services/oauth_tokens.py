"""RFC 7009 token revocation and RFC 7662 token introspection (issue 11), beside OrderCloud's
own revocation routes (decisions.md "Standard OAuth beside OrderCloud's").

Both take a token the caller holds and answer without saying whether it exists: revoking an
unknown, expired or another client's token is a silent success (RFC 7009 §2.2), introspecting
one gives exactly ``{"active": false}`` (RFC 7662 §2.2).

Access tokens are recognised by their shape (a JWT) and checked on the cached verification
path: signature against the in-memory key, standing from the per-process caches, revocation
from the in-memory set (``oauth.revoked``): no query once warm. Refresh tokens are opaque and
stored hashed, so they cost one primary-key lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from gatehouse.crypto import sha256_hex
from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.token_standing import Standing
from gatehouse.domain.tokens import refresh_token_usable
from gatehouse.oauth.client_auth import challenge
from gatehouse.oauth.errors import InvalidClientError
from gatehouse.oauth.grants.base import authenticate_client
from gatehouse.oauth.jwt import TokenCodec
from gatehouse.oauth.revoked import RevokedTokens, verdict_of
from gatehouse.oauth.server import TokenRequest
from gatehouse.oauth.standing import TokenStandingCache
from gatehouse.oauth.store import ClientRecord, TokenStore
from gatehouse.storage.db import Database
from gatehouse.storage.queries import revoked_tokens

INACTIVE: dict[str, Any] = {"active": False}


@dataclass(frozen=True, slots=True)
class TokenTools:
    """What revocation and introspection need from the running process."""

    db: Database
    clock: Clock
    codec: TokenCodec
    standing: TokenStandingCache
    revoked: RevokedTokens
    store: TokenStore


def is_jwt(token: str) -> bool:
    return token.count(".") == 2


async def authenticated_client(
    tools: TokenTools, request: TokenRequest, method: str
) -> ClientRecord:
    """The calling client, authenticated as at the token endpoint (any method)."""
    async with tools.store.session() as session:
        try:
            return await authenticate_client(session, request, tools.clock.now())
        except InvalidClientError as exc:
            raise challenge(exc, method) from None


async def _verified(codec: TokenCodec, token: str) -> dict[str, Any] | None:
    try:
        return await codec.verify(token)
    except UnauthenticatedError:
        return None


async def revoke(tools: TokenTools, client: ClientRecord, token: str) -> None:
    """Revoke ``token`` if it is one of ``client``'s live tokens; otherwise do nothing."""
    if is_jwt(token):
        claims = await _verified(tools.codec, token)
        if claims is None or normalize_client_id(str(claims.get("cid", ""))) != client.client.id:
            return
        jti, exp = claims.get("jti"), claims.get("exp")
        if not isinstance(jti, str) or not isinstance(exp, int):
            return  # minted before tokens had a jti: it expires on its own
        try:
            async with tools.db.write() as session:
                await revoked_tokens.revoke_access_token(
                    session,
                    jti=jti,
                    marketplace_id=client.marketplace_id,
                    client_id=client.client.id,
                    expires_at=exp,
                    now=tools.clock.now(),
                )
        except IntegrityError:
            pass  # a concurrent request revoked it first: the outcome is the same
        return
    async with tools.db.write() as session:
        await revoked_tokens.delete_refresh_token(session, sha256_hex(token), client.client.id)


async def introspect(tools: TokenTools, marketplace_id: str, token: str) -> dict[str, Any]:
    """RFC 7662's answer about ``token`` for a caller of ``marketplace_id``: tokens of other
    marketplaces are inactive to it."""
    if is_jwt(token):
        claims = await _verified(tools.codec, token)
        if claims is None:
            return INACTIVE
        verdict = await verdict_of(tools.standing, tools.revoked, claims)
        client = verdict.client
        if verdict.standing is not Standing.VALID or client is None:
            return INACTIVE
        if client.marketplace_id != marketplace_id:
            return INACTIVE
        return access_token_fields(claims)
    return await _refresh_token_fields(tools, marketplace_id, token)


def access_token_fields(claims: dict[str, Any]) -> dict[str, Any]:
    """RFC 7662 §2.2's fields for an active access token, from its claims."""
    body: dict[str, Any] = {"active": True, "token_type": "Bearer"}
    for name in ("scope", "client_id", "exp", "iat", "nbf", "sub", "aud", "iss", "jti"):
        if name in claims:
            body[name] = claims[name]
    body["client_id"] = claims.get("client_id", claims.get("cid"))
    body["username"] = claims.get("usr")
    return body


async def _refresh_token_fields(
    tools: TokenTools, marketplace_id: str, token: str
) -> dict[str, Any]:
    async with tools.store.session() as session:
        stored = await session.find_refresh_token(sha256_hex(token))
    now = tools.clock.now()
    if (
        stored is None
        or stored.marketplace_id != marketplace_id
        or not refresh_token_usable(stored.expires_at, stored.revoked_at, now)
    ):
        return INACTIVE
    return {
        "active": True,
        "token_type": "refresh_token",
        "client_id": stored.client_id,
        "scope": " ".join(sorted(stored.roles)),
        "sub": str(stored.user_internal_id),
        "iat": int(stored.issued_at.timestamp()),
        "exp": int(stored.expires_at.timestamp()),
    }
