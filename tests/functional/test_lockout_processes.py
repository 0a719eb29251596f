"""Two server processes on one database (PostgreSQL, or one SQLite file): a wrong password or
a successful login through one shows in ``FailedLoginAttempts`` of ``GET /v1/me`` on the other
at its very next request, although the other serves ``/v1/me`` from its cache without a query
(``storage.lockout_signal``: a counter file beside the SQLite database, a notice on its own
channel on PostgreSQL). Each check runs right after the login's response, several rounds, so
a signal that arrived late would show."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories.two_servers import PASSWORD, bearer, user_body
from tests.support.server import login

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
WRONG = "Wr0ngPassword!"
ROUNDS = 4


def failed_attempts(base: str, token: str) -> Any:
    response = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()["FailedLoginAttempts"]


def add_user(base: str, admin_token: str, user_id: str) -> None:
    created = httpx.post(
        f"{base}/v1/adminusers", headers=bearer(admin_token), json=user_body(user_id)
    )
    assert created.status_code == 201, created.text


async def test_failed_logins_through_one_process_show_on_the_other_at_once(
    two_servers: tuple[str, str, dict[str, str]],
) -> None:
    a, b, creds = two_servers
    client_id = creds["ApiClientID"]
    add_user(a, login(a, client_id, "two", PASSWORD).json()["access_token"], "ops")
    token = login(a, client_id, "ops", PASSWORD).json()["access_token"]
    for _ in range(ROUNDS):
        assert failed_attempts(b, token) == 0
        assert failed_attempts(b, token) == 0  # cached on B from here on
        for count in (1, 2):
            assert login(a, client_id, "ops", WRONG).status_code == 400
            assert failed_attempts(b, token) == count
            assert failed_attempts(b, token) == count
            # An unknown username moves the same signal; the count stays.
            assert login(a, client_id, "nobody-here", WRONG).status_code == 400
            assert failed_attempts(b, token) == count
        # Through B, seen on A; a success through A resets it, seen on B.
        assert login(b, client_id, "ops", WRONG).status_code == 400
        assert failed_attempts(a, token) == 3
        assert login(a, client_id, "ops", PASSWORD).status_code == 200
        assert failed_attempts(b, token) == 0
        assert failed_attempts(a, token) == 0
