"""The reference lookups other resources' deletes run against impersonation configs, under
the marketplace lock (``lock_marketplace``), on the real database."""

from __future__ import annotations

import secrets

from gatehouse.domain.impersonation import ImpersonationConfig
from gatehouse.runtime import Runtime
from gatehouse.services.marketplaces import FULL_ACCESS_PROFILE_ID
from gatehouse.storage.queries import impersonation_configs as configs_q
from gatehouse.storage.queries.impersonation_configs import Reference
from gatehouse.storage.queries.marketplaces import lock_marketplace
from tests.factories.marketplaces import Marketplace


async def test_each_reference_finds_the_config_naming_it(
    runtime: Runtime, marketplace: Marketplace
) -> None:
    config = ImpersonationConfig(
        id=f"ic-{secrets.token_hex(4)}",
        security_profile_id=FULL_ACCESS_PROFILE_ID,
        client_id=marketplace.client_id,
    )
    async with runtime.db.write() as session:
        await lock_marketplace(session, marketplace.id)
        await configs_q.insert(
            session, marketplace_id=marketplace.id, config=config, now=runtime.clock.now()
        )
    async with runtime.db.write() as session:
        await lock_marketplace(session, marketplace.id)
        found = {
            reference: await configs_q.first_referencing(
                session, marketplace_id=marketplace.id, reference=reference
            )
            for reference in (
                Reference(profile_id=FULL_ACCESS_PROFILE_ID),
                Reference(client_id=marketplace.client_id),
                Reference(profile_id="another-profile"),
                Reference(company_id="", user_id="nobody"),
                Reference(company_id="some-buyer", group_id="no-group"),
            )
        }
        elsewhere = await configs_q.first_referencing(
            session,
            marketplace_id="another-marketplace",
            reference=Reference(profile_id=FULL_ACCESS_PROFILE_ID),
        )
    assert list(found.values()) == [config.id, config.id, None, None, None]
    assert elsewhere is None
