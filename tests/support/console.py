"""Tests about one marketplace's API clients that predate the admin console (issue 9) expect
the marketplace to hold only its default client: they delete the console's own client first,
through the API, as an operator could."""

from __future__ import annotations

import httpx

from tests.factories.marketplaces import Marketplace


async def drop_console_client(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    config = await client.get("/gatehouse/console/config", params={"marketplace": marketplace.id})
    assert config.status_code == 200, config.text
    deleted = await client.delete(
        f"/v1/apiclients/{config.json()['ApiClientID']}", headers=marketplace.auth
    )
    assert deleted.status_code == 204, deleted.text
