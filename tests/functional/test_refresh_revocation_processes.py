"""Two server processes on one database (PostgreSQL, or one SQLite file), each holding the
refresh tokens it has seen in memory (``oauth.refresh_records``): a revocation, deletion or
deactivation made through one process (or the incident CLI) stops a refresh token on the other
at its very next refresh, although the other answers a warm refresh without any query
(``storage.invalidation``: ``CHANGES_WATCHED``, LISTEN/NOTIFY on PostgreSQL, the shared epoch
file on SQLite). Before each change the token is refreshed on the other process, so it is
cached there."""

from __future__ import annotations

import httpx
import pytest

from tests.factories.two_servers import PASSWORD, Admin, user_body
from tests.support.server import gatehouse, login

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
ROUNDS = 5
INVALID = (400, "Auth.InvalidRefreshToken")
OK = (200, None)


def refresh(base: str, client_id: str, token: str) -> tuple[int, str | None]:
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": token}
    response = httpx.post(f"{base}/oauth/token", data=form)
    code = None if response.status_code == 200 else response.json()["Errors"][0]["ErrorCode"]
    return response.status_code, code


class Refreshing:
    """User ``ops`` of a client issuing refresh tokens; tokens got through A, used on B."""

    def __init__(self, a: str, b: str, admin: Admin) -> None:
        self.a, self.b, self.admin = a, b, admin
        body = {
            "AppName": "Storefront",
            "AccessTokenDuration": 60,
            "RefreshTokenDuration": 60,
            "AllowSeller": True,
        }
        self.client_id: str = admin.call("POST", "/apiclients", body).json()["ID"]

    def cached_on_b(self) -> str:
        """A new refresh token of ``ops``, refreshed once on B (now cached there)."""
        response = login(self.a, self.client_id, "ops", PASSWORD)
        assert response.status_code == 200, response.text
        token: str = response.json()["refresh_token"]
        assert refresh(self.b, self.client_id, token) == OK
        return token

    def on_b(self, token: str) -> tuple[int, str | None]:
        return refresh(self.b, self.client_id, token)


async def test_revocations_through_one_process_stop_refreshes_on_the_other(
    two_servers: tuple[str, str, dict[str, str]], fresh_database_url: str
) -> None:
    a, b, creds = two_servers
    admin = Admin(a, login(a, creds["ApiClientID"], "two", PASSWORD).json()["access_token"])
    admin.call("POST", "/adminusers", user_body("ops"))
    ops = Refreshing(a, b, admin)
    kept = ops.cached_on_b()

    # RFC 7009: the refresh token revoked through A; another token of the user still works.
    for _ in range(ROUNDS):
        token = ops.cached_on_b()
        revoked = httpx.post(f"{a}/oauth/revoke", data={"token": token, "client_id": ops.client_id})
        assert revoked.status_code == 200
        assert ops.on_b(token) == INVALID
        assert ops.on_b(kept) == OK

    # Every token of the user revoked through A (the admin route).
    for _ in range(ROUNDS):
        token = ops.cached_on_b()
        admin.call("DELETE", "/adminusers/ops/tokens")
        assert ops.on_b(token) == INVALID

    # Every token of the client revoked by the incident CLI (a third process).
    db = ("--database-url", fresh_database_url)
    for _ in range(2):
        token = ops.cached_on_b()
        assert gatehouse("clients", "revoke-tokens", ops.client_id, *db).returncode == 0
        assert ops.on_b(token) == INVALID


async def test_deactivations_and_deletions_through_one_process_stop_refreshes_on_the_other(
    two_servers: tuple[str, str, dict[str, str]],
) -> None:
    a, b, creds = two_servers
    admin = Admin(a, login(a, creds["ApiClientID"], "two", PASSWORD).json()["access_token"])
    admin.call("POST", "/adminusers", user_body("ops"))
    ops = Refreshing(a, b, admin)
    for _ in range(ROUNDS):
        token = ops.cached_on_b()
        admin.call("PATCH", "/adminusers/ops", {"Active": False})
        assert ops.on_b(token) == (400, "Auth.UserNotActive")
        admin.call("PATCH", "/adminusers/ops", {"Active": True})
        assert ops.on_b(token) == OK
        admin.call("PATCH", f"/apiclients/{ops.client_id}", {"Active": False})
        assert ops.on_b(token) == (401, "Auth.ClientNotActive")
        admin.call("PATCH", f"/apiclients/{ops.client_id}", {"Active": True})
        assert ops.on_b(token) == OK
    for _ in range(ROUNDS):
        token = ops.cached_on_b()
        admin.call("DELETE", "/adminusers/ops")
        assert ops.on_b(token) == INVALID
        admin.call("POST", "/adminusers", user_body("ops"))  # a new user, maybe the same id
        assert ops.on_b(token) == INVALID
