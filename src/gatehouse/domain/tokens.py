"""Access-token claims and lifetimes (spec §4.2, §3.6).

The claim set is exactly OrderCloud's, in OrderCloud's order:
``usr, cid, [imp], [u], [orderid], [anonuserid], usrtype, role, iss, aud, exp, nbf``
(``anonuserid``'s place is Gatehouse's choice: no public sample shows it). There is no ``sub``,
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
    impersonator_id: int | None = None
    """``imp``: the internal id of the impersonating user (spec §3.10)."""
    order_id: str | None = None
    """``orderid``: the anonymous user's pre-allocated order id (spec §3.9)."""
    anon_user_id: str | None = None
    """``anonuserid``: an external visitor id sent with the anonymous grant (KB-TRACK)."""


@dataclass(frozen=True, slots=True)
class TokenTimes:
    nbf: int
    exp: int
    expires_in: int


def token_times(now: datetime, duration_minutes: int, valid_from: int = 0) -> TokenTimes:
    """Times for a token issued ``now``.

    ``valid_from`` is the subject's revocation threshold (epoch seconds; tokens issued before
    it are refused). A token issued in the same second as a revocation is dated at the
    threshold, so it survives the revocation it followed; its ``nbf`` is then at most the
    current second, never in the future.
    """
    issued = max(int(now.timestamp()), valid_from)
    nbf = issued - NBF_BACKDATE_SECONDS
    exp = nbf + duration_minutes * 60
    return TokenTimes(nbf=nbf, exp=exp, expires_in=exp - issued)


def access_token_claims(subject: TokenSubject, times: TokenTimes, issuer: str) -> dict[str, Any]:
    """Build the claim dict in OrderCloud's order (dicts keep insertion order)."""
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
    return claims


def issued_second(claims: dict[str, Any]) -> int | None:
    """The second a verified token was issued (``nbf`` is backdated by one second)."""
    nbf = claims.get("nbf")
    return nbf + NBF_BACKDATE_SECONDS if isinstance(nbf, int) else None


def revoked_by(claims: dict[str, Any], valid_from: int) -> bool:
    """Whether a revocation threshold (``valid_from``, epoch seconds) refuses this token."""
    issued = issued_second(claims)
    return issued is None or issued < valid_from


def revocation_threshold(now: datetime, current: int = 0) -> int:
    """The ``valid_from`` that refuses every token issued up to ``now``: the next second (and
    past ``current``, which tokens issued since an earlier revocation may carry). Tokens issued
    later in the current second are dated at this threshold (``token_times``)."""
    return max(int(now.timestamp()) + 1, current + 1)


def revocation_wait(now: datetime, current: int) -> float:
    """Seconds to wait before revoking again, so the new threshold is at most the next second.

    After a revocation, tokens issued in the same second are dated at its threshold (the next
    second). A second revocation within that second must refuse them too, so its threshold
    lies one second further; waiting for the second to end keeps every new token's ``nbf``
    in the past, as verifiers require."""
    boundary = int(now.timestamp()) + 1
    return max(0.0, boundary - now.timestamp()) if current >= boundary else 0.0


def refresh_token_expiry(now: datetime, duration_minutes: int) -> datetime:
    """A refresh token lives ``RefreshTokenDuration`` minutes from issue (spec §3.8)."""
    return now + timedelta(minutes=duration_minutes)


def refresh_token_usable(expires_at: datetime, revoked_at: datetime | None, now: datetime) -> bool:
    """Usable until it expires or is revoked; using it neither rotates nor consumes it
    (spec §3.8: the JS SDK keeps presenting the first one)."""
    return revoked_at is None and now < expires_at
