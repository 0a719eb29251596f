"""POST /oauth/token with the password grant: response shape, claims, scope and failures."""

from __future__ import annotations

import httpx
import jwt
import pytest

from gatehouse.runtime import Runtime
from tests.factories.marketplaces import ADMIN_PASSWORD, BASE_URL, Marketplace, password_token
from tests.factories.tokens import assert_oauth_error, claims_of

pytestmark = pytest.mark.asyncio


async def test_success_shape_and_exact_claims(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await password_token(
        client, marketplace.client_id, marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}  # RefreshTokenDuration is 0
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 60 * 60 - 1  # the bootstrap client's 60 minutes
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256" and len(header["kid"]) == 22
    claims = claims_of(body["access_token"])
    assert list(claims) == [
        *["usr", "cid", "u", "usrtype", "role", "iss", "aud", "exp", "nbf"],
        *["iat", "jti", "sub", "client_id", "scope"],  # RFC 9068, after OrderCloud's
    ]
    assert claims["usr"] == marketplace.credentials.username
    assert claims["cid"] == marketplace.client_id
    assert claims["u"].isdigit()
    assert claims["usrtype"] == "admin"
    assert claims["role"] == "FullAccess"
    assert claims["iss"] == claims["aud"] == BASE_URL
    assert claims["exp"] - claims["nbf"] == 60 * 60


async def test_duration_follows_the_client(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = await client.post(
        "/v1/apiclients",
        headers=marketplace.auth,
        json={"AppName": "Short", "AccessTokenDuration": 15, "AllowSeller": True},
    )
    response = await password_token(
        client, created.json()["ID"], marketplace.credentials.username, ADMIN_PASSWORD
    )
    claims = claims_of(response.json()["access_token"])
    assert claims["exp"] - claims["nbf"] == 15 * 60
    assert response.json()["expires_in"] == 15 * 60 - 1


async def test_token_verifies_with_published_key(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    kid = jwt.get_unverified_header(marketplace.token)["kid"]
    jwk = (await client.get(f"/oauth/certs/{kid}")).json()
    assert set(jwk) == {"kty", "n", "e", "alg", "use", "kid"}
    key = jwt.PyJWK(jwk).key
    claims = jwt.decode(marketplace.token, key, algorithms=["RS256"], audience=BASE_URL)
    assert claims["cid"] == marketplace.client_id


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("FullAccess", "FullAccess"),
        ("FullAccess undefined InventoryAdmin", "FullAccess"),
        ("", "FullAccess"),
    ],
)
async def test_scope_keeps_only_held_roles(
    client: httpx.AsyncClient, marketplace: Marketplace, scope: str, expected: str
) -> None:
    response = await password_token(
        client, marketplace.client_id, marketplace.credentials.username, ADMIN_PASSWORD, scope
    )
    assert claims_of(response.json()["access_token"])["role"] == expected


async def test_scope_of_roles_not_held_gives_a_token_without_role(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await password_token(
        client,
        marketplace.client_id,
        marketplace.credentials.username,
        ADMIN_PASSWORD,
        "ApiClientAdmin undefined",
    )
    assert response.status_code == 200
    assert "role" not in claims_of(response.json()["access_token"])


async def test_username_is_case_insensitive(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await password_token(
        client, marketplace.client_id, marketplace.credentials.username.upper(), ADMIN_PASSWORD
    )
    assert response.status_code == 200


async def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    wrong = await password_token(
        client, marketplace.client_id, marketplace.credentials.username, "Wr0ngPassword"
    )
    unknown = await password_token(client, marketplace.client_id, "nobody-here", "Wr0ngPassword")
    assert_oauth_error(wrong, 400, "invalid_grant", "Auth.InvalidUsernameOrPassword")
    assert wrong.json() == unknown.json()


async def test_unknown_client(client: httpx.AsyncClient) -> None:
    response = await password_token(client, "00000000-0000-0000-0000-000000000000", "a", "b")
    assert_oauth_error(response, 401, "invalid_client", "ApiClient.InvalidClientID")


async def test_client_id_matches_case_insensitively(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await password_token(
        client, marketplace.client_id.upper(), marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert response.status_code == 200
    assert claims_of(response.json()["access_token"])["cid"] == marketplace.client_id


async def test_legacy_secret_is_required_once_set(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = (
        await client.post(
            "/v1/apiclients",
            headers=marketplace.auth,
            json={
                "AppName": "Secret",
                "AccessTokenDuration": 60,
                "AllowSeller": True,
                "ClientSecret": "s3cret-value",
            },
        )
    ).json()
    base = {
        "grant_type": "password",
        "client_id": created["ID"],
        "username": marketplace.credentials.username,
        "password": ADMIN_PASSWORD,
    }
    missing = await client.post("/oauth/token", data=base)
    empty = await client.post("/oauth/token", data={**base, "client_secret": ""})
    wrong = await client.post("/oauth/token", data={**base, "client_secret": "nope"})
    right = await client.post("/oauth/token", data={**base, "client_secret": "s3cret-value"})
    for response in (missing, empty, wrong):
        assert_oauth_error(response, 401, "invalid_client", "Auth.InvalidClientSecret")
    assert right.status_code == 200


async def test_empty_secret_on_a_client_without_one_is_absent(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": marketplace.client_id,
            "client_secret": "",
            "username": marketplace.credentials.username,
            "password": ADMIN_PASSWORD,
        },
    )
    assert response.status_code == 200


async def test_inactive_client(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    created = (
        await client.post(
            "/v1/apiclients",
            headers=marketplace.auth,
            json={
                "AppName": "Off",
                "AccessTokenDuration": 60,
                "AllowSeller": True,
                "Active": False,
            },
        )
    ).json()
    response = await password_token(
        client, created["ID"], marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert_oauth_error(response, 401, "invalid_client", "Auth.ClientNotActive")


async def test_seller_refused_on_client_without_allow_seller(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = (
        await client.post(
            "/v1/apiclients",
            headers=marketplace.auth,
            json={"AppName": "Storefront", "AccessTokenDuration": 60, "AllowAnyBuyer": True},
        )
    ).json()
    response = await password_token(
        client, created["ID"], marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert_oauth_error(response, 400, "invalid_grant", "Auth.ClientNotAllowedForUser")
    wrong = await password_token(
        client, created["ID"], marketplace.credentials.username, "Wr0ngPassword1"
    )
    assert wrong.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidUsernameOrPassword"


async def test_inactive_user(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    user = {
        "ID": "off",
        "Username": "off-user",
        "Password": "Passw0rdPassw0rd",
        "FirstName": "O",
        "LastName": "F",
        "Email": "o@example.com",
        "Active": False,
    }
    assert (
        await client.post("/v1/adminusers", headers=marketplace.auth, json=user)
    ).status_code == 201
    response = await password_token(client, marketplace.client_id, "off-user", "Passw0rdPassw0rd")
    assert_oauth_error(response, 400, "invalid_grant", "Auth.UserNotActive")


async def test_minimum_required_roles(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    created = (
        await client.post(
            "/v1/apiclients",
            headers=marketplace.auth,
            json={
                "AppName": "Strict",
                "AccessTokenDuration": 60,
                "AllowSeller": True,
                "MinimumRequiredRoles": ["OrderAdmin"],
            },
        )
    ).json()
    response = await password_token(
        client, created["ID"], marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InsufficientRoles")


async def test_maximum_granted_roles(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={
            "ID": "multi",
            "Name": "Multi",
            "Roles": ["ApiClientReader", "OrderReader"],
            "CustomRoles": ["Custom1"],
        },
    )
    user = {
        "ID": "m",
        "Username": "multi-user",
        "Password": "Passw0rdPassw0rd",
        "FirstName": "M",
        "LastName": "U",
        "Email": "m@example.com",
        "Active": True,
    }
    await client.post("/v1/adminusers", headers=marketplace.auth, json=user)
    # The seller-level FullAccess profile reaches every admin; remove it to see the limits.
    await client.delete("/v1/securityprofiles/FullAccess/assignments", headers=marketplace.auth)
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        json={"SecurityProfileID": "multi", "UserID": "m"},
    )
    limited = (
        await client.post(
            "/v1/apiclients",
            headers=marketplace.auth,
            json={
                "AppName": "Limited",
                "AccessTokenDuration": 60,
                "AllowSeller": True,
                "MaximumGrantedRoles": ["OrderReader"],
                "MaximumGrantedCustomRoles": ["Custom1"],
            },
        )
    ).json()
    response = await password_token(client, limited["ID"], "multi-user", "Passw0rdPassw0rd")
    assert sorted(claims_of(response.json()["access_token"])["role"]) == ["Custom1", "OrderReader"]
    unlimited = await password_token(
        client, marketplace.client_id, "multi-user", "Passw0rdPassw0rd", "undefined Custom1"
    )
    assert claims_of(unlimited.json()["access_token"])["role"] == "Custom1"


@pytest.mark.parametrize(
    ("form", "status", "error", "code"),
    [
        ({}, 400, "unsupported_grant_type", "Auth.UnsupportedGrantType"),
        ({"grant_type": "magic"}, 400, "unsupported_grant_type", "Auth.UnsupportedGrantType"),
        (
            {"grant_type": "password", "client_id": "x"},
            400,
            "invalid_request",
            "Auth.UsernameAndPasswordRequired",
        ),
        (
            {"grant_type": "password", "username": "a", "password": "b"},
            400,
            "invalid_request",
            "Auth.ClientIDRequired",
        ),
    ],
)
async def test_malformed_requests(
    client: httpx.AsyncClient, form: dict[str, str], status: int, error: str, code: str
) -> None:
    assert_oauth_error(await client.post("/oauth/token", data=form), status, error, code)


async def test_json_body_is_refused(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    response = await client.post("/oauth/token", json={"grant_type": "password"})
    assert_oauth_error(response, 400, "invalid_request", "Request.InvalidContentType")


async def test_oversized_form_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/oauth/token", data={"grant_type": "password", "password": "x" * 2_000_000}
    )
    assert response.status_code == 413
    assert response.json()["Errors"][0]["ErrorCode"] == "Request.TooLarge"


async def test_overlong_field_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/oauth/token", data={"grant_type": "password", "password": "x" * 5000}
    )
    assert_oauth_error(response, 400, "invalid_request", "Request.FieldTooLong")


async def test_marketplaces_are_isolated(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    """A username of one marketplace cannot log in through another marketplace's client."""
    from gatehouse.services.marketplaces import create_marketplace

    other = await create_marketplace(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        name="Other",
        admin_username="other-admin",
        admin_password=ADMIN_PASSWORD,
    )
    response = await password_token(
        client, other.api_client_id, marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert response.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidUsernameOrPassword"
    listed = await client.get("/v1/apiclients", headers=marketplace.auth)
    own = {c["ID"] for c in listed.json()["Items"]}
    assert marketplace.client_id in own and other.api_client_id not in own
    assert {c["AppName"] for c in listed.json()["Items"]} == {
        "Default Admin Client (created with the marketplace)",
        "Gatehouse Console",
    }
    foreign = await client.get(f"/v1/apiclients/{other.api_client_id}", headers=marketplace.auth)
    assert foreign.status_code == 404
