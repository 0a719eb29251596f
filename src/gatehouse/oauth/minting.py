"""The one place an access token is minted (spec §3.3–3.5, §3.10, §6.3): every grant, an
impersonation and a registration sign the same claims (``domain.tokens.access_token_claims``)
with the client's ``AccessTokenDuration``, dated at the real time of issue.

Who gets which roles is decided before this is called; minting only dates, shapes and signs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.clock import Clock
from gatehouse.domain.tokens import TokenSubject, access_token_claims, token_times
from gatehouse.domain.users import UserIdentity


class ClaimSigner(Protocol):
    """Signs a claim set into a JWT (``oauth.jwt.TokenCodec`` in the server)."""

    async def sign(self, claims: dict[str, Any]) -> str: ...


class MintingContext(Protocol):
    """What minting needs from the process (``grants.base.GrantContext`` is one)."""

    @property
    def codec(self) -> ClaimSigner: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def issuer(self) -> str: ...


@dataclass(frozen=True, slots=True)
class MintedToken:
    """A signed access token and its lifetime in seconds (``expires_in``)."""

    access_token: str
    expires_in: int


async def mint_access_token(
    ctx: MintingContext,
    client: ApiClient,
    user: UserIdentity,
    roles: frozenset[str],
    *,
    impersonator_id: int | None = None,
) -> MintedToken:
    """Sign an access token for ``user`` through ``client`` carrying ``roles`` (and ``imp``
    when ``impersonator_id`` is given), valid for the client's ``AccessTokenDuration``."""
    times = token_times(ctx.clock.now(), client.access_token_duration)
    subject = TokenSubject(
        username=user.username,
        client_id=client.id,
        user_type=user.user_type,
        internal_user_id=user.internal_id,
        roles=roles,
        impersonator_id=impersonator_id,
    )
    token = await ctx.codec.sign(access_token_claims(subject, times, ctx.issuer))
    return MintedToken(token, times.expires_in)
