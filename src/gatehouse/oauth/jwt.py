"""Signing and verifying access tokens (RS256 JWTs with a ``kid``).

Expiry is checked against the injected clock rather than PyJWT's wall clock, so tests can
prove expiry without sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt

from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.oauth.keys import ALGORITHM, KeyRing

MAX_TOKEN_LENGTH = 8192
VERIFIED_CACHE_ENTRIES = 10_000
"""Tokens whose signature this process has checked, kept so a bearer presenting the same
token again costs a dict lookup instead of PyJWT's parsing (its per-character base64url
check costs far more than the RSA verification) and the signature check."""


@dataclass(frozen=True, slots=True)
class TokenCodec:
    keys: KeyRing
    clock: Clock
    issuer: str
    _verified: dict[str, tuple[str, dict[str, Any]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Token → (kid, claims) of tokens whose signature, header and audience checked out.
    Only the exact bytes that verified are found here; the lifetime and the key's publication
    are still checked on every use, and standing (revocation, deactivation) is not cached
    here at all."""

    async def sign(self, claims: dict[str, Any]) -> str:
        key = await self.keys.signing_key()
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or ``UnauthenticatedError`` (401 ``InvalidToken``)."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise UnauthenticatedError()
        hit = self._verified.get(token)
        if hit is not None and await self.keys.public_key(hit[0]) is not None:
            self._check_lifetime(hit[1])
            return dict(hit[1])
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
        if len(self._verified) >= VERIFIED_CACHE_ENTRIES:
            self._verified.clear()
        self._verified[token] = (kid, claims)
        return dict(claims)

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
