"""The shared list conventions through /v1/apiclients: search, sort, filters, paging, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories.marketplaces import Marketplace
from tests.support.console import drop_console_client

pytestmark = pytest.mark.asyncio


async def seed(client: httpx.AsyncClient, mp: Marketplace) -> None:
    await drop_console_client(client, mp)
    rows = [
        ("Storefront EU", 30, True, {"env": "prod", "rank": 3}),
        ("Storefront US", 45, True, {"env": "prod", "rank": 12}),
        ("Middleware", 60, False, {"env": "staging", "rank": "n/a"}),
        ("Admin Backoffice", 120, False, None),
    ]
    for name, duration, any_buyer, xp in rows:
        response = await client.post(
            "/v1/apiclients",
            headers=mp.auth,
            json={
                "AppName": name,
                "AccessTokenDuration": duration,
                "AllowAnyBuyer": any_buyer,
                "xp": xp,
            },
        )
        assert response.status_code == 201


async def names(client: httpx.AsyncClient, mp: Marketplace, params: Any) -> list[str]:
    response = await client.get("/v1/apiclients", headers=mp.auth, params=params)
    assert response.status_code == 200, response.text
    return [item["AppName"] for item in response.json()["Items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"sortBy": "AppName"},
            [
                "Admin Backoffice",
                "Default Admin Client (created with the marketplace)",
                "Middleware",
                "Storefront EU",
                "Storefront US",
            ],
        ),
        (
            {"sortBy": "!AppName", "AllowSeller": "false"},
            ["Storefront US", "Storefront EU", "Middleware", "Admin Backoffice"],
        ),
        ({"AppName": "Storefront*", "sortBy": "AppName"}, ["Storefront EU", "Storefront US"]),
        ({"AppName": "*US"}, ["Storefront US"]),
        ({"AppName": "storefront eu"}, ["Storefront EU"]),
        ({"AppName": "Middleware|Admin*", "sortBy": "AppName"}, ["Admin Backoffice", "Middleware"]),
        (
            {"AccessTokenDuration": ">45", "sortBy": "AppName"},
            [
                "Admin Backoffice",
                "Default Admin Client (created with the marketplace)",
                "Middleware",
            ],
        ),
        ({"AccessTokenDuration": "<=45", "sortBy": "!AppName"}, ["Storefront US", "Storefront EU"]),
        (
            {"AccessTokenDuration": "!60", "AllowSeller": "false", "sortBy": "AppName"},
            ["Admin Backoffice", "Storefront EU", "Storefront US"],
        ),
        (
            {"AccessTokenDuration": ">=45", "AllowSeller": "false", "sortBy": "AppName,!ID"},
            ["Admin Backoffice", "Middleware", "Storefront US"],
        ),
        ({"xp.env": "prod", "sortBy": "AppName"}, ["Storefront EU", "Storefront US"]),
        ({"xp.rank": ">5"}, ["Storefront US"]),
        ({"xp.env": "!*", "AllowSeller": "false"}, ["Admin Backoffice"]),
        ({"search": "front", "sortBy": "AppName"}, ["Storefront EU", "Storefront US"]),
        ({"search": "middle", "searchOn": "AppName"}, ["Middleware"]),
        ({"search": "middle", "searchOn": "ID"}, []),
        (
            {"sortBy": "xp.rank", "xp.rank": "*", "xp.env": "prod"},
            ["Storefront EU", "Storefront US"],
        ),
    ],
)
async def test_queries(
    client: httpx.AsyncClient, marketplace: Marketplace, params: dict[str, str], expected: list[str]
) -> None:
    await seed(client, marketplace)
    assert await names(client, marketplace, params) == expected


async def test_repeated_filter_is_and(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    await seed(client, marketplace)
    found = await names(
        client, marketplace, [("AccessTokenDuration", ">30"), ("AccessTokenDuration", "<100")]
    )
    # The marketplace's own client has AccessTokenDuration 60 (issue 13), inside the range.
    assert sorted(found) == [
        "Default Admin Client (created with the marketplace)",
        "Middleware",
        "Storefront US",
    ]


async def test_paging_meta(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    await seed(client, marketplace)
    response = await client.get(
        "/v1/apiclients",
        headers=marketplace.auth,
        params={"page": "2", "pageSize": "2", "sortBy": "AppName"},
    )
    body = response.json()
    assert body["Meta"] == {
        "Page": 2,
        "PageSize": 2,
        "TotalCount": 5,
        "TotalPages": 3,
        "ItemRange": [3, 4],
        "NextPageKey": None,
    }
    assert [i["AppName"] for i in body["Items"]] == ["Middleware", "Storefront EU"]
    last = (
        await client.get(
            "/v1/apiclients", headers=marketplace.auth, params={"page": "3", "pageSize": "2"}
        )
    ).json()
    assert last["Meta"]["ItemRange"] == [5, 5] and len(last["Items"]) == 1


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"pageSize": "101"}, "List.InvalidPageSize"),
        ({"pageSize": "0"}, "List.InvalidPageSize"),
        ({"pageSize": "ten"}, "List.InvalidPageSize"),
        ({"page": "0"}, "List.InvalidPage"),
        ({"sortBy": "Nope"}, "List.InvalidSortProperty"),
        ({"sortBy": "ClientSecret"}, "List.InvalidSortProperty"),
        ({"sortBy": "AccessTokenDuration"}, "List.InvalidSortProperty"),
        ({"searchOn": "Nope", "search": "x"}, "List.InvalidSearchProperty"),
        ({"Nope": "x"}, "List.InvalidProperty"),
        ({"AccessTokenDuration": "abc"}, "List.InvalidType"),
        ({"AllowSeller": "maybe"}, "List.InvalidType"),
    ],
)
async def test_bad_list_input(
    client: httpx.AsyncClient, marketplace: Marketplace, params: dict[str, str], code: str
) -> None:
    response = await client.get("/v1/apiclients", headers=marketplace.auth, params=params)
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == code


@pytest.mark.parametrize("value", ["'; DROP TABLE api_clients; --", "%", "_", "\\", 'a"b'])
async def test_hostile_values_are_literal(
    client: httpx.AsyncClient, marketplace: Marketplace, value: str
) -> None:
    await seed(client, marketplace)
    assert await names(client, marketplace, {"AppName": value}) == []
    assert await names(client, marketplace, {"search": value}) == []
    assert len(await names(client, marketplace, {})) == 5
