"""Two server processes on one database (PostgreSQL, or one SQLite file): each keeps the login
records its password grants read (``oauth.login_records``), yet a new password, a deactivation
or a lockout made through one process counts at the other's very next login. Each check runs
right after the change's response, several rounds, so a notice that arrived late would show."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.factories.two_servers import PASSWORD, admin_adding
from tests.support.server import login

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
ROUNDS = 3
WRONG = "Wr0ngPassword!"


def status(base: str, client_id: str, password: str) -> int:
    return login(base, client_id, "ops", password).status_code


def code(base: str, client_id: str, password: str) -> str:
    error: str = login(base, client_id, "ops", password).json()["Errors"][0]["ErrorCode"]
    return error


async def test_changes_through_one_process_count_at_the_others_next_login(
    two_servers: tuple[str, str, dict[str, str]],
) -> None:
    a, b, creds = two_servers
    client_id = creds["ApiClientID"]
    admin = admin_adding(a, creds, "ops")
    passwords = [PASSWORD, *(f"N3wPassword-{n}Aa" for n in range(ROUNDS))]
    for old, new in pairwise(passwords):
        assert status(b, client_id, old) == 200
        assert status(b, client_id, old) == 200  # cached on B from here on
        admin.call("PATCH", "/adminusers/ops", {"Password": new})
        assert status(b, client_id, old) == 400
        assert status(b, client_id, new) == 200

    # Deactivated through A: refused on B; active again: B logs the user in.
    for _ in range(ROUNDS):
        admin.call("PATCH", "/adminusers/ops", {"Active": False})
        assert status(b, client_id, passwords[-1]) == 400
        admin.call("PATCH", "/adminusers/ops", {"Active": True})
        assert status(b, client_id, passwords[-1]) == 200


async def test_a_lockout_through_one_process_counts_at_the_others_next_login(
    two_servers: tuple[str, str, dict[str, str]],
) -> None:
    a, b, creds = two_servers
    client_id = creds["ApiClientID"]
    admin = admin_adding(a, creds, "ops")
    profile = {"ID": "strict", "Name": "Strict", "PasswordConfig": {"AllowedFailedAttempts": 2}}
    admin.call("POST", "/securityprofiles", profile)
    admin.call("POST", "/securityprofiles/assignments", {"SecurityProfileID": "strict"})
    for _ in range(ROUNDS):
        assert status(b, client_id, PASSWORD) == 200
        assert status(b, client_id, PASSWORD) == 200  # cached on B
        assert status(a, client_id, WRONG) == 400
        assert status(a, client_id, WRONG) == 400
        assert code(b, client_id, PASSWORD) == "Auth.LockedOut"
        admin.call("POST", "/adminusers/ops/unlock")
        assert status(b, client_id, PASSWORD) == 200
