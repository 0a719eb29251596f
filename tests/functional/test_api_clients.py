"""/v1/apiclients: CRUD, defaults, validation, read-only fields, the last-full-access rule."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.factories.marketplaces import Marketplace
from tests.support.console import drop_console_client

pytestmark = pytest.mark.asyncio

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ALL_FIELDS = [
    "ID",
    "ClientSecret",
    "AccessTokenDuration",
    "Active",
    "AppName",
    "RefreshTokenDuration",
    "AnonymousTokenDuration",
    "DefaultContextUserName",
    "xp",
    "AllowAnyBuyer",
    "AllowAnySupplier",
    "AllowSeller",
    "IsAnonBuyer",
    "AssignedBuyerCount",
    "AssignedSupplierCount",
    "OrderCheckoutIntegrationEventID",
    "OrderCheckoutIntegrationEventName",
    "OrderReturnIntegrationEventID",
    "OrderReturnIntegrationEventName",
    "AddToCartIntegrationEventID",
    "AddToCartIntegrationEventName",
    "MinimumRequiredRoles",
    "MinimumRequiredCustomRoles",
    "MaximumGrantedRoles",
    "MaximumGrantedCustomRoles",
]


async def create(client: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> httpx.Response:
    body = {"AppName": "App", "AccessTokenDuration": 60, **fields}
    return await client.post("/v1/apiclients", headers=mp.auth, json=body)


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["Errors"][0]["ErrorCode"]
    return code


async def test_create_returns_every_field_with_defaults(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await create(
        client, marketplace, ID="ignored-id", AssignedBuyerCount=7, Unknown="ignored"
    )
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ALL_FIELDS
    assert GUID.fullmatch(body["ID"])
    assert response.headers["Location"].endswith(f"/v1/apiclients/{body['ID']}")
    assert body == {
        **dict.fromkeys(ALL_FIELDS),
        "ID": body["ID"],
        "AccessTokenDuration": 60,
        "Active": True,
        "AppName": "App",
        "RefreshTokenDuration": 0,
        "AnonymousTokenDuration": 10080,
        "AllowAnyBuyer": False,
        "AllowAnySupplier": False,
        "AllowSeller": False,
        "IsAnonBuyer": False,
        "AssignedBuyerCount": 0,
        "AssignedSupplierCount": 0,
        "MinimumRequiredRoles": [],
        "MinimumRequiredCustomRoles": [],
        "MaximumGrantedRoles": [],
        "MaximumGrantedCustomRoles": [],
    }
    fetched = await client.get(f"/v1/apiclients/{body['ID'].upper()}", headers=marketplace.auth)
    assert fetched.json() == body


async def test_every_writable_field_round_trips(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    fields = {
        "AppName": "Full",
        "AccessTokenDuration": 600,
        "Active": False,
        "ClientSecret": "abc",
        "RefreshTokenDuration": 524160,
        "AnonymousTokenDuration": 86400,
        "DefaultContextUserName": marketplace.credentials.username,
        "xp": {"a": {"b": 1}},
        "AllowAnyBuyer": True,
        "AllowAnySupplier": True,
        "AllowSeller": True,
        "IsAnonBuyer": False,
        "OrderCheckoutIntegrationEventID": "chk",
        "OrderReturnIntegrationEventID": "ret",
        "AddToCartIntegrationEventID": "cart",
        "MinimumRequiredRoles": ["Shopper"],
        "MinimumRequiredCustomRoles": ["c1"],
        "MaximumGrantedRoles": ["Shopper", "MeAdmin"],
        "MaximumGrantedCustomRoles": ["c1", "c2"],
    }
    body = (await create(client, marketplace, **fields)).json()
    for name, value in fields.items():
        assert body[name] == value, name


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"AccessTokenDuration": 9}, "ValidationFailure"),
        ({"AccessTokenDuration": 601}, "ValidationFailure"),
        ({"RefreshTokenDuration": -1}, "ValidationFailure"),
        ({"RefreshTokenDuration": 524161}, "ValidationFailure"),
        ({"AnonymousTokenDuration": 9}, "ValidationFailure"),
        ({"AnonymousTokenDuration": 86401}, "ValidationFailure"),
        ({"AccessTokenDuration": "sixty"}, "ValidationFailure"),
        ({"AccessTokenDuration": 2**40}, "ValidationFailure"),
        ({"AllowSeller": "yes"}, "ValidationFailure"),
        ({"AppName": 5}, "ValidationFailure"),
        ({"AppName": ""}, "ValidationFailure"),
        ({"AppName": "x" * 1001}, "ValidationFailure"),
        ({"MinimumRequiredRoles": ["NotARole"]}, "ValidationFailure"),
        ({"MaximumGrantedCustomRoles": ["has space"]}, "ValidationFailure"),
        ({"xp": [1, 2]}, "ValidationFailure"),
        ({"xp": {"big": "x" * 9000}}, "ValidationFailure"),
        ({"DefaultContextUserName": "nobody"}, "NotFound"),
    ],
)
async def test_invalid_fields_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, marketplace: Marketplace, fields: dict[str, Any], code: str
) -> None:
    await drop_console_client(client, marketplace)
    response = await create(client, marketplace, **fields)
    assert response.status_code in (400, 404)
    assert error_code(response) == code
    listed = await client.get("/v1/apiclients", headers=marketplace.auth)
    assert listed.json()["Meta"]["TotalCount"] == 1


@pytest.mark.parametrize("missing", ["AppName", "AccessTokenDuration"])
async def test_required_fields(
    client: httpx.AsyncClient, marketplace: Marketplace, missing: str
) -> None:
    body = {"AppName": "App", "AccessTokenDuration": 60}
    del body[missing]
    response = await client.post("/v1/apiclients", headers=marketplace.auth, json=body)
    assert response.status_code == 400
    assert response.json()["Errors"][0] == {
        "ErrorCode": "RequiredField",
        "Message": f"Field {missing} is required",
        "Data": {"Field": missing},
    }


@pytest.mark.parametrize("raw", [b"{not json", b"{", b'{"AppName": "x",', b"[]", b"null", b""])
async def test_malformed_bodies(
    client: httpx.AsyncClient, marketplace: Marketplace, raw: bytes
) -> None:
    response = await client.post(
        "/v1/apiclients",
        headers={**marketplace.auth, "Content-Type": "application/json"},
        content=raw,
    )
    assert response.status_code == 400
    assert error_code(response) == "Request.InvalidRequestBody"


async def test_oversized_body(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    response = await create(client, marketplace, xp={"blob": "x" * 2_000_000})
    assert response.status_code == 413


async def test_put_replaces_and_resets_omitted_fields(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = (await create(client, marketplace, AllowAnyBuyer=True, xp={"a": 1})).json()
    response = await client.put(
        f"/v1/apiclients/{created['ID']}",
        headers=marketplace.auth,
        json={"AppName": "Renamed", "AccessTokenDuration": 30, "ID": "cannot-change"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ID"] == created["ID"]
    assert (body["AppName"], body["AccessTokenDuration"]) == ("Renamed", 30)
    assert body["AllowAnyBuyer"] is False and body["xp"] is None


async def test_put_requires_the_required_fields(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = (await create(client, marketplace)).json()
    response = await client.put(
        f"/v1/apiclients/{created['ID']}", headers=marketplace.auth, json={"AppName": "x"}
    )
    assert error_code(response) == "RequiredField"


async def test_put_on_unknown_id_is_not_found(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await client.put(
        "/v1/apiclients/unknown",
        headers=marketplace.auth,
        json={"AppName": "x", "AccessTokenDuration": 60},
    )
    assert response.status_code == 404
    assert response.json()["Errors"][0]["Data"] == {
        "ObjectType": "ApiClient",
        "ObjectID": "unknown",
    }


async def test_patch_changes_only_sent_fields_and_merges_xp(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = (
        await create(client, marketplace, AllowAnyBuyer=True, xp={"a": {"x": 1, "y": 2}, "b": 1})
    ).json()
    response = await client.patch(
        f"/v1/apiclients/{created['ID']}",
        headers=marketplace.auth,
        json={"AppName": "Patched", "xp": {"a": {"y": 3, "z": None}}},
    )
    body = response.json()
    assert body["AppName"] == "Patched"
    assert body["AllowAnyBuyer"] is True
    assert body["AccessTokenDuration"] == 60
    assert body["xp"] == {"a": {"x": 1, "y": 3, "z": None}, "b": 1}


async def test_patch_validates(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    created = (await create(client, marketplace)).json()
    response = await client.patch(
        f"/v1/apiclients/{created['ID']}",
        headers=marketplace.auth,
        json={"AccessTokenDuration": 1000},
    )
    assert error_code(response) == "ValidationFailure"
    unchanged = await client.get(f"/v1/apiclients/{created['ID']}", headers=marketplace.auth)
    assert unchanged.json()["AccessTokenDuration"] == 60


async def test_patch_null_on_required_field(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = (await create(client, marketplace)).json()
    response = await client.patch(
        f"/v1/apiclients/{created['ID']}", headers=marketplace.auth, json={"AppName": None}
    )
    assert response.status_code == 400


async def test_delete(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    created = (await create(client, marketplace)).json()
    response = await client.delete(f"/v1/apiclients/{created['ID']}", headers=marketplace.auth)
    assert response.status_code == 204
    gone = await client.get(f"/v1/apiclients/{created['ID']}", headers=marketplace.auth)
    assert gone.status_code == 404
    again = await client.delete(f"/v1/apiclients/{created['ID']}", headers=marketplace.auth)
    assert again.status_code == 404


async def test_last_full_access_client_cannot_be_deleted(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await drop_console_client(client, marketplace)  # the console's client is full access too
    response = await client.delete(
        f"/v1/apiclients/{marketplace.client_id}", headers=marketplace.auth
    )
    assert response.status_code == 409
    assert error_code(response) == "ApiClient.CannotDeleteLastFullAccess"
    # A client limited below FullAccess does not count as a replacement.
    await create(client, marketplace, AllowSeller=True, MaximumGrantedRoles=["ApiClientAdmin"])
    still = await client.delete(f"/v1/apiclients/{marketplace.client_id}", headers=marketplace.auth)
    assert still.status_code == 409
    await create(client, marketplace, AllowSeller=True)
    allowed = await client.delete(
        f"/v1/apiclients/{marketplace.client_id}", headers=marketplace.auth
    )
    assert allowed.status_code == 204


async def test_default_context_user_resolves_to_the_stored_username(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    body = (
        await create(
            client, marketplace, DefaultContextUserName=marketplace.credentials.username.upper()
        )
    ).json()
    assert body["DefaultContextUserName"] == marketplace.credentials.username
