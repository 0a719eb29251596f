"""Two server processes on one database (PostgreSQL, or one SQLite file): a deactivation,
deletion or revocation made through one process stops the tokens on the other at its very
next request, although neither queries the database to verify a cached token
(decisions.md; ``storage.invalidation``: LISTEN/NOTIFY on PostgreSQL, a shared epoch file on
SQLite). Each check runs right after the change's response, several times, so a
notification that arrived late would show."""

from __future__ import annotations

import httpx
import jwt
import pytest

from tests.factories.two_servers import PASSWORD, admin_adding, bearer, user_body
from tests.support.server import login

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
ROUNDS = 5


def me(base: str, token: str) -> tuple[int, str | None]:
    response = httpx.get(f"{base}/v1/me", headers=bearer(token))
    code = None if response.status_code == 200 else response.json()["Errors"][0]["ErrorCode"]
    return response.status_code, code


async def test_changes_made_through_one_process_stop_tokens_on_the_other(
    two_servers: tuple[str, str, dict[str, str]],
) -> None:
    a, b, creds = two_servers
    client_id = creds["ApiClientID"]
    admin = admin_adding(a, creds, "ops")

    # A user deactivated through A: B refuses the user's token at once, every round.
    for _ in range(ROUNDS):
        token = login(a, client_id, "ops", PASSWORD).json()["access_token"]
        assert me(b, token) == (200, None)  # now cached on B
        admin.call("PATCH", "/adminusers/ops", {"Active": False})
        assert me(b, token) == (401, "InvalidToken")
        admin.call("PATCH", "/adminusers/ops", {"Active": True})
        assert me(b, token) == (200, None)

    # Revocation through A: B answers Auth.TokenRevoked; a new login works on B at once.
    for _ in range(ROUNDS):
        token = login(a, client_id, "ops", PASSWORD).json()["access_token"]
        assert me(b, token) == (200, None)
        revoked = httpx.delete(f"{a}/v1/me/tokens", headers=bearer(token))
        assert revoked.status_code == 204
        assert me(b, token) == (401, "Auth.TokenRevoked")
        fresh = login(b, client_id, "ops", PASSWORD).json()["access_token"]
        assert me(b, fresh) == (200, None)
        assert me(a, fresh) == (200, None)

    # A second client deactivated through A: its tokens stop on B; the first client's don't.
    other = admin.call(
        "POST",
        "/apiclients",
        {"AppName": "Integration", "AccessTokenDuration": 60, "AllowSeller": True},
    ).json()["ID"]
    kept = login(a, client_id, "ops", PASSWORD).json()["access_token"]
    for _ in range(ROUNDS):
        token = login(a, other, "ops", PASSWORD).json()["access_token"]
        assert me(b, token) == (200, None)
        admin.call("PATCH", f"/apiclients/{other}", {"Active": False})
        assert me(b, token) == (401, "InvalidToken")
        assert me(b, kept) == (200, None)
        admin.call("PATCH", f"/apiclients/{other}", {"Active": True})
    token = login(a, other, "ops", PASSWORD).json()["access_token"]
    assert me(b, token) == (200, None)
    admin.call("DELETE", f"/apiclients/{other}")
    assert me(b, token) == (401, "InvalidToken")

    # Roles changed through A show in the next client-credentials token B issues, although
    # B serves that grant from its caches.
    integration = admin.call(
        "POST",
        "/apiclients",
        {
            "AppName": "Roles",
            "AccessTokenDuration": 60,
            "AllowSeller": True,
            "ClientSecret": "integration-secret",
            "DefaultContextUserName": "ops",
        },
    ).json()["ID"]
    form = {
        "grant_type": "client_credentials",
        "client_id": integration,
        "client_secret": "integration-secret",
    }

    def roles_on_b() -> list[str]:
        token = httpx.post(f"{b}/oauth/token", data=form).json()["access_token"]
        role = jwt.decode(token, options={"verify_signature": False}).get("role", [])
        return [role] if isinstance(role, str) else list(role)

    assert "ProductReader" not in roles_on_b()
    admin.call(
        "POST", "/securityprofiles", {"ID": "extra", "Name": "X", "Roles": ["ProductReader"]}
    )
    admin.call(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": "extra", "UserID": "ops"}
    )
    assert "ProductReader" in roles_on_b()
    admin.call("PATCH", "/adminusers/ops", {"Active": False})
    refused = httpx.post(f"{b}/oauth/token", data=form)
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotActive"
    admin.call("PATCH", "/adminusers/ops", {"Active": True})

    # A buyer deactivated, then deleted, through A: its user's token stops on B.
    admin.call("POST", "/buyers", {"ID": "b1", "Name": "B1", "Active": True})
    admin.call("POST", "/buyers/b1/users", user_body("shopper"))
    admin.call("POST", "/securityprofiles", {"ID": "shop", "Name": "Shop", "Roles": ["Shopper"]})
    admin.call(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": "shop", "BuyerID": "b1"}
    )
    admin.call("PATCH", f"/apiclients/{client_id}", {"AllowAnyBuyer": True})
    for _ in range(ROUNDS):
        token = login(a, client_id, "shopper", PASSWORD).json()["access_token"]
        assert me(b, token) == (200, None)
        admin.call("PATCH", "/buyers/b1", {"Active": False})
        assert me(b, token) == (401, "InvalidToken")
        admin.call("PATCH", "/buyers/b1", {"Active": True})
    token = login(a, client_id, "shopper", PASSWORD).json()["access_token"]
    assert me(b, token) == (200, None)
    admin.call("DELETE", "/buyers/b1")
    assert me(b, token) == (401, "InvalidToken")
    assert me(b, kept) == (200, None)


async def test_rfc7009_and_same_second_revocations_reach_the_other_process(
    two_servers: tuple[str, str, dict[str, str]],
) -> None:
    """``/oauth/revoke`` through A stops that one token on B at its next request (B holds the
    revoked ids in memory and reloads them on the invalidation); a user and a client revoked
    through A within one second both stop a token issued between them (issue 10)."""
    a, b, creds = two_servers
    client_id = creds["ApiClientID"]
    admin = admin_adding(a, creds, "ops")
    for _ in range(ROUNDS):
        token = login(a, client_id, "ops", PASSWORD).json()["access_token"]
        other = login(b, client_id, "ops", PASSWORD).json()["access_token"]
        assert me(b, token) == (200, None)
        revoked = httpx.post(f"{a}/oauth/revoke", data={"token": token, "client_id": client_id})
        assert revoked.status_code == 200
        assert me(b, token) == (401, "Auth.TokenRevoked")
        assert me(b, other) == (200, None)
    for _ in range(ROUNDS):
        admin.call("DELETE", "/adminusers/ops/tokens")
        token = login(b, client_id, "ops", PASSWORD).json()["access_token"]
        assert me(a, token) == (200, None)
        gone = httpx.delete(
            f"{a}/gatehouse/apiclients/{client_id}/tokens", headers=bearer(admin.token)
        )
        assert gone.status_code == 204
        assert me(b, token) == (401, "Auth.TokenRevoked")
        admin.token = login(a, client_id, "two", PASSWORD).json()["access_token"]
