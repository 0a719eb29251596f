"""Impersonation (spec §3.10): ``/v1/impersonationconfig`` CRUD with its reference, conflict
and delete rules, and ``POST /v1/buyers/{b}/users/{u}/accesstoken``: who may impersonate whom,
the token's claims and roles, and every refusal."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from gatehouse.runtime import Runtime
from tests.factories.companies import PASSWORD, add_companies, error_of, user
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio
CONFIGS = "/v1/impersonationconfig"
JANE_TOKEN = "/v1/buyers/buyer-a/users/jane/accesstoken"


class Setup:
    """A marketplace with buyers ``buyer-a`` and ``buyer-b``, buyer user ``jane`` in
    ``buyer-a``, a storefront client (AllowAnyBuyer), a ``shopper`` profile and a config
    letting any admin impersonate any user of ``buyer-a`` through the storefront."""

    def __init__(self, mp: Marketplace, http: httpx.AsyncClient, storefront: str) -> None:
        self.mp = mp
        self.http = http
        self.storefront = storefront

    async def token_for(
        self, url: str = JANE_TOKEN, auth: dict[str, str] | None = None, **body: Any
    ) -> httpx.Response:
        payload = {"ClientID": self.storefront, "Roles": ["Shopper", "MeAdmin"], **body}
        return await self.http.post(url, headers=auth or self.mp.auth, json=payload)

    async def config(self, **fields: Any) -> httpx.Response:
        body = {"ClientID": self.storefront, "SecurityProfileID": "shopper", **fields}
        return await self.http.post(CONFIGS, headers=self.mp.auth, json=body)


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def expect_error(
    response: httpx.Response, status: int, code: str, data: Any = ...
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["ErrorCode"] == code, response.text
    if data is not ...:
        assert error["Data"] == data
    return error


@pytest.fixture
async def setup(runtime: Runtime, client: httpx.AsyncClient, marketplace: Marketplace) -> Setup:
    await add_companies(runtime, marketplace, "buyer", "buyer-a", "buyer-b")
    created = await client.post("/v1/buyers/buyer-a/users", headers=marketplace.auth, json=user())
    assert created.status_code == 201, created.text
    storefront = await client.post(
        "/v1/apiclients",
        headers=marketplace.auth,
        json={"AppName": "Storefront", "AccessTokenDuration": 30, "AllowAnyBuyer": True},
    )
    assert storefront.status_code == 201, storefront.text
    profile = await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={
            "ID": "shopper",
            "Name": "Shopper",
            "Roles": ["Shopper", "MeAdmin"],
            "CustomRoles": ["CsrView"],
        },
    )
    assert profile.status_code == 201, profile.text
    s = Setup(marketplace, client, storefront.json()["ID"])
    config = await s.config(ID="csr", BuyerID="buyer-a")
    assert config.status_code == 201, config.text
    return s


# --- configs: CRUD ----------------------------------------------------------------------------


async def test_config_crud(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    created = await setup.config(
        Name="Desk", ImpersonationGroupID=None, UserID="jane", BuyerID="buyer-a"
    )
    assert created.status_code == 201, created.text
    body = created.json()
    config_id = body["ID"]
    assert len(config_id) == 22
    assert created.headers["Location"].endswith(f"{CONFIGS}/{config_id}")
    assert body == {
        "ID": config_id,
        "Name": "Desk",
        "ImpersonationBuyerID": None,
        "ImpersonationGroupID": None,
        "ImpersonationUserID": None,
        "BuyerID": "buyer-a",
        "GroupID": None,
        "UserID": "jane",
        "SecurityProfileID": "shopper",
        "ClientID": setup.storefront,
    }
    assert (await http.get(f"{CONFIGS}/{config_id}", headers=auth)).json() == body

    listed = await http.get(CONFIGS, headers=auth, params={"sortBy": "!ID"})
    assert listed.status_code == 200
    assert listed.json()["Meta"]["TotalCount"] == 2
    filtered = await http.get(CONFIGS, headers=auth, params={"UserID": "jane"})
    assert [c["ID"] for c in filtered.json()["Items"]] == [config_id]
    searched = await http.get(CONFIGS, headers=auth, params={"search": "Des"})
    assert [c["ID"] for c in searched.json()["Items"]] == [config_id]
    bad_sort = await http.get(CONFIGS, headers=auth, params={"sortBy": "Nope"})
    assert bad_sort.status_code == 400

    patched = await http.patch(
        f"{CONFIGS}/{config_id}",
        headers=auth,
        json={"Name": "Desk 2", "UserID": None, "BuyerID": "buyer-b"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["Name"] == "Desk 2"
    assert patched.json()["UserID"] is None
    assert patched.json()["BuyerID"] == "buyer-b"

    # PUT replaces every field: the omitted BuyerID falls back to "any buyer".
    replaced = await http.put(
        f"{CONFIGS}/{config_id}",
        headers=auth,
        json={"ClientID": setup.storefront.upper(), "SecurityProfileID": "shopper"},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["BuyerID"] is None
    assert replaced.json()["Name"] is None
    assert replaced.json()["ClientID"] == setup.storefront  # stored lowercase

    put_new = await http.put(
        f"{CONFIGS}/by-put",
        headers=auth,
        json={"ClientID": setup.storefront, "SecurityProfileID": "shopper", "BuyerID": "buyer-b"},
    )
    assert put_new.status_code == 200, put_new.text
    assert put_new.json()["ID"] == "by-put"

    assert (await http.delete(f"{CONFIGS}/{config_id}", headers=auth)).status_code == 204
    await expect_error(
        await http.get(f"{CONFIGS}/{config_id}", headers=auth),
        404,
        "NotFound",
        {"ObjectType": "ImpersonationConfig", "ObjectID": config_id},
    )
    await expect_error(await http.delete(f"{CONFIGS}/{config_id}", headers=auth), 404, "NotFound")
    await expect_error(
        await http.patch(f"{CONFIGS}/nope", headers=auth, json={"Name": "x"}), 404, "NotFound"
    )


async def test_config_bad_input(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    missing_profile = await http.post(CONFIGS, headers=auth, json={"ClientID": setup.storefront})
    await expect_error(missing_profile, 400, "RequiredField", {"Field": "SecurityProfileID"})
    missing_client = await http.post(CONFIGS, headers=auth, json={"SecurityProfileID": "shopper"})
    await expect_error(missing_client, 400, "RequiredField", {"Field": "ClientID"})
    await expect_error(
        await setup.config(SecurityProfileID="nope"),
        404,
        "NotFound",
        {"ObjectType": "SecurityProfile", "ObjectID": "nope"},
    )
    unknown_client = "00000000-0000-0000-0000-000000000000"
    await expect_error(
        await setup.config(ClientID=unknown_client),
        404,
        "NotFound",
        {"ObjectType": "ApiClient", "ObjectID": unknown_client},
    )
    await expect_error(
        await setup.config(BuyerID="nope"),
        404,
        "NotFound",
        {"ObjectType": "Buyer", "ObjectID": "nope"},
    )
    await expect_error(
        await setup.config(ImpersonationBuyerID="nope"),
        404,
        "NotFound",
        {"ObjectType": "Buyer", "ObjectID": "nope"},
    )
    await expect_error(
        await setup.config(BuyerID="buyer-a", UserID="ghost"),
        404,
        "NotFound",
        {"ObjectType": "User", "ObjectID": "ghost"},
    )
    # Without ImpersonationBuyerID the impersonator user/group is the seller's.
    await expect_error(
        await setup.config(ImpersonationUserID="jane"),
        404,
        "NotFound",
        {"ObjectType": "AdminUser", "ObjectID": "jane"},
    )
    await expect_error(
        await setup.config(ImpersonationGroupID="g"),
        404,
        "NotFound",
        {"ObjectType": "UserGroup", "ObjectID": "g"},
    )
    await expect_error(
        await setup.config(UserID="jane"), 400, "RequiredField", {"Field": "BuyerID"}
    )
    await expect_error(
        await setup.config(BuyerID="buyer-a", UserID="jane", GroupID="g"),
        400,
        "PartyAssignment.CannotSpecifyGroupAndUser",
    )
    await expect_error(await setup.config(ID="bad id!"), 400, "ValidationFailure", {"Field": "ID"})
    await expect_error(await setup.config(Name="n" * 101), 400, "ValidationFailure")
    await expect_error(await setup.config(SecurityProfileID=5), 400, "ValidationFailure")
    await expect_error(
        await setup.config(ID="csr", BuyerID="buyer-b"),
        409,
        "IdExists",
        {"ObjectType": "ImpersonationConfig", "ObjectID": "csr"},
    )
    listed = await http.get(CONFIGS, headers=auth)
    assert [c["ID"] for c in listed.json()["Items"]] == ["csr"]  # nothing half-written


async def test_conflicting_configs(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    # Same client, profile, impersonator and impersonatee as "csr" → conflict, whatever the ID.
    await expect_error(
        await setup.config(ID="again", BuyerID="buyer-a", Name="other name"),
        409,
        "ImpersonationConfig.ConflictingImpersonationConfigExists",
        {"ObjectType": "ImpersonationConfig", "ObjectID": "csr"},
    )
    await expect_error(
        await http.put(
            f"{CONFIGS}/again",
            headers=auth,
            json={
                "ClientID": setup.storefront,
                "SecurityProfileID": "shopper",
                "BuyerID": "buyer-a",
            },
        ),
        409,
        "ImpersonationConfig.ConflictingImpersonationConfigExists",
    )
    other = await setup.config(ID="other", BuyerID="buyer-b")
    assert other.status_code == 201
    await expect_error(
        await http.patch(f"{CONFIGS}/other", headers=auth, json={"BuyerID": "buyer-a"}),
        409,
        "ImpersonationConfig.ConflictingImpersonationConfigExists",
    )
    # Replacing a config with itself is no conflict.
    same = await http.put(
        f"{CONFIGS}/csr",
        headers=auth,
        json={"ClientID": setup.storefront, "SecurityProfileID": "shopper", "BuyerID": "buyer-a"},
    )
    assert same.status_code == 200, same.text


# --- the token --------------------------------------------------------------------------------


async def test_admin_impersonates_a_buyer_user(setup: Setup, clock: Any) -> None:
    admin_claims = claims_of(setup.mp.token)
    response = await setup.token_for(
        Roles=["Shopper", "MeAdmin", "OrderAdmin"], CustomRoles=["CsrView", "Other"]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] is None
    assert body["expires_in"] == 30 * 60 - 1
    claims = claims_of(body["access_token"])
    me = await setup.http.get("/v1/buyers/buyer-a/users/jane", headers=setup.mp.auth)
    assert list(claims)[:6] == ["usr", "cid", "imp", "u", "usrtype", "role"]
    assert claims["usr"] == "jane"
    assert claims["cid"] == setup.storefront
    assert claims["imp"] == admin_claims["u"]
    assert claims["u"] != admin_claims["u"]
    assert claims["usrtype"] == "buyer"
    # Requested ∩ profile: OrderAdmin and Other are not in the profile.
    assert claims["role"] == ["MeAdmin", "Shopper", "CsrView"]
    assert claims["exp"] - claims["nbf"] == 30 * 60
    assert me.status_code == 200

    # The token works as jane, with the granted roles only.
    auth = bearer(body["access_token"])
    got = await setup.http.get("/v1/me", headers=auth)
    assert got.status_code == 200, got.text
    assert got.json()["ID"] == "jane"
    assert got.json()["Buyer"]["ID"] == "buyer-a"
    patched = await setup.http.patch("/v1/me", headers=auth, json={"FirstName": "Janet"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["FirstName"] == "Janet"
    await expect_error(
        await setup.http.get("/v1/buyers", headers=auth), 403, "Auth.InsufficientRoles"
    )
    await expect_error(
        await setup.http.get(CONFIGS, headers=auth), 403, "Auth.UserNotAuthorizedToAdmin"
    )
    # The impersonation token lacks BuyerImpersonation.
    await expect_error(
        await setup.token_for(auth=auth),
        403,
        "Auth.InsufficientRoles",
    )


async def test_impersonation_token_cannot_impersonate_again(setup: Setup, runtime: Runtime) -> None:
    token = (await setup.token_for()).json()["access_token"]
    claims = claims_of(token)
    claims["role"] = ["FullAccess"]
    forged = bearer(await runtime.codec.sign(claims))
    await expect_error(
        await setup.token_for(auth=forged), 403, "Impersonation.NotAllowedWhileImpersonating"
    )


async def test_roles_are_limited_by_the_client_maximum(setup: Setup) -> None:
    limited = await setup.http.patch(
        f"/v1/apiclients/{setup.storefront}",
        headers=setup.mp.auth,
        json={"MaximumGrantedRoles": ["Shopper"], "MaximumGrantedCustomRoles": []},
    )
    assert limited.status_code == 200, limited.text
    response = await setup.token_for(CustomRoles=["CsrView"])
    assert response.status_code == 200, response.text
    assert claims_of(response.json()["access_token"])["role"] == "Shopper"


async def test_roles_outside_the_profile_are_refused(setup: Setup) -> None:
    await expect_error(
        await setup.token_for(Roles=["OrderAdmin", "FullAccess"]), 400, "Impersonation.ConfigError"
    )
    await expect_error(await setup.token_for(Roles=[]), 400, "Impersonation.ConfigError")
    # A profile without roles never grants anything.
    await setup.http.put(
        "/v1/securityprofiles/shopper", headers=setup.mp.auth, json={"Name": "Empty"}
    )
    await expect_error(await setup.token_for(), 400, "Impersonation.ConfigError")


async def test_bad_token_requests(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    await expect_error(
        await http.post(JANE_TOKEN, headers=auth, json={"Roles": ["Shopper"]}),
        400,
        "RequiredField",
        {"Field": "ClientID"},
    )
    await expect_error(
        await http.post(JANE_TOKEN, headers=auth, json={"ClientID": setup.storefront}),
        400,
        "RequiredField",
        {"Field": "Roles"},
    )
    await expect_error(
        await setup.token_for(Roles=["Shopper", "NotARole"]),
        400,
        "ValidationFailure",
        {"Field": "Roles", "InvalidRoles": ["NotARole"]},
    )
    await expect_error(await setup.token_for(Roles="Shopper"), 400, "ValidationFailure")
    await expect_error(await setup.token_for(ClientID="x" * 37), 400, "ValidationFailure")
    await expect_error(
        await setup.token_for(ClientID="00000000-0000-0000-0000-000000000000"),
        400,
        "Impersonation.ClientIDNotFound",
    )
    # The seller's admin client serves no buyers: not assigned.
    await expect_error(
        await setup.token_for(ClientID=setup.mp.client_id),
        400,
        "Impersonation.BuyerNotAssigned",
        {"BuyerID": "buyer-a"},
    )
    await expect_error(
        await setup.token_for("/v1/buyers/buyer-a/users/ghost/accesstoken"),
        404,
        "NotFound",
        {"ObjectType": "User", "ObjectID": "ghost"},
    )
    # buyer-b is served by the client but no config covers it.
    await expect_error(
        await setup.token_for("/v1/buyers/buyer-b/users/ghost/accesstoken"),
        400,
        "Impersonation.ConfigError",
    )


async def test_client_must_be_assigned_to_the_buyer(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    created = await http.post(
        "/v1/apiclients", headers=auth, json={"AppName": "Assigned", "AccessTokenDuration": 10}
    )
    assigned_client = created.json()["ID"]
    config = await setup.config(ClientID=assigned_client, BuyerID="buyer-a")
    assert config.status_code == 201, config.text
    await expect_error(
        await setup.token_for(ClientID=assigned_client), 400, "Impersonation.BuyerNotAssigned"
    )
    assigned = await http.post(
        "/v1/apiclients/assignments",
        headers=auth,
        json={"ApiClientID": assigned_client, "BuyerID": "buyer-a"},
    )
    assert assigned.status_code == 204, assigned.text
    response = await setup.token_for(ClientID=assigned_client.upper())
    assert response.status_code == 200, response.text
    claims = claims_of(response.json()["access_token"])
    assert claims["cid"] == assigned_client
    assert claims["exp"] - claims["nbf"] == 10 * 60
    # An inactive client is as good as unknown.
    await http.patch(f"/v1/apiclients/{assigned_client}", headers=auth, json={"Active": False})
    await expect_error(
        await setup.token_for(ClientID=assigned_client), 400, "Impersonation.ClientIDNotFound"
    )


async def test_inactive_user_or_buyer(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    await http.patch("/v1/buyers/buyer-a/users/jane", headers=auth, json={"Active": False})
    await expect_error(await setup.token_for(), 400, "Auth.UserNotActive")
    await http.patch("/v1/buyers/buyer-a/users/jane", headers=auth, json={"Active": True})
    await http.patch("/v1/buyers/buyer-a", headers=auth, json={"Active": False})
    await expect_error(await setup.token_for(), 400, "Auth.CompanyNotActive")


async def test_no_matching_config(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    assert (await http.delete(f"{CONFIGS}/csr", headers=auth)).status_code == 204
    await expect_error(await setup.token_for(), 400, "Impersonation.ConfigError")
    # Another user of the buyer: not jane.
    other = await http.post(
        "/v1/buyers/buyer-a/users", headers=auth, json=user(ID="bob", Username="bob")
    )
    assert other.status_code == 201
    await setup.config(ID="bob-only", BuyerID="buyer-a", UserID="bob")
    await expect_error(await setup.token_for(), 400, "Impersonation.ConfigError")
    # Another admin as impersonator: not the caller.
    admin = await http.post(
        "/v1/adminusers", headers=auth, json=user(ID="other-admin", Username="other-admin")
    )
    assert admin.status_code == 201, admin.text
    await setup.config(ID="other-admin", BuyerID="buyer-a", ImpersonationUserID="other-admin")
    await expect_error(await setup.token_for(), 400, "Impersonation.ConfigError")
    # A config for the group jane is in.
    await http.post("/v1/buyers/buyer-a/usergroups", headers=auth, json={"ID": "vip", "Name": "V"})
    await setup.config(ID="vip", BuyerID="buyer-a", GroupID="vip")
    await expect_error(await setup.token_for(), 400, "Impersonation.ConfigError")
    joined = await http.post(
        "/v1/buyers/buyer-a/usergroups/assignments",
        headers=auth,
        json={"UserGroupID": "vip", "UserID": "jane"},
    )
    assert joined.status_code == 204
    assert (await setup.token_for()).status_code == 200
    # An admin group as impersonator: the caller must be a member.
    await http.post("/v1/usergroups", headers=auth, json={"ID": "desk", "Name": "Desk"})
    await http.delete(f"{CONFIGS}/vip", headers=auth)
    await setup.config(ID="desk", BuyerID="buyer-a", ImpersonationGroupID="desk")
    await expect_error(await setup.token_for(), 400, "Impersonation.ConfigError")
    admin_id = claims_of(setup.mp.token)["usr"]
    me = await http.get("/v1/me", headers=auth)
    await http.post(
        "/v1/usergroups/assignments",
        headers=auth,
        json={"UserGroupID": "desk", "UserID": me.json()["ID"]},
    )
    assert admin_id
    assert (await setup.token_for()).status_code == 200


async def test_buyer_user_impersonates_another_buyers_user(setup: Setup, runtime: Runtime) -> None:
    """Since OrderCloud v66 a buyer user may impersonate users of other buyers (with a config);
    the route has no company boundary."""
    http, auth = setup.http, setup.mp.auth
    made = await http.post(
        "/v1/buyers/buyer-b/users", headers=auth, json=user(ID="bob", Username="bob")
    )
    assert made.status_code == 201
    await http.post(
        "/v1/securityprofiles",
        headers=auth,
        json={"ID": "csr-role", "Name": "CSR", "Roles": ["BuyerImpersonation"]},
    )
    await http.post(
        "/v1/securityprofiles/assignments",
        headers=auth,
        json={"SecurityProfileID": "csr-role", "BuyerID": "buyer-b", "UserID": "bob"},
    )
    login = await password_token(http, setup.storefront, "bob", PASSWORD)
    assert login.status_code == 200, login.text
    bob = bearer(login.json()["access_token"])
    assert claims_of(login.json()["access_token"])["role"] == "BuyerImpersonation"
    # The admin-side config "csr" does not cover buyer users.
    await expect_error(await setup.token_for(auth=bob), 400, "Impersonation.ConfigError")
    # Not even for an unknown user: bob learns nothing about buyer-a's users.
    await expect_error(
        await setup.token_for("/v1/buyers/buyer-a/users/ghost/accesstoken", auth=bob),
        400,
        "Impersonation.ConfigError",
    )
    await setup.config(ID="b-to-a", ImpersonationBuyerID="buyer-b", BuyerID="buyer-a")
    response = await setup.token_for(auth=bob)
    assert response.status_code == 200, response.text
    claims = claims_of(response.json()["access_token"])
    assert claims["usr"] == "jane"
    assert claims["imp"] == claims_of(login.json()["access_token"])["u"]
    # A supplier-less, buyer-less caller type never matches: anonymous callers neither.
    anon = claims_of(login.json()["access_token"])
    del anon["u"]
    anon["orderid"] = "x"
    await expect_error(
        await setup.token_for(auth=bearer(await runtime.codec.sign(anon))),
        400,
        "Impersonation.ConfigError",
    )


async def test_a_token_after_a_revocation_carries_its_real_issue_time(
    setup: Setup, runtime: Runtime
) -> None:
    """Issue 10: tokens are no longer dated forward at their user's threshold (microsecond
    thresholds make that unnecessary): ``iat`` is the real second, never in the future."""
    from sqlalchemy import update

    from gatehouse.domain.tokens import issued_micros, micros
    from gatehouse.storage.models import UserRow

    threshold = micros(runtime.clock.now())
    async with runtime.db.write() as session:
        await session.execute(
            update(UserRow)
            .where(UserRow.marketplace_id == setup.mp.id, UserRow.external_id == "jane")
            .values(tokens_valid_from=threshold)
        )
    response = await setup.token_for()
    assert response.status_code == 200
    claims = claims_of(response.json()["access_token"])
    assert claims["iat"] <= runtime.clock.now().timestamp()
    assert claims["nbf"] == claims["iat"] - 1
    issued = issued_micros(claims)
    assert issued is not None and issued >= threshold


# --- what other resources' deletes and renames do ---------------------------------------------


async def test_referenced_objects_cannot_be_deleted(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    data = {"ObjectType": "ImpersonationConfig", "ObjectID": "csr"}
    await expect_error(
        await http.delete("/v1/securityprofiles/shopper", headers=auth),
        409,
        "Impersonation.CannotDeleteSecurityProfile",
        data,
    )
    await expect_error(
        await http.delete(f"/v1/apiclients/{setup.storefront}", headers=auth),
        409,
        "ApiClient.UsedByImpersonationConfig",
        data,
    )
    await http.patch(f"{CONFIGS}/csr", headers=auth, json={"UserID": "jane"})
    await expect_error(
        await http.delete("/v1/buyers/buyer-a/users/jane", headers=auth),
        409,
        "Impersonation.CannotDeleteImpersonateeParty",
        data,
    )
    await http.post("/v1/usergroups", headers=auth, json={"ID": "desk", "Name": "Desk"})
    await setup.config(ID="desk", BuyerID="buyer-b", ImpersonationGroupID="desk")
    await expect_error(
        await http.delete("/v1/usergroups/desk", headers=auth),
        409,
        "Impersonation.CannotDeleteImpersonateeParty",
        {"ObjectType": "ImpersonationConfig", "ObjectID": "desk"},
    )
    # Deleting a buyer takes the configs naming it (either side) along.
    await setup.config(ID="b-side", ImpersonationBuyerID="buyer-b", BuyerID="buyer-a")
    assert (await http.delete("/v1/buyers/buyer-b", headers=auth)).status_code == 204
    listed = await http.get(CONFIGS, headers=auth)
    assert [c["ID"] for c in listed.json()["Items"]] == ["csr"]
    # Once the configs are gone, everything can be deleted.
    assert (await http.delete(f"{CONFIGS}/csr", headers=auth)).status_code == 204
    assert (await http.delete("/v1/securityprofiles/shopper", headers=auth)).status_code == 204
    assert (await http.delete("/v1/buyers/buyer-a/users/jane", headers=auth)).status_code == 204
    assert (await http.delete("/v1/usergroups/desk", headers=auth)).status_code == 204
    assert (
        await http.delete(f"/v1/apiclients/{setup.storefront}", headers=auth)
    ).status_code == 204


async def test_configs_follow_renames(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    await http.patch(f"{CONFIGS}/csr", headers=auth, json={"UserID": "jane"})
    renamed = await http.patch("/v1/buyers/buyer-a/users/jane", headers=auth, json={"ID": "janet"})
    assert renamed.status_code == 200, renamed.text
    profile = await http.put(
        "/v1/securityprofiles/shopper",
        headers=auth,
        json={"ID": "shopper2", "Name": "S", "Roles": ["Shopper"]},
    )
    assert profile.status_code == 200, profile.text
    config = (await http.get(f"{CONFIGS}/csr", headers=auth)).json()
    assert config["UserID"] == "janet"
    assert config["SecurityProfileID"] == "shopper2"
    response = await setup.token_for("/v1/buyers/buyer-a/users/janet/accesstoken")
    assert response.status_code == 200, response.text
    assert claims_of(response.json()["access_token"])["role"] == "Shopper"


async def test_config_rename_and_reference_checks_on_update(setup: Setup) -> None:
    http, auth = setup.http, setup.mp.auth
    other = await setup.config(ID="other", BuyerID="buyer-b")
    assert other.status_code == 201
    await expect_error(
        await http.patch(f"{CONFIGS}/other", headers=auth, json={"ID": "csr"}),
        409,
        "IdExists",
        {"ObjectType": "ImpersonationConfig", "ObjectID": "csr"},
    )
    renamed = await http.patch(f"{CONFIGS}/other", headers=auth, json={"ID": "renamed"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["ID"] == "renamed"
    await expect_error(await http.get(f"{CONFIGS}/other", headers=auth), 404, "NotFound")
    await expect_error(
        await http.patch(f"{CONFIGS}/renamed", headers=auth, json={"SecurityProfileID": "nope"}),
        404,
        "NotFound",
        {"ObjectType": "SecurityProfile", "ObjectID": "nope"},
    )
    await expect_error(
        await http.patch(f"{CONFIGS}/renamed", headers=auth, json={"ClientID": None}),
        400,
        "RequiredField",
        {"Field": "ClientID"},
    )
    await expect_error(
        await http.put(f"{CONFIGS}/new", headers=auth, json={"SecurityProfileID": "shopper"}),
        400,
        "RequiredField",
        {"Field": "ClientID"},
    )
    stored = await http.get(f"{CONFIGS}/renamed", headers=auth)
    assert stored.json()["SecurityProfileID"] == "shopper"
    assert stored.json()["BuyerID"] == "buyer-b"
    searched = await http.get(CONFIGS, headers=auth, params={"search": setup.storefront[:8]})
    assert searched.json()["Meta"]["TotalCount"] == 2


async def test_an_impersonation_token_ends_with_its_impersonator(setup: Setup) -> None:
    """Deactivating, or revoking the tokens of, the impersonating user stops the tokens they
    minted (the ``imp`` claim), on the next request."""
    csr = {**user(ID="csr", Username="csr", Email="csr@example.com")}
    created = await setup.http.post("/v1/adminusers", headers=setup.mp.auth, json=csr)
    assert created.status_code == 201, created.text
    # A new admin user holds no role until a profile is assigned (issue 13).
    profile = {"ID": "csr-profile", "Name": "CSR", "Roles": ["BuyerImpersonation"]}
    made = await setup.http.post("/v1/securityprofiles", headers=setup.mp.auth, json=profile)
    assert made.status_code == 201, made.text
    assigned = await setup.http.post(
        "/v1/securityprofiles/assignments",
        headers=setup.mp.auth,
        json={"SecurityProfileID": "csr-profile", "UserID": "csr"},
    )
    assert assigned.status_code == 204, assigned.text
    login = await setup.http.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": setup.mp.client_id,
            "username": "csr",
            "password": csr["Password"],
        },
    )
    assert login.status_code == 200, login.text
    minted = await setup.token_for(auth=bearer(login.json()["access_token"]))
    assert minted.status_code == 200, minted.text
    auth = bearer(minted.json()["access_token"])
    assert (await setup.http.get("/v1/me", headers=auth)).status_code == 200
    off = {"Active": False}
    assert (
        await setup.http.patch("/v1/adminusers/csr", headers=setup.mp.auth, json=off)
    ).is_success
    await expect_error(await setup.http.get("/v1/me", headers=auth), 401, "InvalidToken")
    on = {"Active": True}
    assert (await setup.http.patch("/v1/adminusers/csr", headers=setup.mp.auth, json=on)).is_success
    assert (await setup.http.get("/v1/me", headers=auth)).status_code == 200
    revoked = await setup.http.delete("/v1/adminusers/csr/tokens", headers=setup.mp.auth)
    assert revoked.status_code == 204
    await expect_error(await setup.http.get("/v1/me", headers=auth), 401, "Auth.TokenRevoked")
