"""Rate-limit settings through ``/gatehouse/ratelimits`` and the 429 they lead to."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories.marketplaces import Marketplace


def limits_url(client_id: str) -> str:
    return f"/gatehouse/apiclients/{client_id}/ratelimits"


def first_error(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["Errors"][0]
    return error


async def new_client(client: httpx.AsyncClient, mp: Marketplace, name: str = "Integration") -> str:
    created = await client.post(
        "/v1/apiclients",
        headers=mp.auth,
        json={"AppName": name, "AccessTokenDuration": 600, "AllowSeller": True},
    )
    assert created.status_code == 201, created.text
    client_id: str = created.json()["ID"]
    return client_id


async def put_limits(
    client: httpx.AsyncClient, mp: Marketplace, client_id: str, **limits: int | None
) -> httpx.Response:
    response = await client.put(limits_url(client_id), headers=mp.auth, json=limits)
    assert response.status_code == 200, response.text
    return response


def assert_rate_limited(
    response: httpx.Response, retry_after: int, code: str, slack: int = 5
) -> None:
    """429, ``Retry-After`` whole seconds equal to ``Data.RetryAfter``: ``retry_after`` or up
    to ``slack`` s less (the test clock is real time plus an offset: the requests before took
    time)."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["Retry-After"])
    assert retry_after - slack <= seconds <= retry_after, (seconds, retry_after)
    error = first_error(response)
    assert error["ErrorCode"] == code
    assert error["Data"] == {"RetryAfter": seconds}
    assert error["Message"]
