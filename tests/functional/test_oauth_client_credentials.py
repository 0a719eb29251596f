"""POST /oauth/token with grant_type=client_credentials: the token is the default context
user's (spec §3.9), every refusal of decisions.md's table, and no database write."""

from __future__ import annotations

import httpx
import pytest

from gatehouse.runtime import Runtime
from tests.factories.client_credentials import SECRET, client_credentials, dcu_shop, new_client
from tests.factories.marketplaces import Marketplace
from tests.factories.tokens import assert_oauth_error, claims_of
from tests.support.sql import written_statements

pytestmark = pytest.mark.asyncio
PASSWORD = "Passw0rdPassw0rd"
DCU_REQUIRED = "Default context user required for client credentials grant"


async def elevated_login(http: httpx.AsyncClient, client_id: str, password: str) -> httpx.Response:
    """The DCU's own password login through the same (secret-holding) client."""
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "client_secret": SECRET,
        "username": "dcu-user",
        "password": password,
    }
    return await http.post("/oauth/token", data=form)


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await dcu_shop(client, runtime, marketplace)


async def test_token_is_the_default_context_users(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop, RefreshTokenDuration=60)
    response = await client_credentials(client, client_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}  # never a refresh token
    assert body["expires_in"] == 30 * 60 - 1
    claims = claims_of(body["access_token"])
    assert list(claims) == [
        *["usr", "cid", "u", "usrtype", "role", "iss", "aud", "exp", "nbf"],
        *["iat", "jti", "sub", "client_id", "scope"],  # RFC 9068, after OrderCloud's
    ]
    assert claims["usr"] == "dcu-user"
    assert claims["cid"] == client_id
    assert claims["usrtype"] == "buyer"
    assert sorted(claims["role"]) == ["MeAdmin", "OrderReader", "Shopper"]
    assert claims["exp"] - claims["nbf"] == 30 * 60
    login = await elevated_login(client, client_id, PASSWORD)
    assert claims["u"] == claims_of(login.json()["access_token"])["u"]


async def test_scope_and_client_maximum_narrow_the_roles(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop, MaximumGrantedRoles=["Shopper", "OrderReader"])
    everything = await client_credentials(client, client_id)
    assert sorted(claims_of(everything.json()["access_token"])["role"]) == [
        "OrderReader",
        "Shopper",
    ]
    scoped = await client_credentials(client, client_id, scope="Shopper MeAdmin undefined")
    assert claims_of(scoped.json()["access_token"])["role"] == "Shopper"


async def test_a_seller_default_context_user(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(
        client,
        marketplace,
        AllowAnyBuyer=False,
        AllowSeller=True,
        DefaultContextUserName=marketplace.credentials.username,
    )
    response = await client_credentials(client, client_id)
    claims = claims_of(response.json()["access_token"])
    assert (claims["usr"], claims["usrtype"], claims["role"]) == (
        marketplace.credentials.username,
        "admin",
        "FullAccess",
    )
    listed = await client.get(
        "/v1/apiclients", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
    )
    assert listed.status_code == 200


async def test_no_default_context_user(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await new_client(client, shop, DefaultContextUserName=None)
    response = await client_credentials(client, client_id)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.DefaultContextUserRequired")
    assert response.json()["error_description"] == DCU_REQUIRED


async def test_a_client_without_a_secret_is_refused(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop, ClientSecret=None)
    for secret in (None, "", "anything"):
        response = await client_credentials(client, client_id, secret=secret)
        assert_oauth_error(response, 401, "invalid_client", "Auth.InvalidClientSecret")


@pytest.mark.parametrize("secret", [None, "", "wrong"])
async def test_the_secret_is_required(
    client: httpx.AsyncClient, shop: Marketplace, secret: str | None
) -> None:
    client_id = await new_client(client, shop)
    response = await client_credentials(client, client_id, secret=secret)
    assert_oauth_error(response, 401, "invalid_client", "Auth.InvalidClientSecret")


async def test_unknown_and_inactive_clients(client: httpx.AsyncClient, shop: Marketplace) -> None:
    unknown = await client_credentials(client, "00000000-0000-0000-0000-000000000000")
    assert_oauth_error(unknown, 401, "invalid_client", "ApiClient.InvalidClientID")
    client_id = await new_client(client, shop, Active=False)
    inactive = await client_credentials(client, client_id)
    assert_oauth_error(inactive, 401, "invalid_client", "Auth.ClientNotActive")


async def test_the_access_rule_applies_to_the_default_context_user(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop, AllowAnyBuyer=False)
    refused = await client_credentials(client, client_id)
    assert_oauth_error(refused, 400, "invalid_grant", "Auth.ClientNotAllowedForUser")
    assigned = await client.post(
        "/v1/apiclients/assignments",
        headers=shop.auth,
        json={"ApiClientID": client_id, "BuyerID": "buyer-a"},
    )
    assert assigned.status_code == 204, assigned.text
    assert (await client_credentials(client, client_id)).status_code == 200


async def test_inactive_default_context_user(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await new_client(client, shop)
    patched = await client.patch(
        "/v1/buyers/buyer-a/users/dcu", headers=shop.auth, json={"Active": False}
    )
    assert patched.status_code == 200, patched.text
    response = await client_credentials(client, client_id)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.UserNotActive")


async def test_inactive_company(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await new_client(client, shop)
    patched = await client.patch("/v1/buyers/buyer-a", headers=shop.auth, json={"Active": False})
    assert patched.status_code == 200, patched.text
    response = await client_credentials(client, client_id)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.CompanyNotActive")


async def test_minimum_required_roles(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await new_client(client, shop, MinimumRequiredRoles=["OrderAdmin"])
    response = await client_credentials(client, client_id)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InsufficientRoles")


async def test_renamed_default_context_user(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await new_client(client, shop)
    renamed = await client.patch(
        "/v1/buyers/buyer-a/users/dcu", headers=shop.auth, json={"Username": "someone-else"}
    )
    assert renamed.status_code == 200, renamed.text
    response = await client_credentials(client, client_id)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.DefaultContextUserNotFound")


async def test_no_password_no_lockout(client: httpx.AsyncClient, shop: Marketplace) -> None:
    """Wrong passwords lock the user's password logins, not the client's grant."""
    client_id = await new_client(client, shop)
    for _ in range(10):
        await elevated_login(client, client_id, "Wr0ngPassword1")
    locked = await elevated_login(client, client_id, PASSWORD)
    assert locked.json()["Errors"][0]["ErrorCode"] == "Auth.LockedOut"
    assert (await client_credentials(client, client_id)).status_code == 200


async def test_client_credentials_writes_nothing(
    client: httpx.AsyncClient, runtime: Runtime, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop, RefreshTokenDuration=60)
    with written_statements(runtime.db) as writes:
        response = await client_credentials(client, client_id)
    assert response.status_code == 200
    assert writes == []
    # The listener does see writes: a password login with refresh tokens stores one.
    with written_statements(runtime.db) as writes:
        login = await elevated_login(client, client_id, PASSWORD)
    assert "refresh_token" in login.json()
    assert [w.split()[0].upper() for w in writes] == ["INSERT"]


async def test_discovery_lists_the_grants(client: httpx.AsyncClient) -> None:
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["grant_types_supported"] == ["password", "client_credentials", "refresh_token"]


async def test_a_named_secret_is_a_secret(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await new_client(client, shop, ClientSecret=None)
    created = await client.post(
        f"/v1/apiclients/{client_id}/secrets", headers=shop.auth, json={"Name": "ci"}
    )
    assert created.status_code == 201, created.text
    named = created.json()["ClientSecret"]
    assert (await client_credentials(client, client_id, secret=named)).status_code == 200
    refused = await client_credentials(client, client_id, secret=None)
    assert_oauth_error(refused, 401, "invalid_client", "Auth.InvalidClientSecret")
