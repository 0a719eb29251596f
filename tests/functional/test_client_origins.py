"""Per-client allowed origins (Gatehouse's own): managed at
``/gatehouse/apiclients/{id}/origins`` apart from the OrderCloud ApiClient (whose PUT and
PATCH never touch them), and enforced on browser requests: the token request through the
client and ``/v1`` requests with its tokens, from the caches (no SQL when warm), changed on
the very next request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gatehouse.runtime import Runtime
from tests.factories.client_credentials import SECRET, dcu_shop, new_client
from tests.factories.companies import company_user
from tests.factories.marketplaces import ADMIN_PASSWORD, BASE_URL, Marketplace
from tests.factories.tokens import token_with
from tests.support.sql import all_statements

SHOP = "https://shop.example"
OTHER = "https://elsewhere.example"


def origins_url(client_id: str) -> str:
    return f"/gatehouse/apiclients/{client_id}/origins"


async def put_origins(
    http: httpx.AsyncClient, mp: Marketplace, client_id: str, origins: Any
) -> httpx.Response:
    return await http.put(origins_url(client_id), headers=mp.auth, json={"AllowedOrigins": origins})


async def seller_client(http: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> str:
    body = {"AppName": "Storefront", "AccessTokenDuration": 30, "AllowSeller": True, **fields}
    created = await http.post("/v1/apiclients", headers=mp.auth, json=body)
    assert created.status_code == 201, created.text
    client_id: str = created.json()["ID"]
    return client_id


async def login(
    http: httpx.AsyncClient, mp: Marketplace, client_id: str, origin: str | None = None
) -> httpx.Response:
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "username": mp.credentials.username,
        "password": ADMIN_PASSWORD,
    }
    headers = {"Origin": origin} if origin else {}
    return await http.post("/oauth/token", data=form, headers=headers)


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["Errors"][0]["ErrorCode"]
    return code


async def test_managed_as_a_sub_resource(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await seller_client(client, marketplace)
    got = await client.get(origins_url(client_id), headers=marketplace.auth)
    assert got.status_code == 200 and got.json() == {"AllowedOrigins": []}
    put = await put_origins(
        client, marketplace, client_id, ["HTTPS://Shop.Example:443", "http://localhost:3000", SHOP]
    )
    assert put.status_code == 200, put.text
    assert put.json() == {"AllowedOrigins": [SHOP, "http://localhost:3000"]}
    got = await client.get(origins_url(client_id.upper()), headers=marketplace.auth)
    assert got.json() == {"AllowedOrigins": [SHOP, "http://localhost:3000"]}

    bad = await put_origins(client, marketplace, client_id, ["https://shop.example/"])
    assert bad.status_code == 400 and error_code(bad) == "ApiClient.InvalidOrigin"
    missing = await client.put(origins_url(client_id), headers=marketplace.auth, json={})
    assert missing.status_code == 400 and error_code(missing) == "RequiredField"
    many = await put_origins(
        client, marketplace, client_id, [f"https://s{n}.x" for n in range(101)]
    )
    assert many.status_code == 400
    not_list = await put_origins(client, marketplace, client_id, "https://shop.example")
    assert not_list.status_code == 400
    got = await client.get(origins_url(client_id), headers=marketplace.auth)
    assert got.json() == {"AllowedOrigins": [SHOP, "http://localhost:3000"]}, "nothing written"

    cleared = await put_origins(client, marketplace, client_id, [])
    assert cleared.json() == {"AllowedOrigins": []}
    unknown = await client.get(origins_url("no-such-client"), headers=marketplace.auth)
    assert unknown.status_code == 404 and error_code(unknown) == "NotFound"
    assert (await put_origins(client, marketplace, "nope", [SHOP])).status_code == 404


async def test_apiclient_put_and_patch_keep_the_origins(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    """An SDK that does not know the list PUTs the ApiClient it knows: the list survives."""
    client_id = await seller_client(client, marketplace)
    await put_origins(client, marketplace, client_id, [SHOP])
    fetched = await client.get(f"/v1/apiclients/{client_id}", headers=marketplace.auth)
    body = fetched.json()
    assert "AllowedOrigins" not in body, "the OrderCloud resource is unchanged"
    body["AppName"] = "Renamed"
    put = await client.put(f"/v1/apiclients/{client_id}", headers=marketplace.auth, json=body)
    assert put.status_code == 200, put.text
    minimal = {"AppName": "Minimal", "AccessTokenDuration": 30, "AllowSeller": True}
    put = await client.put(f"/v1/apiclients/{client_id}", headers=marketplace.auth, json=minimal)
    assert put.status_code == 200, put.text
    patch = await client.patch(
        f"/v1/apiclients/{client_id}", headers=marketplace.auth, json={"AllowedOrigins": []}
    )
    assert patch.status_code == 200
    got = await client.get(origins_url(client_id), headers=marketplace.auth)
    assert got.json() == {"AllowedOrigins": [SHOP]}
    assert (await login(client, marketplace, client_id, OTHER)).status_code == 400


async def test_roles(client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime) -> None:
    client_id = await seller_client(client, marketplace)
    url = origins_url(client_id)
    assert (await client.get(url)).status_code == 401
    reader = await token_with(runtime, marketplace, ["ApiClientReader"])
    assert (await client.get(url, headers=reader)).status_code == 200
    refused = await client.put(url, headers=reader, json={"AllowedOrigins": [SHOP]})
    assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles"
    admin = await token_with(runtime, marketplace, ["ApiClientAdmin"])
    assert (await client.put(url, headers=admin, json={"AllowedOrigins": [SHOP]})).is_success
    internal_id, username = await company_user(runtime, marketplace, "buyer")
    buyer = await token_with(
        runtime, marketplace, ["FullAccess"], usrtype="buyer", u=str(internal_id), usr=username
    )
    refused = await client.get(url, headers=buyer)
    assert refused.status_code == 403 and error_code(refused) == "Auth.UserNotAuthorizedToAdmin"


async def test_the_token_request_through_a_client_with_a_list(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await seller_client(client, marketplace, RefreshTokenDuration=60)
    await put_origins(client, marketplace, client_id, [SHOP])

    listed = await login(client, marketplace, client_id, SHOP)
    assert listed.status_code == 200, listed.text
    assert listed.headers["access-control-allow-origin"] == SHOP
    refused = await login(client, marketplace, client_id, OTHER)
    assert refused.status_code == 400
    assert refused.json()["error"] == "unauthorized_client"
    assert error_code(refused) == "Auth.OriginNotAllowed"
    assert refused.json()["Errors"][0]["Data"] == {"Origin": OTHER}
    assert "access_token" not in refused.json()
    # The browser app can read why (the deployment allows every origin).
    assert refused.headers["access-control-allow-origin"] == OTHER
    # Not browser requests: servers send no Origin; the server's own pages are same-origin.
    assert (await login(client, marketplace, client_id)).status_code == 200
    assert (await login(client, marketplace, client_id, BASE_URL)).status_code == 200
    assert (await login(client, marketplace, client_id, "null")).status_code == 400

    refresh = listed.json()["refresh_token"]
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh}
    again = await client.post("/oauth/token", data=form, headers={"Origin": OTHER})
    assert again.status_code == 400 and error_code(again) == "Auth.OriginNotAllowed"
    again = await client.post("/oauth/token", data=form, headers={"Origin": SHOP})
    assert again.status_code == 200, again.text


async def test_v1_requests_with_its_tokens(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    restricted = await seller_client(client, marketplace)
    open_client = await seller_client(client, marketplace)
    token = (await login(client, marketplace, restricted)).json()["access_token"]
    await put_origins(client, marketplace, restricted, [SHOP, "http://localhost:3000"])
    auth = {"Authorization": f"Bearer {token}"}

    refused = await client.get("/v1/me", headers={**auth, "Origin": OTHER})
    assert refused.status_code == 403
    assert error_code(refused) == "Auth.OriginNotAllowed"
    assert refused.headers["access-control-allow-origin"] == OTHER
    write = await client.patch("/v1/me", headers={**auth, "Origin": OTHER}, json={"FirstName": "X"})
    assert write.status_code == 403 and error_code(write) == "Auth.OriginNotAllowed"
    assert (await client.get("/v1/me", headers={**auth, "Origin": SHOP})).status_code == 200
    assert (await client.get("/v1/me", headers=auth)).status_code == 200
    ops = await client.get(origins_url(restricted), headers={**auth, "Origin": OTHER})
    assert ops.status_code == 403, "every use of its tokens, /gatehouse too"

    other_token = (await login(client, marketplace, open_client)).json()["access_token"]
    other = {"Authorization": f"Bearer {other_token}", "Origin": OTHER}
    assert (await client.get("/v1/me", headers=other)).status_code == 200


async def test_warm_checks_run_no_sql_and_changes_apply_at_once(
    client: httpx.AsyncClient, runtime: Runtime, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    await put_origins(client, shop, client_id, [SHOP])

    async def grant(origin: str) -> httpx.Response:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": SECRET}
        return await client.post("/oauth/token", data=form, headers={"Origin": origin})

    assert (await grant(SHOP)).status_code == 200  # loads the client into the caches
    with all_statements(runtime.db) as seen:
        cc = await grant(SHOP)
        refused = await grant(OTHER)
    assert cc.status_code == 200
    assert refused.status_code == 400 and error_code(refused) == "Auth.OriginNotAllowed"
    assert seen == [], "the client's list comes from the cached client record"

    token = cc.json()["access_token"]
    auth = {"Authorization": f"Bearer {token}", "Origin": SHOP}
    assert (await client.get("/v1/me", headers=auth)).status_code == 200
    await put_origins(client, shop, client_id, [OTHER])
    refused = await client.get("/v1/me", headers=auth)
    assert refused.status_code == 403 and error_code(refused) == "Auth.OriginNotAllowed"
    await put_origins(client, shop, client_id, [])
    assert (await client.get("/v1/me", headers=auth)).status_code == 200


async def test_the_review_flags_browser_clients_until_they_list_origins(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    def browser_risks(items: list[dict[str, Any]]) -> set[str]:
        return {i["ClientID"] for i in items if i["Risk"] == "BrowserClientAnyOrigin"}

    # A storefront client buyers use; a seller-only admin client (the bootstrap one) is not a
    # browser client open to the world (domain.review.browser_client_any_origin).
    client_id = await seller_client(client, marketplace, AllowAnyBuyer=True)
    items = (await client.get("/gatehouse/review", headers=marketplace.auth)).json()["Items"]
    assert client_id in browser_risks(items)
    assert marketplace.client_id not in browser_risks(items)
    await put_origins(client, marketplace, client_id, [SHOP])
    items = (await client.get("/gatehouse/review", headers=marketplace.auth)).json()["Items"]
    assert client_id not in browser_risks(items)


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await dcu_shop(client, runtime, marketplace)
