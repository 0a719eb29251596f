"""PasswordConfig end to end: validated on SecurityProfiles, applied (strictest combination of
every profile reaching the user) when a password is set, and again at login, where a password
that no longer meets it, or has outlived MaximumPasswordAge, is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from gatehouse.runtime import Runtime
from gatehouse.storage.models import (
    SecurityProfileAssignmentRow,
    UserGroupAssignmentRow,
    UserGroupRow,
)
from tests.factories.clock import AdjustableClock
from tests.factories.companies import PASSWORD, add_companies, error_of, user
from tests.factories.lockout import fresh_admin_auth, stored_lock
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio
CONFIG_FIELDS = {
    "LimitPasswordReuse",
    "MaxConsecutiveDupeChars",
    "MaximumPasswordAge",
    "MinimumPasswordAge",
    "AllowedFailedAttempts",
    "LockoutDuration",
    "UpperCaseRequired",
    "LowerCaseRequired",
    "SpecialCharacterRequired",
    "NumericRequired",
    "MinimumCharacterCount",
}


async def profile(
    client: httpx.AsyncClient, mp: Marketplace, profile_id: str, config: dict[str, Any], **to: str
) -> None:
    """Create a profile with ``config`` and assign it (seller level when ``to`` is empty)."""
    created = await client.post(
        "/v1/securityprofiles",
        headers=mp.auth,
        json={"ID": profile_id, "Name": profile_id, "PasswordConfig": config},
    )
    assert created.status_code == 201, created.text
    assigned = await client.post(
        "/v1/securityprofiles/assignments",
        headers=mp.auth,
        json={"SecurityProfileID": profile_id, **to},
    )
    assert assigned.status_code == 204, assigned.text


@pytest.mark.parametrize(
    "config",
    [
        {"MinimumCharacterCount": 8},
        {"AllowedFailedAttempts": 0},
        {"AllowedFailedAttempts": 10},
        {"LockoutDuration": 5},
        {"LockoutDuration": 1441},
        {"MaximumPasswordAge": 0},
        {"MaximumPasswordAge": 366},
        {"MinimumPasswordAge": 61},
        {"MaxConsecutiveDupeChars": 25},
        {"UpperCaseRequired": "yes"},
    ],
)
async def test_invalid_configs_are_refused_on_every_write(
    client: httpx.AsyncClient, marketplace: Marketplace, config: dict[str, Any]
) -> None:
    body = {"ID": "p", "Name": "P", "PasswordConfig": config}
    created = await client.post("/v1/securityprofiles", headers=marketplace.auth, json=body)
    assert created.status_code == 400
    assert error_of(created)["ErrorCode"] == "SecurityProfile.InvalidPasswordConfiguration"
    assert error_of(created)["Data"]["Field"] == next(iter(config))
    await client.post(
        "/v1/securityprofiles", headers=marketplace.auth, json={"ID": "p", "Name": "P"}
    )
    for method in ("PUT", "PATCH"):
        response = await client.request(
            method, "/v1/securityprofiles/p", headers=marketplace.auth, json=body
        )
        assert error_of(response)["ErrorCode"] == "SecurityProfile.InvalidPasswordConfiguration"


async def test_a_valid_config_is_stored_with_every_field(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={
            "ID": "p",
            "Name": "P",
            "PasswordConfig": {"MinimumCharacterCount": 12, "LockoutDuration": 0, "Nope": 1},
        },
    )
    config = created.json()["PasswordConfig"]
    assert set(config) == CONFIG_FIELDS
    assert config["MinimumCharacterCount"] == 12 and config["LockoutDuration"] == 0
    assert config["AllowedFailedAttempts"] is None and config["UpperCaseRequired"] is False
    got = await client.get("/v1/securityprofiles/p", headers=marketplace.auth)
    assert got.json()["PasswordConfig"] == config
    cleared = await client.patch(
        "/v1/securityprofiles/p", headers=marketplace.auth, json={"PasswordConfig": None}
    )
    assert cleared.json()["PasswordConfig"] is None


async def test_new_admins_meet_the_seller_level_config(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await profile(
        client, marketplace, "long", {"MinimumCharacterCount": 14, "SpecialCharacterRequired": True}
    )
    weak = await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    assert weak.status_code == 400
    error = error_of(weak)
    assert error["ErrorCode"] == "PasswordReset.InsecurePassword"
    assert set(error["Data"]) == CONFIG_FIELDS
    assert error["Data"]["MinimumCharacterCount"] == 14
    assert error["Data"]["SpecialCharacterRequired"] is True
    assert error["Data"]["UpperCaseRequired"] is True  # OrderCloud's floor stays
    strong = await client.post(
        "/v1/adminusers", headers=marketplace.auth, json=user(Password="Passw0rdPassw0rd!")
    )
    assert strong.status_code == 201
    # Seller-level profiles reach admins only: a buyer user keeps the default policy.
    await add_companies(runtime, marketplace, "buyer", "buyer-a")
    buyer_user = await client.post(
        "/v1/buyers/buyer-a/users", headers=marketplace.auth, json=user(ID="b", Username="b")
    )
    assert buyer_user.status_code == 201


async def test_a_buyer_level_config_applies_to_that_buyer_only(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace, "buyer", "buyer-a", "buyer-b")
    await profile(client, marketplace, "a-only", {"MinimumCharacterCount": 20}, BuyerID="buyer-a")
    refused = await client.post("/v1/buyers/buyer-a/users", headers=marketplace.auth, json=user())
    assert error_of(refused)["ErrorCode"] == "PasswordReset.InsecurePassword"
    assert error_of(refused)["Data"]["MinimumCharacterCount"] == 20
    allowed = await client.post("/v1/buyers/buyer-b/users", headers=marketplace.auth, json=user())
    assert allowed.status_code == 201


async def test_a_user_level_config_applies_when_that_user_changes_password(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    for name in ("jane", "joe"):
        await client.post(
            "/v1/adminusers", headers=marketplace.auth, json=user(ID=name, Username=name)
        )
    await profile(
        client, marketplace, "jane-only", {"SpecialCharacterRequired": True}, UserID="jane"
    )
    new = {"Password": "N3wPassword99"}
    refused = await client.patch("/v1/adminusers/jane", headers=marketplace.auth, json=new)
    assert error_of(refused)["ErrorCode"] == "PasswordReset.InsecurePassword"
    assert (
        await client.put("/v1/adminusers/jane", headers=marketplace.auth, json=user(**new))
    ).status_code == 400
    assert (
        await client.patch("/v1/adminusers/joe", headers=marketplace.auth, json=new)
    ).status_code == 200
    assert (
        await client.patch(
            "/v1/adminusers/jane", headers=marketplace.auth, json={"Password": "N3wPassword99!"}
        )
    ).status_code == 200


async def test_a_group_level_config_reaches_the_groups_members(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    """Group rows are written directly so this test depends only on the schema."""
    await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    internal_id, _, _ = await stored_lock(runtime, marketplace, "jane")
    await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={"ID": "g", "Name": "G", "PasswordConfig": {"MinimumCharacterCount": 30}},
    )
    now = datetime.now(UTC)
    async with runtime.db.write() as session:
        key = {"marketplace_id": marketplace.id, "owner_type": "admin", "company_id": ""}
        session.add(UserGroupRow(**key, id="ops", name="Ops", created_at=now))
        await session.flush()
        session.add(
            UserGroupAssignmentRow(**key, user_group_id="ops", user_internal_id=internal_id)
        )
        session.add(
            SecurityProfileAssignmentRow(
                marketplace_id=marketplace.id, security_profile_id="g", user_group_id="ops"
            )
        )
    response = await password_token(client, marketplace.client_id, "jane", PASSWORD)
    assert error_of(response)["ErrorCode"] == "PasswordReset.InsecurePassword"
    assert error_of(response)["Data"]["MinimumCharacterCount"] == 30
    # The marketplace admin is in no group, so their login is unaffected.
    await fresh_admin_auth(client, marketplace)


async def test_every_profile_counts_towards_the_strictest_combination(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await profile(client, marketplace, "twelve", {"MinimumCharacterCount": 12})
    await profile(client, marketplace, "special", {"SpecialCharacterRequired": True})
    for password, status in [("Passw0rdPassw0rd", 400), ("Passw0rd!", 400), ("Passw0rdPa!x", 201)]:
        response = await client.post(
            "/v1/adminusers", headers=marketplace.auth, json=user(Password=password)
        )
        assert response.status_code == status, password


async def test_login_refuses_a_password_below_a_stricter_config(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    assert (
        await password_token(client, marketplace.client_id, "jane", PASSWORD)
    ).status_code == 200
    await profile(client, marketplace, "stricter", {"MinimumCharacterCount": 20}, UserID="jane")
    response = await password_token(client, marketplace.client_id, "jane", PASSWORD)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"] == "Password does not meet security requirements."
    error = body["Errors"][0]
    assert error["ErrorCode"] == "PasswordReset.InsecurePassword"
    assert error["Message"] == body["error_description"]
    assert set(error["Data"]) == CONFIG_FIELDS and error["Data"]["MinimumCharacterCount"] == 20
    wrong = await password_token(client, marketplace.client_id, "jane", "Wr0ngPassword!")
    assert error_of(wrong)["ErrorCode"] == "Auth.InvalidUsernameOrPassword"


async def test_login_refuses_an_expired_password(
    client: httpx.AsyncClient, marketplace: Marketplace, clock: AdjustableClock
) -> None:
    await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    await profile(client, marketplace, "thirty", {"MaximumPasswordAge": 30}, UserID="jane")
    clock.advance(timedelta(days=29, hours=23))
    assert (
        await password_token(client, marketplace.client_id, "jane", PASSWORD)
    ).status_code == 200
    clock.advance(timedelta(hours=1, minutes=1))
    expired = await password_token(client, marketplace.client_id, "jane", PASSWORD)
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"
    assert error_of(expired)["ErrorCode"] == "Auth.PasswordExpired"
    auth = await fresh_admin_auth(client, marketplace)  # no MaximumPasswordAge reaches them
    changed = await client.patch(
        "/v1/adminusers/jane", headers=auth, json={"Password": "N3wPassword99"}
    )
    assert changed.status_code == 200
    assert (
        await password_token(client, marketplace.client_id, "jane", "N3wPassword99")
    ).status_code == 200
