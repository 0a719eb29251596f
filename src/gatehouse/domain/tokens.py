"""Access-token claims, lifetimes and revocation thresholds (spec §4.2, §3.6, §3.11).

The claim set starts with OrderCloud's, in OrderCloud's order:
``usr, cid, [imp], [u], [orderid], [anonuserid], usrtype, role, iss, aud, exp, nbf``
(``anonuserid``'s place is Gatehouse's choice: no public sample shows it), then RFC 9068's
``iat, jti, sub, client_id, scope`` (issue 11), which generic tooling (jose's ``maxTokenAge``,
PyJWT's ``require=["iat"]``, gateways) needs. Nothing OrderCloud sends is removed or renamed.

Revocation thresholds and issue times are in microseconds (issue 10): a whole-second threshold
cannot tell apart two events of one second, so a token issued in the second of one revocation
escaped a later revocation in that same second. A token's ``iat`` stays a whole second (the
real second of issue, floored: never in the future); its exact issue time is the first part of
its ``jti``, which the server signed and alone reads.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gatehouse.domain.roles import role_claim
from gatehouse.domain.users import UserType

NBF_BACKDATE_SECONDS = 1
"""``nbf`` is one second before issue: CAT-NET requires ``nbf < now`` strictly, and clocks of
verifiers drift. ``exp - nbf`` is still exactly the configured duration, so ``expires_in`` is
one second less (OrderCloud's own sample is 35999 for 600 minutes)."""

MICROS = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
JTI_RANDOM_BYTES = 16  # 128 bits: unique without coordination between processes


def micros(now: datetime) -> int:
    """Exact microseconds since the epoch (no float rounding)."""
    return (now - _EPOCH) // timedelta(microseconds=1)


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True, slots=True)
class TokenSubject:
    username: str
    client_id: str
    user_type: UserType
    internal_user_id: int | None
    roles: Collection[str]
    impersonator_id: int | None = None
    """``imp``: the internal id of the impersonating user (spec §3.10)."""
    order_id: str | None = None
    """``orderid``: the anonymous user's pre-allocated order id (spec §3.9)."""
    anon_user_id: str | None = None
    """``anonuserid``: an external visitor id sent with the anonymous grant (KB-TRACK)."""

    @property
    def sub(self) -> str:
        """RFC 9068 ``sub``: the user's internal id (``u``, stable across renames); for an
        anonymous shopper, who has no user, their ``orderid`` (one per anonymous token)."""
        if self.internal_user_id is not None:
            return str(self.internal_user_id)
        return self.order_id or self.username


@dataclass(frozen=True, slots=True)
class TokenTimes:
    nbf: int
    exp: int
    expires_in: int
    issued_us: int
    """The exact time of issue, in microseconds since the epoch."""

    @property
    def iat(self) -> int:
        return self.issued_us // MICROS


def token_times(now: datetime, duration_minutes: int) -> TokenTimes:
    """Times for a token issued ``now``: its real time, never moved (not even past a
    revocation threshold: thresholds have microsecond precision, ``revocation_threshold``)."""
    issued_us = micros(now)
    nbf = issued_us // MICROS - NBF_BACKDATE_SECONDS
    exp = nbf + duration_minutes * 60
    return TokenTimes(nbf=nbf, exp=exp, expires_in=exp - issued_us // MICROS, issued_us=issued_us)


def new_jti(issued_us: int) -> str:
    """A unique token id: the exact issue time (hexadecimal microseconds), a dot, 128 random
    bits. Unique by its random part; the time part is what ``issued_micros`` reads."""
    return f"{issued_us:x}.{secrets.token_urlsafe(JTI_RANDOM_BYTES)}"


def access_token_claims(subject: TokenSubject, times: TokenTimes, issuer: str) -> dict[str, Any]:
    """Build the claim dict: OrderCloud's claims in OrderCloud's order (dicts keep insertion
    order), then RFC 9068's."""
    claims: dict[str, Any] = {"usr": subject.username, "cid": subject.client_id}
    if subject.impersonator_id is not None:
        claims["imp"] = str(subject.impersonator_id)
    if subject.internal_user_id is not None:
        claims["u"] = str(subject.internal_user_id)
    if subject.order_id is not None:
        claims["orderid"] = subject.order_id
    if subject.anon_user_id is not None:
        claims["anonuserid"] = subject.anon_user_id
    claims["usrtype"] = subject.user_type.value
    role = role_claim(subject.roles)
    if role is not None:
        claims["role"] = role
    claims.update(iss=issuer, aud=issuer, exp=times.exp, nbf=times.nbf)
    claims.update(
        iat=times.iat,
        jti=new_jti(times.issued_us),
        sub=subject.sub,
        client_id=subject.client_id,
        scope=" ".join(sorted(subject.roles)),
    )
    return claims


def issued_micros(claims: dict[str, Any]) -> int | None:
    """When a verified token was issued, in microseconds: exact from its ``jti``; for tokens
    minted before ``jti`` existed, the start of its issue second (``nbf`` + 1 s)."""
    jti = claims.get("jti")
    if isinstance(jti, str):
        head, dot, _ = jti.partition(".")
        if dot and 0 < len(head) <= 16 and all(c in "0123456789abcdef" for c in head):
            return int(head, 16)
    nbf = claims.get("nbf")
    if isinstance(nbf, int) and not isinstance(nbf, bool):
        return (nbf + NBF_BACKDATE_SECONDS) * MICROS
    return None


def revoked_by(claims: dict[str, Any], valid_from: int) -> bool:
    """Whether a revocation threshold (``valid_from``, epoch microseconds) refuses this token."""
    issued = issued_micros(claims)
    return issued is None or issued < valid_from


def revocation_threshold(now: datetime, current: int = 0) -> int:
    """The ``valid_from`` (microseconds) that refuses every token issued up to ``now``: the
    next microsecond, never lowered (a clock that stepped back cannot revive revoked tokens).
    The revoking call returns only once it has passed (``seconds_until``), so every token
    issued before the call returned is refused and every token issued after it stands."""
    return max(micros(now) + 1, current)


def seconds_until(threshold: int, now: datetime, cap: float = 1.0) -> float:
    """How long a revoking call waits before returning: until its threshold has passed (at
    most ``cap``: after a clock step back, the old threshold may lie far ahead)."""
    return min(cap, max(0.0, (threshold - micros(now)) / MICROS))


def refresh_token_expiry(now: datetime, duration_minutes: int) -> datetime:
    """A refresh token lives ``RefreshTokenDuration`` minutes from issue (spec §3.8)."""
    return now + timedelta(minutes=duration_minutes)


def refresh_token_usable(expires_at: datetime, revoked_at: datetime | None, now: datetime) -> bool:
    """Usable until it expires or is revoked; using it neither rotates nor consumes it
    (spec §3.8: the JS SDK keeps presenting the first one)."""
    return revoked_at is None and now < expires_at
