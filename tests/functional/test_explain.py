"""POST /gatehouse/explain: the same verdict as the token endpoint (its decisive check is the
error a request with the right password gets), no write of any kind, no secret or password
shown, users hidden from callers who may not read them, and bad input as 4xx."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from gatehouse.runtime import Runtime
from gatehouse.services.marketplaces import create_marketplace
from tests.factories.client_credentials import client_credentials
from tests.factories.clock import AdjustableClock
from tests.factories.companies import PASSWORD, add_companies, company_user, user
from tests.factories.explain import URL, check, decisive, explain
from tests.factories.lockout import WRONG, fresh_admin_auth, stored_lock
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token
from tests.factories.tokens import token_with
from tests.support.sql import written_statements

pytestmark = pytest.mark.asyncio
PASSWORD_RULES = [
    "ClientExists",
    "ClientSecret",
    "ClientActive",
    "UserExists",
    "Lockout",
    "MarketplaceActive",
    "ClientAllowsUser",
    "UserActive",
    "CompanyActive",
    "PasswordPolicy",
    "Roles",
    "MinimumRoles",
]


async def new_client(http: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> str:
    body = {"AppName": "App", "AccessTokenDuration": 30, **fields}
    created = await http.post("/v1/apiclients", headers=mp.auth, json=body)
    assert created.status_code == 201, created.text
    client_id: str = created.json()["ID"]
    return client_id


@pytest.fixture
async def jane(client: httpx.AsyncClient, marketplace: Marketplace) -> Marketplace:
    """Seller user ``jane`` with a profile granting OrderAdmin and ProductReader."""
    created = await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    assert created.status_code == 201, created.text
    profile = {"ID": "ops", "Name": "Ops", "Roles": ["OrderAdmin", "ProductReader"]}
    assert (
        await client.post("/v1/securityprofiles", headers=marketplace.auth, json=profile)
    ).status_code == 201
    assigned = await client.post(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        json={"SecurityProfileID": "ops", "UserID": "jane"},
    )
    assert assigned.status_code == 204, assigned.text
    return marketplace


async def test_a_login_that_would_succeed(
    client: httpx.AsyncClient, jane: Marketplace, runtime: Runtime
) -> None:
    with written_statements(runtime.db) as writes:
        result = await explain(
            client, jane.auth, ClientID=jane.client_id, Username="JANE", Scope="OrderAdmin Shopper"
        )
    assert writes == []
    assert result["WouldIssue"] is True
    assert result["GrantType"] == "password"
    assert result["ClientID"] == jane.client_id
    assert [c["Rule"] for c in result["Checks"]] == PASSWORD_RULES
    assert all(c["Passed"] is True and c["ErrorCode"] is None for c in result["Checks"])
    assert decisive(result) is None
    assert result["Roles"] == {
        "Granted": ["OrderAdmin"],
        "Dropped": [
            {"Role": "ProductReader", "Reason": "not requested"},
            {"Role": "Shopper", "Reason": "not held"},
        ],
        "MissingMinimum": [],
    }
    token = await password_token(client, jane.client_id, "jane", PASSWORD, "OrderAdmin Shopper")
    assert token.status_code == 200, token.text


async def decisive_code(http: httpx.AsyncClient, mp: Marketplace, client_id: str) -> str | None:
    result = await explain(http, mp.auth, ClientID=client_id, Username="jane")
    found = decisive(result)
    assert result["WouldIssue"] is (found is None)
    return None if found is None else found["ErrorCode"]


async def token_code(http: httpx.AsyncClient, client_id: str) -> str | None:
    response = await password_token(http, client_id, "jane", PASSWORD)
    if response.status_code == 200:
        return None
    code: str = response.json()["Errors"][0]["ErrorCode"]
    return code


async def test_the_decisive_check_is_the_token_endpoints_error(
    client: httpx.AsyncClient, jane: Marketplace, runtime: Runtime
) -> None:
    """For each broken configuration: explain first (no write), then the real request with the
    right password, which must fail with exactly the decisive check's ErrorCode."""
    buyers_only = await new_client(client, jane, AllowAnyBuyer=True)
    demanding = await new_client(
        client, jane, AllowSeller=True, MinimumRequiredRoles=["BuyerAdmin"]
    )
    inactive = await new_client(client, jane, AllowSeller=True, Active=False)
    cases = {
        buyers_only: "Auth.ClientNotAllowedForUser",
        demanding: "Auth.InsufficientRoles",
        inactive: "Auth.ClientNotActive",
        jane.client_id: None,
    }
    for client_id, expected in cases.items():
        with written_statements(runtime.db) as writes:
            assert await decisive_code(client, jane, client_id) == expected
        assert writes == []
        assert await token_code(client, client_id) == expected
    patched = await client.patch("/v1/adminusers/jane", headers=jane.auth, json={"Active": False})
    assert patched.status_code == 200
    assert await decisive_code(client, jane, jane.client_id) == "Auth.UserNotActive"
    assert await token_code(client, jane.client_id) == "Auth.UserNotActive"


async def test_roles_above_the_client_maximum_and_missing_minimum(
    client: httpx.AsyncClient, jane: Marketplace
) -> None:
    client_id = await new_client(
        client,
        jane,
        AllowSeller=True,
        MaximumGrantedRoles=["ProductReader"],
        MinimumRequiredRoles=["OrderAdmin", "CatalogAdmin"],
    )
    result = await explain(client, jane.auth, ClientID=client_id, Username="jane")
    assert result["Roles"] == {
        "Granted": ["ProductReader"],
        "Dropped": [
            {"Role": "OrderAdmin", "Reason": "above client maximum"},
        ],
        "MissingMinimum": ["CatalogAdmin"],
    }
    minimum = check(result, "MinimumRoles")
    assert minimum == {
        "Rule": "MinimumRoles",
        "Passed": False,
        "Decisive": True,
        "Detail": "the user lacks roles the client requires: CatalogAdmin",
        "ErrorCode": "Auth.InsufficientRoles",
    }


async def test_a_locked_user_is_explained_without_counting_or_unlocking(
    client: httpx.AsyncClient, jane: Marketplace, runtime: Runtime
) -> None:
    for _ in range(10):
        await password_token(client, jane.client_id, "jane", WRONG)
    before = await stored_lock(runtime, jane, "jane")
    with written_statements(runtime.db) as writes:
        result = await explain(client, jane.auth, ClientID=jane.client_id, Username="jane")
    assert writes == []
    assert await stored_lock(runtime, jane, "jane") == before
    lockout = check(result, "Lockout")
    assert lockout["Passed"] is False and lockout["Decisive"] is True
    assert lockout["ErrorCode"] == "Auth.LockedOut"
    assert lockout["Detail"].startswith("locked until 20")
    assert "(10 of 10 allowed failed attempts)" in lockout["Detail"]
    assert await token_code(client, jane.client_id) == "Auth.LockedOut"


async def test_an_expired_password_is_reported_from_the_effective_policy(
    client: httpx.AsyncClient, jane: Marketplace, clock: AdjustableClock
) -> None:
    profile = {"ID": "aging", "Name": "Aging", "PasswordConfig": {"MaximumPasswordAge": 30}}
    await client.post("/v1/securityprofiles", headers=jane.auth, json=profile)
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=jane.auth,
        json={"SecurityProfileID": "aging", "UserID": "jane"},
    )
    clock.advance(timedelta(days=31))
    auth = await fresh_admin_auth(client, jane)
    result = await explain(client, auth, ClientID=jane.client_id, Username="jane")
    policy = check(result, "PasswordPolicy")
    assert policy["ErrorCode"] == "Auth.PasswordExpired" and policy["Decisive"] is True
    assert "MaximumPasswordAge 30 day(s)" in policy["Detail"]
    assert "at least 10 characters with upper, lower, digit" in policy["Detail"]
    assert await token_code(client, jane.client_id) == "Auth.PasswordExpired"


async def test_secrets_and_password_hashes_are_never_shown(
    client: httpx.AsyncClient, jane: Marketplace
) -> None:
    client_id = await new_client(client, jane, AllowSeller=True, ClientSecret="legacy-s3cret-value")
    named = await client.post(
        f"/v1/apiclients/{client_id}/secrets", headers=jane.auth, json={"Name": "rotation"}
    )
    assert named.status_code == 201, named.text
    response = await client.post(
        URL, headers=jane.auth, json={"ClientID": client_id, "Username": "jane"}
    )
    text = response.text
    assert "legacy-s3cret-value" not in text
    assert named.json()["ClientSecret"] not in text
    assert "argon2" not in text and PASSWORD not in text
    secret = check(response.json(), "ClientSecret")
    assert secret["Detail"] == (
        "the client has a legacy ClientSecret and 1 named secret(s), 1 unexpired: "
        "requests must send a matching client_secret"
    )


async def test_client_credentials_explain_the_default_context_user(
    client: httpx.AsyncClient, jane: Marketplace, runtime: Runtime
) -> None:
    client_id = await new_client(
        client,
        jane,
        AllowSeller=True,
        ClientSecret="cc-secret-value",
        DefaultContextUserName="jane",
    )
    with written_statements(runtime.db) as writes:
        result = await explain(
            client,
            jane.auth,
            ClientID=client_id,
            GrantType="client_credentials",
            Scope="OrderAdmin",
        )
    assert writes == []
    assert result["WouldIssue"] is True and result["Username"] == "jane"
    assert check(result, "ClientCredentialsAllowed")["Passed"] is True
    assert check(result, "Lockout")["Passed"] is None
    assert result["Roles"]["Granted"] == ["OrderAdmin"]
    assert (
        await client_credentials(client, client_id, "cc-secret-value", "OrderAdmin")
    ).status_code == 200

    no_secret = await new_client(client, jane, AllowSeller=True, DefaultContextUserName="jane")
    refused = await explain(client, jane.auth, ClientID=no_secret, GrantType="client_credentials")
    assert decisive(refused) is not None
    assert decisive(refused)["ErrorCode"] == "Auth.InvalidClientSecret"  # type: ignore[index]


async def test_a_hidden_user_reads_exactly_like_a_missing_one(
    client: httpx.AsyncClient, jane: Marketplace, runtime: Runtime
) -> None:
    reader = await token_with(runtime, jane, ["ApiClientReader"])
    known = await explain(client, reader, ClientID=jane.client_id, Username="jane")
    unknown = await explain(client, reader, ClientID=jane.client_id, Username="nobody-at-all")
    assert known["Username"] == "jane" and unknown["Username"] == "nobody-at-all"
    assert {**known, "Username": None} == {**unknown, "Username": None}
    assert check(known, "UserExists") == {
        "Rule": "UserExists",
        "Passed": False,
        "Decisive": True,
        "Detail": "user not found or not visible to the caller",
        "ErrorCode": "Auth.InvalidUsernameOrPassword",
    }
    assert known["Roles"] == {"Granted": [], "Dropped": [], "MissingMinimum": []}
    # Buyer-user readers cannot see seller users either; admin-user readers can.
    buyer_reader = await token_with(runtime, jane, ["ApiClientReader", "BuyerUserReader"])
    hidden = await explain(client, buyer_reader, ClientID=jane.client_id, Username="jane")
    assert {**hidden, "Username": None} == {**unknown, "Username": None}
    admin_reader = await token_with(runtime, jane, ["ApiClientReader", "AdminUserReader"])
    seen = await explain(client, admin_reader, ClientID=jane.client_id, Username="jane")
    assert seen["WouldIssue"] is True


async def test_buyer_users_through_assignments(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace, "buyer", "b1")
    created = await client.post("/v1/buyers/b1/users", headers=marketplace.auth, json=user())
    assert created.status_code == 201, created.text
    client_id = await new_client(client, marketplace)
    refused = await explain(client, marketplace.auth, ClientID=client_id, Username="jane")
    assert check(refused, "ClientAllowsUser")["Detail"] == (
        "AllowAnyBuyer is false and buyer 'b1' is not assigned to the client"
    )
    assigned = await client.post(
        "/v1/apiclients/assignments",
        headers=marketplace.auth,
        json={"ApiClientID": client_id, "BuyerID": "b1"},
    )
    assert assigned.status_code == 204
    allowed = await explain(client, marketplace.auth, ClientID=client_id, Username="jane")
    assert allowed["WouldIssue"] is True
    assert check(allowed, "CompanyActive")["Detail"] == "buyer 'b1' is active"


async def test_bad_input(client: httpx.AsyncClient, jane: Marketplace, runtime: Runtime) -> None:
    async def error(body: Any, status: int) -> dict[str, Any]:
        response = await client.post(URL, headers=jane.auth, json=body)
        assert response.status_code == status, response.text
        first: dict[str, Any] = response.json()["Errors"][0]
        return first

    unknown = await error({"ClientID": "no-such-client", "Username": "jane"}, 404)
    assert unknown["ErrorCode"] == "NotFound"
    assert unknown["Data"] == {"ObjectType": "ApiClient", "ObjectID": "no-such-client"}
    missing = await error({"Username": "jane"}, 400)
    assert missing["ErrorCode"] == "RequiredField" and missing["Data"] == {"Field": "ClientID"}
    no_user = await error({"ClientID": jane.client_id}, 400)
    assert no_user["ErrorCode"] == "RequiredField" and no_user["Data"] == {"Field": "Username"}
    grant = await error({"ClientID": jane.client_id, "GrantType": "refresh_token"}, 400)
    assert grant["ErrorCode"] == "ValidationFailure" and grant["Data"] == {"Field": "GrantType"}
    huge = {"ClientID": jane.client_id, "Username": "jane", "Scope": "FullAccess " * 500}
    assert (await error(huge, 400))["Data"] == {"Field": "Scope"}
    long_name = {"ClientID": jane.client_id, "Username": "x" * 101}
    assert (await error(long_name, 400))["Data"] == {"Field": "Username"}
    long_id = {"ClientID": "x" * 5000, "Username": "jane"}
    assert (await error(long_id, 400))["Data"] == {"Field": "ClientID"}
    typed = await error({"ClientID": 5, "Username": "jane"}, 400)
    assert typed["ErrorCode"] == "ValidationFailure"
    response = await client.post(URL, headers=jane.auth, content=b"not json")
    assert response.status_code == 400
    # Another marketplace's client is not found either.
    other = await create_marketplace(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        name="Other",
        admin_username="other-admin",
        admin_password=ADMIN_PASSWORD,
    )
    foreign = await error({"ClientID": other.api_client_id, "Username": "other-admin"}, 404)
    assert foreign["Data"] == {"ObjectType": "ApiClient", "ObjectID": other.api_client_id}


async def test_roles_and_user_types(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    body = {"ClientID": marketplace.client_id, "Username": marketplace.credentials.username}
    assert (await client.post(URL, json=body)).status_code == 401
    for roles in (["ApiClientReader"], ["ApiClientAdmin"], ["FullAccess"]):
        headers = await token_with(runtime, marketplace, roles)
        assert (await client.post(URL, headers=headers, json=body)).status_code == 200
    headers = await token_with(runtime, marketplace, ["AdminUserAdmin", "BuyerUserAdmin"])
    refused = await client.post(URL, headers=headers, json=body)
    assert refused.status_code == 403
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.InsufficientRoles"
    internal_id, username = await company_user(runtime, marketplace, "buyer")
    headers = await token_with(
        runtime, marketplace, ["FullAccess"], usrtype="buyer", u=str(internal_id), usr=username
    )
    buyer = await client.post(URL, headers=headers, json=body)
    assert buyer.status_code == 403
    assert buyer.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"
