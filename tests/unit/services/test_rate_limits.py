"""``RateLimitService``: where a client's limits come from, and what it refuses."""

from __future__ import annotations

import pytest

from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.rate_limits import UNLIMITED, RateLimits
from gatehouse.services.rate_limits import SOURCE_CLIENT, SOURCE_MARKETPLACE
from gatehouse.services.registry import Services
from tests.factories.marketplaces import Marketplace


async def test_a_client_follows_the_marketplace_until_it_has_its_own(
    services: Services, marketplace: Marketplace
) -> None:
    limits = services.rate_limits
    view = await limits.get_client(marketplace.id, marketplace.client_id)
    assert (view.limits, view.source) == (UNLIMITED, SOURCE_MARKETPLACE)
    default = await limits.put_marketplace(marketplace.id, RateLimits(api_per_minute=50))
    assert default == RateLimits(None, None, 50, 50)  # the burst defaults to the rate
    view = await limits.get_client(marketplace.id, marketplace.client_id.upper())
    assert (view.limits, view.source) == (default, SOURCE_MARKETPLACE)
    own = await limits.put_client(
        marketplace.id, marketplace.client_id, RateLimits(token_per_minute=5)
    )
    assert (own.limits, own.source) == (RateLimits(5, 5, None, None), SOURCE_CLIENT)
    await limits.delete_client(marketplace.id, marketplace.client_id)
    view = await limits.get_client(marketplace.id, marketplace.client_id)
    assert (view.limits, view.source) == (default, SOURCE_MARKETPLACE)


async def test_unknown_clients_are_not_found(services: Services, marketplace: Marketplace) -> None:
    with pytest.raises(NotFoundError):
        await services.rate_limits.get_client(marketplace.id, "no-such-client")
    with pytest.raises(NotFoundError):
        await services.rate_limits.put_client(marketplace.id, "x" * 101, RateLimits())
    with pytest.raises(NotFoundError):  # another marketplace's client is not revealed
        await services.rate_limits.delete_client("another-marketplace", marketplace.client_id)
