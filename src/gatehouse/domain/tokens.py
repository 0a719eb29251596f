"""Access-token claims and lifetimes (spec §4.2, §3.6).

The claim set is exactly OrderCloud's, in OrderCloud's order:
``usr, cid, [imp], [u], [orderid], usrtype, role, iss, aud, exp, nbf``. There is no ``sub``,
``iat`` or ``jti``: the SDKs and catalyst read these names and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gatehouse.domain.roles import role_claim
from gatehouse.domain.users import UserType

NBF_BACKDATE_SECONDS = 1
"""``nbf`` is one second before issue: CAT-NET requires ``nbf < now`` strictly, and clocks of
verifiers drift. ``exp - nbf`` is still exactly the configured duration, so ``expires_in`` is
one second less (OrderCloud's own sample is 35999 for 600 minutes)."""


@dataclass(frozen=True, slots=True)
class TokenSubject:
    username: str
    client_id: str
    user_type: UserType
    internal_user_id: int | None
    roles: Collection[str]


@dataclass(frozen=True, slots=True)
class TokenTimes:
    nbf: int
    exp: int
    expires_in: int


def token_times(now: datetime, duration_minutes: int) -> TokenTimes:
    issued = int(now.timestamp())
    nbf = issued - NBF_BACKDATE_SECONDS
    exp = nbf + duration_minutes * 60
    return TokenTimes(nbf=nbf, exp=exp, expires_in=exp - issued)


def access_token_claims(subject: TokenSubject, times: TokenTimes, issuer: str) -> dict[str, Any]:
    """Build the claim dict in OrderCloud's order (dicts keep insertion order)."""
    claims: dict[str, Any] = {"usr": subject.username, "cid": subject.client_id}
    if subject.internal_user_id is not None:
        claims["u"] = str(subject.internal_user_id)
    claims["usrtype"] = subject.user_type.value
    role = role_claim(subject.roles)
    if role is not None:
        claims["role"] = role
    claims.update(iss=issuer, aud=issuer, exp=times.exp, nbf=times.nbf)
    return claims


def refresh_token_expiry(now: datetime, duration_minutes: int) -> datetime:
    """A refresh token lives ``RefreshTokenDuration`` minutes from issue (spec §3.8)."""
    return now + timedelta(minutes=duration_minutes)


def refresh_token_usable(expires_at: datetime, revoked_at: datetime | None, now: datetime) -> bool:
    """Usable until it expires or is revoked; using it neither rotates nor consumes it
    (spec §3.8: the JS SDK keeps presenting the first one)."""
    return revoked_at is None and now < expires_at
