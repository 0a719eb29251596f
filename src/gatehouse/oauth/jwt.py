"""Signing and verifying access tokens (RS256 JWTs with a ``kid``).

Expiry is checked against the injected clock rather than PyJWT's wall clock, so tests can
prove expiry without sleeping.

Signing is the token endpoint's hot path, so it skips PyJWT's generic path (option checks,
header building and sorting, two ``json.dumps`` per token): the header segment is encoded once
per ``kid`` and the payload is one compact ``json.dumps``, signed with ``cryptography``
directly. The bytes are exactly PyJWT's (sorted compact header, compact payload in claim
order, PKCS#1 v1.5 being deterministic); ``tests/oauth/test_jwt_signing.py`` proves it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.oauth.keys import ALGORITHM, KeyRing, SigningKey

MAX_TOKEN_LENGTH = 8192
_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def _b64url(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


@lru_cache(maxsize=32)
def header_segment(kid: str) -> bytes:
    """``base64url(header) + "."`` as PyJWT writes it (keys sorted, compact); a few kids per
    process lifetime, so the cache stays tiny."""
    header = {"alg": ALGORITHM, "kid": kid, "typ": "JWT"}
    return _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode()) + b"."


def sign_rs256(claims: dict[str, Any], key: SigningKey) -> str:
    """An RS256 JWS of ``claims`` (JSON-serialisable, times as ints), byte-identical to
    ``jwt.encode(claims, key, "RS256", headers={"kid": kid})``."""
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = header_segment(key.kid) + payload
    signature = key.private_key.sign(signing_input, _PKCS1V15, _SHA256)
    return (signing_input + b"." + _b64url(signature)).decode("ascii")


@dataclass(frozen=True, slots=True)
class TokenCodec:
    keys: KeyRing
    clock: Clock
    issuer: str

    async def sign(self, claims: dict[str, Any]) -> str:
        key = await self.keys.signing_key()
        return sign_rs256(claims, key)

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or ``UnauthenticatedError`` (401 ``InvalidToken``)."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise UnauthenticatedError()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise UnauthenticatedError() from exc
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str):
            raise UnauthenticatedError()
        published = await self.keys.public_key(kid)
        if published is None:
            raise UnauthenticatedError()
        claims = self._decode(token, published.public_key)
        self._check_lifetime(claims)
        return claims

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.issuer,
                issuer=self.issuer,
                # Times are checked against the injected clock (``_check_lifetime``); PyJWT's
                # own checks would use the wall clock (``iat`` included, issue 11).
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": ["exp", "nbf"],
                },
            )
        except jwt.PyJWTError as exc:
            raise UnauthenticatedError() from exc
        return claims

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        now = self.clock.now().timestamp()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int) or not isinstance(nbf, int) or not nbf <= now < exp:
            raise UnauthenticatedError()
