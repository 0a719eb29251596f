"""The codec's cache of verified tokens (``oauth.jwt``): a token presented again is not parsed
or verified again, yet still stops at its expiry, and a changed token is never found there."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest

from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.runtime import Runtime
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio


async def test_a_token_presented_again_is_not_decoded_again(
    runtime: Runtime, marketplace: Marketplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await runtime.codec.verify(marketplace.token)
    calls: list[Any] = []
    real = jwt.decode

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    again = await runtime.codec.verify(marketplace.token)
    assert again == first and again is not first
    assert calls == []


async def test_a_cached_token_still_expires(
    runtime: Runtime, marketplace: Marketplace, clock: AdjustableClock
) -> None:
    claims = await runtime.codec.verify(marketplace.token)
    clock.advance(timedelta(seconds=claims["exp"] - claims["nbf"] + 1))
    with pytest.raises(UnauthenticatedError):
        await runtime.codec.verify(marketplace.token)


async def test_an_altered_token_is_verified_and_refused(
    runtime: Runtime, marketplace: Marketplace
) -> None:
    await runtime.codec.verify(marketplace.token)
    header, payload, signature = marketplace.token.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(UnauthenticatedError):
        await runtime.codec.verify(tampered)
