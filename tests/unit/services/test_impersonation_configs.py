"""``ImpersonationConfigService`` and the reference checks other services run under the
marketplace lock (``storage.queries.marketplaces.lock_marketplace``): a config's references
must exist, and what a config names cannot be deleted from under it."""

from __future__ import annotations

import secrets

import pytest

from gatehouse.domain.errors import ConflictError, NotFoundError
from gatehouse.services.marketplaces import FULL_ACCESS_PROFILE_ID
from gatehouse.services.registry import Services
from tests.factories.marketplaces import Marketplace


def _fields(marketplace: Marketplace, **more: str) -> dict[str, str]:
    return {
        "security_profile_id": FULL_ACCESS_PROFILE_ID,
        "client_id": marketplace.client_id,
        **more,
    }


async def test_every_reference_must_exist(services: Services, marketplace: Marketplace) -> None:
    configs = services.impersonation_configs
    with pytest.raises(NotFoundError) as missing:
        await configs.create(marketplace.id, _fields(marketplace, security_profile_id="nope"))
    assert missing.value.data["ObjectType"] == "SecurityProfile"
    with pytest.raises(NotFoundError) as missing:
        await configs.create(marketplace.id, _fields(marketplace, buyer_id="no-such-buyer"))
    assert missing.value.data["ObjectType"] == "Buyer"


async def test_a_named_client_and_profile_cannot_be_deleted(
    services: Services, marketplace: Marketplace
) -> None:
    config = await services.impersonation_configs.create(
        marketplace.id, _fields(marketplace, id=f"ic-{secrets.token_hex(4)}")
    )
    with pytest.raises(ConflictError) as refused:
        await services.security_profiles.delete(marketplace.id, FULL_ACCESS_PROFILE_ID)
    assert refused.value.code == "Impersonation.CannotDeleteSecurityProfile"
    assert refused.value.data == {"ObjectType": "ImpersonationConfig", "ObjectID": config.id}
    await services.impersonation_configs.delete(marketplace.id, config.id)
    with pytest.raises(NotFoundError):
        await services.impersonation_configs.get(marketplace.id, config.id)
