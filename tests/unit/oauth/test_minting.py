"""``oauth.minting.mint_access_token``: the one place access tokens are minted, against a fake
signer and a fixed clock (no keys, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.tokens import NBF_BACKDATE_SECONDS
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.oauth.minting import mint_access_token

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
ISSUER = "https://auth.example.test"


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class RecordingSigner:
    """Signs nothing: remembers the claims and answers a stand-in token."""

    signed: list[dict[str, Any]] = field(default_factory=list)

    async def sign(self, claims: dict[str, Any]) -> str:
        self.signed.append(claims)
        return f"token-{len(self.signed)}"


@dataclass(frozen=True)
class Context:
    codec: RecordingSigner
    clock: FixedClock
    issuer: str


CLIENT = ApiClient(id="CLIENT-1", app_name="app", access_token_duration=30)
USER = UserIdentity(
    internal_id=42,
    username="buyer-1",
    user_type=UserType.BUYER,
    company_id="b1",
    active=True,
    company_active=True,
)


def context() -> Context:
    return Context(RecordingSigner(), FixedClock(), ISSUER)


async def test_claims_name_the_user_the_client_and_the_roles() -> None:
    ctx = context()
    minted = await mint_access_token(ctx, CLIENT, USER, frozenset({"Shopper", "MeAdmin"}))
    assert minted.access_token == "token-1"
    claims = ctx.codec.signed[0]
    assert (claims["usr"], claims["cid"], claims["u"], claims["usrtype"]) == (
        "buyer-1",
        "CLIENT-1",
        "42",
        "buyer",
    )
    assert claims["scope"] == "MeAdmin Shopper"
    assert (claims["iss"], claims["aud"]) == (ISSUER, ISSUER)
    assert "imp" not in claims


async def test_lifetime_is_the_clients_access_token_duration_from_the_clock() -> None:
    ctx = context()
    minted = await mint_access_token(ctx, CLIENT, USER, frozenset())
    claims = ctx.codec.signed[0]
    issued = int(NOW.timestamp())
    assert claims["nbf"] == issued - NBF_BACKDATE_SECONDS
    assert claims["exp"] == claims["nbf"] + 30 * 60
    assert minted.expires_in == claims["exp"] - issued
    assert claims["iat"] == issued


async def test_an_impersonation_token_carries_imp() -> None:
    ctx = context()
    await mint_access_token(ctx, CLIENT, USER, frozenset({"Shopper"}), impersonator_id=7)
    assert ctx.codec.signed[0]["imp"] == "7"
