"""/v1/apiclients/{id}/secrets: CRUD, the value shown once, the ten-secret limit (also under
concurrent creates), expiration rules, and what named secrets do at the token endpoint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace

pytestmark = pytest.mark.asyncio


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["Errors"][0]["ErrorCode"]
    return code


def future(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def new_client(client: httpx.AsyncClient, mp: Marketplace, legacy: str | None = None) -> str:
    body: dict[str, Any] = {"AppName": "Secrets", "AccessTokenDuration": 60, "AllowSeller": True}
    if legacy is not None:
        body["ClientSecret"] = legacy
    response = await client.post("/v1/apiclients", headers=mp.auth, json=body)
    assert response.status_code == 201, response.text
    client_id: str = response.json()["ID"]
    return client_id


def secrets_url(client_id: str, secret_id: str | None = None) -> str:
    base = f"/v1/apiclients/{client_id}/secrets"
    return base if secret_id is None else f"{base}/{secret_id}"


async def create_secret(
    client: httpx.AsyncClient, mp: Marketplace, client_id: str, **body: Any
) -> httpx.Response:
    return await client.post(secrets_url(client_id), headers=mp.auth, json={"Name": "n", **body})


async def login(
    client: httpx.AsyncClient, mp: Marketplace, client_id: str, secret: str | None
) -> httpx.Response:
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "username": mp.credentials.username,
        "password": ADMIN_PASSWORD,
    }
    if secret is not None:
        form["client_secret"] = secret
    return await client.post("/oauth/token", data=form)


def assert_invalid_secret(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"
    assert response.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidClientSecret"


async def test_crud_and_the_value_is_shown_once(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    expiration = future()
    created = await create_secret(
        client, marketplace, client_id, ID="ci", Name="CI", Expiration=expiration
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert list(body) == ["ID", "Name", "Expiration", "ClientSecret"]
    assert body["ID"] == "ci" and body["Name"] == "CI"
    assert datetime.fromisoformat(body["Expiration"]) == datetime.fromisoformat(expiration)
    value = body["ClientSecret"]
    assert len(value) >= 43  # ≥ 256 bits as base64url
    assert created.headers["Location"].endswith(secrets_url(client_id, "ci"))

    got = await client.get(secrets_url(client_id, "ci"), headers=marketplace.auth)
    assert got.status_code == 200
    assert got.json() == {"ID": "ci", "Name": "CI", "Expiration": body["Expiration"]}
    listed = await client.get(secrets_url(client_id), headers=marketplace.auth)
    assert listed.json()["Items"] == [got.json()]
    assert listed.json()["Meta"]["TotalCount"] == 1
    for response in (got, listed):
        assert value not in response.text and "ClientSecret" not in response.text

    patched = await client.patch(
        secrets_url(client_id, "ci"),
        headers=marketplace.auth,
        json={"ID": "ci-2", "Name": "Renamed", "Expiration": None},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json() == {"ID": "ci-2", "Name": "Renamed", "Expiration": None}
    assert (await login(client, marketplace, client_id, value)).status_code == 200

    deleted = await client.delete(secrets_url(client_id, "ci-2"), headers=marketplace.auth)
    assert deleted.status_code == 204
    gone = await client.get(secrets_url(client_id, "ci-2"), headers=marketplace.auth)
    assert gone.status_code == 404
    assert gone.json()["Errors"][0]["Data"] == {"ObjectType": "ApiClientSecret", "ObjectID": "ci-2"}


async def test_generated_ids_values_and_validation(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    first = (await create_secret(client, marketplace, client_id)).json()
    second = (await create_secret(client, marketplace, client_id)).json()
    assert len(first["ID"]) == 22 and first["ID"] != second["ID"]
    assert first["Expiration"] is None
    assert first["ClientSecret"] != second["ClientSecret"]

    duplicate = await create_secret(client, marketplace, client_id, ID=first["ID"])
    assert duplicate.status_code == 409 and error_code(duplicate) == "IdExists"
    rename = await client.patch(
        secrets_url(client_id, second["ID"]), headers=marketplace.auth, json={"ID": first["ID"]}
    )
    assert rename.status_code == 409 and error_code(rename) == "IdExists"

    no_name = await client.post(secrets_url(client_id), headers=marketplace.auth, json={})
    assert no_name.status_code == 400 and error_code(no_name) == "RequiredField"
    long_name = await create_secret(client, marketplace, client_id, Name="x" * 101)
    assert long_name.status_code == 400
    bad_id = await create_secret(client, marketplace, client_id, ID="no spaces")
    assert bad_id.status_code == 400
    clear_name = await client.patch(
        secrets_url(client_id, first["ID"]), headers=marketplace.auth, json={"Name": None}
    )
    assert clear_name.status_code == 400 and error_code(clear_name) == "RequiredField"


async def test_unknown_client_and_other_marketplaces(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    unknown = await client.get(secrets_url("nope"), headers=marketplace.auth)
    assert unknown.status_code == 404
    assert unknown.json()["Errors"][0]["Data"] == {"ObjectType": "ApiClient", "ObjectID": "nope"}
    created = await create_secret(client, marketplace, "nope")
    assert created.status_code == 404


async def test_client_id_in_path_matches_case_insensitively(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    created = await create_secret(client, marketplace, client_id.upper(), ID="s")
    assert created.status_code == 201
    got = await client.get(secrets_url(client_id, "s"), headers=marketplace.auth)
    assert got.status_code == 200


async def test_list_search_and_sort_on_id(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    for secret_id in ("b-one", "a-two", "c-three"):
        await create_secret(client, marketplace, client_id, ID=secret_id)
    url = secrets_url(client_id)
    ordered = await client.get(url, headers=marketplace.auth, params={"sortBy": "!ID"})
    assert [s["ID"] for s in ordered.json()["Items"]] == ["c-three", "b-one", "a-two"]
    found = await client.get(url, headers=marketplace.auth, params={"search": "two"})
    assert [s["ID"] for s in found.json()["Items"]] == ["a-two"]
    by_name = await client.get(url, headers=marketplace.auth, params={"sortBy": "Name"})
    assert by_name.status_code == 400


async def test_at_most_ten_per_client(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    client_id = await new_client(client, marketplace)
    for _ in range(10):
        assert (await create_secret(client, marketplace, client_id)).status_code == 201
    eleventh = await create_secret(client, marketplace, client_id)
    assert eleventh.status_code == 400
    assert error_code(eleventh) == "ApiClientSecret.MaximumClientSecretsReached"
    other = await new_client(client, marketplace)
    assert (await create_secret(client, marketplace, other)).status_code == 201


async def test_at_most_ten_under_concurrent_creates(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    responses = await asyncio.gather(
        *(create_secret(client, marketplace, client_id) for _ in range(15))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 10 + [400] * 5
    listed = await client.get(secrets_url(client_id), headers=marketplace.auth)
    assert listed.json()["Meta"]["TotalCount"] == 10


async def test_expiration_in_the_past_is_refused(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    created = await create_secret(client, marketplace, client_id, Expiration=past)
    assert created.status_code == 400
    assert error_code(created) == "ApiClientSecret.InvalidExpirationDate"
    secret_id = (await create_secret(client, marketplace, client_id)).json()["ID"]
    patched = await client.patch(
        secrets_url(client_id, secret_id), headers=marketplace.auth, json={"Expiration": past}
    )
    assert patched.status_code == 400
    assert error_code(patched) == "ApiClientSecret.InvalidExpirationDate"
    naive = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None).isoformat()
    accepted = await create_secret(client, marketplace, client_id, Expiration=naive)
    assert accepted.status_code == 201, accepted.text
    assert datetime.fromisoformat(accepted.json()["Expiration"]).utcoffset() == timedelta()


async def test_named_secret_is_required_once_one_exists(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    assert (await login(client, marketplace, client_id, None)).status_code == 200
    value = (await create_secret(client, marketplace, client_id)).json()["ClientSecret"]
    for presented in (None, "", "wrong", value[:-1]):
        assert_invalid_secret(await login(client, marketplace, client_id, presented))
    assert (await login(client, marketplace, client_id, value)).status_code == 200


async def test_expired_secret_fails_and_still_counts_as_a_secret(
    client: httpx.AsyncClient, marketplace: Marketplace, clock: AdjustableClock
) -> None:
    client_id = await new_client(client, marketplace)
    expiring = await create_secret(client, marketplace, client_id, Expiration=future(days=1))
    value = expiring.json()["ClientSecret"]
    assert (await login(client, marketplace, client_id, value)).status_code == 200
    clock.advance(timedelta(days=2))
    assert_invalid_secret(await login(client, marketplace, client_id, value))
    assert_invalid_secret(await login(client, marketplace, client_id, None))


async def test_legacy_and_named_secrets_coexist(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace, legacy="legacy-value")
    value = (await create_secret(client, marketplace, client_id)).json()["ClientSecret"]
    assert (await login(client, marketplace, client_id, "legacy-value")).status_code == 200
    assert (await login(client, marketplace, client_id, value)).status_code == 200
    assert_invalid_secret(await login(client, marketplace, client_id, None))
    assert_invalid_secret(await login(client, marketplace, client_id, "other"))


async def test_deleting_the_last_secret_makes_the_client_secret_less(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    secret_id = (await create_secret(client, marketplace, client_id)).json()["ID"]
    assert_invalid_secret(await login(client, marketplace, client_id, None))
    await client.delete(secrets_url(client_id, secret_id), headers=marketplace.auth)
    assert (await login(client, marketplace, client_id, None)).status_code == 200


async def test_deleting_the_client_deletes_its_secrets(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    await create_secret(client, marketplace, client_id, ID="s")
    deleted = await client.delete(f"/v1/apiclients/{client_id}", headers=marketplace.auth)
    assert deleted.status_code == 204
    gone = await client.get(secrets_url(client_id, "s"), headers=marketplace.auth)
    assert gone.status_code == 404
