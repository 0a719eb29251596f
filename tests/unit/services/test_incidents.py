"""``IncidentService``: finding a client's marketplace, and a revocation threshold taken from
the clock the service is bound to."""

from __future__ import annotations

import pytest

from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.tokens import micros
from gatehouse.services.registry import Services
from tests.factories.marketplaces import Marketplace
from tests.unit.services.conftest import NOW


async def test_the_client_marketplace_is_found_by_client_id_alone(
    services: Services, marketplace: Marketplace
) -> None:
    found = await services.incidents.client_marketplace(marketplace.client_id.upper())
    assert found == marketplace.id
    with pytest.raises(NotFoundError):
        await services.incidents.client_marketplace("no-such-client")


async def test_revoking_sets_the_threshold_from_the_bound_clock(
    services: Services, marketplace: Marketplace
) -> None:
    threshold = await services.incidents.revoke_client_tokens(marketplace.id, marketplace.client_id)
    assert threshold == micros(NOW) + 1  # the microsecond after the bound clock's now
    again = await services.incidents.revoke_client_tokens(marketplace.id, marketplace.client_id)
    assert again == threshold  # never lowered; a clock that has not moved leaves it there
    with pytest.raises(NotFoundError):
        await services.incidents.revoke_client_tokens("another-marketplace", marketplace.client_id)
