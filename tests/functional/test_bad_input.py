"""Hostile input anywhere gets a 4xx with the OrderCloud error body, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio


def code(response: httpx.Response) -> str:
    value: str = response.json()["Errors"][0]["ErrorCode"]
    return value


async def test_nul_in_json_bodies(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    for path, body in [
        ("/v1/apiclients", '{"AppName":"a\\u0000","AccessTokenDuration":60}'),
        ("/v1/apiclients", '{"AppName":"a","AccessTokenDuration":60,"xp":{"k\\u0000":1}}'),
        (
            "/v1/adminusers",
            '{"ID":"a","Username":"a\\u0000","FirstName":"a","LastName":"b",'
            '"Email":"e","Active":true}',
        ),
        ("/v1/securityprofiles", '{"Name":"n","CustomRoles":["x\\u0000"]}'),
    ]:
        response = await client.post(
            path,
            content=body.encode(),
            headers={**marketplace.auth, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, (path, response.text)
        assert code(response) == "ValidationFailure"


@pytest.mark.parametrize(
    "url",
    [
        "/v1/apiclients/a%00b",
        "/v1/apiclients?AppName=%00",
        "/v1/apiclients/assignments?buyerID=%00",
    ],
)
async def test_nul_in_urls(client: httpx.AsyncClient, marketplace: Marketplace, url: str) -> None:
    response = await client.get(url, headers=marketplace.auth)
    assert response.status_code == 400
    assert code(response) == "Request.InvalidCharacters"


async def test_nul_in_token_form(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": marketplace.client_id,
            "username": "a\x00",
            "password": "x",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_json_body_without_json_content_type(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await client.post(
        "/v1/apiclients",
        content=b'{"AppName":"a","AccessTokenDuration":60}',
        headers={**marketplace.auth, "Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    assert code(response) == "Request.InvalidRequestBody"


async def test_overlong_ids_in_paths(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    response = await client.get("/v1/apiclients/" + "x" * 5000, headers=marketplace.auth)
    assert response.status_code == 404
    user = await client.get("/v1/adminusers/" + "x" * 5000, headers=marketplace.auth)
    assert user.status_code == 404


async def test_deeply_nested_xp(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    nested = "[" * 5000 + "]" * 5000
    response = await client.post(
        "/v1/apiclients",
        headers={**marketplace.auth, "Content-Type": "application/json"},
        content=f'{{"AppName":"a","AccessTokenDuration":60,"xp":{{"a":{nested}}}}}'.encode(),
    )
    assert 400 <= response.status_code < 500


async def test_invalid_utf8(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    response = await client.post(
        "/v1/apiclients",
        content=b'{"AppName":"\xff","AccessTokenDuration":60}',
        headers={**marketplace.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    form = await client.post(
        "/oauth/token",
        content=b"grant_type=password&username=\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= form.status_code < 500


async def test_wrong_method(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    response = await client.request("PATCH", "/v1/apiclients", headers=marketplace.auth, json={})
    assert response.status_code == 405
    assert "Errors" in response.json()
