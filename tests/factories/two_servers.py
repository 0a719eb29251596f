"""Two server processes on one database, as behind one load balancer: what the cross-process
tests (revocation, refresh-token cache, lockout generation) share."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx

from tests.support.server import gatehouse, login, server

PASSWORD = "B00tstrapPassword"
"""The bootstrap admin's, the marketplace admin's (``two``) and every created user's."""

Pair = tuple[str, str, dict[str, str]]
"""The two base URLs, and ``gatehouse marketplace create --json``'s output."""


@contextmanager
def two_servers_on(database_url: str) -> Iterator[Pair]:
    """Two servers with one public base URL (iss/aud) and a marketplace ``Two`` whose admin
    is ``two``."""
    env = {
        "GATEHOUSE_BOOTSTRAP_USERNAME": "admin",
        "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD,
        "GATEHOUSE_BASE_URL": "http://gatehouse.test",
    }
    with ExitStack() as stack:
        first, _ = stack.enter_context(server(database_url, env=env))
        second, _ = stack.enter_context(server(database_url, env=env))
        created = gatehouse(
            "marketplace", "create", "--name", "Two", "--admin-username", "two",
            "--admin-password", PASSWORD, "--json", "--database-url", database_url,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        yield first, second, json.loads(created.stdout)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Admin:
    """Admin calls made through server ``base`` with a FullAccess token."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        response = httpx.request(
            method, f"{self.base}/v1{path}", headers=bearer(self.token), json=body
        )
        assert response.status_code < 300, response.text
        return response


def admin_adding(base: str, creds: dict[str, str], user_id: str) -> Admin:
    """Marketplace ``Two``'s admin, calling through ``base``, after adding admin user
    ``user_id`` (password ``PASSWORD``)."""
    token = login(base, creds["ApiClientID"], "two", PASSWORD).json()["access_token"]
    admin = Admin(base, token)
    admin.call("POST", "/adminusers", user_body(user_id))
    return admin


def user_body(user_id: str, password: str = PASSWORD) -> dict[str, Any]:
    """A new active user whose ID and username are ``user_id``."""
    return {
        "ID": user_id,
        "Username": user_id,
        "Password": password,
        "FirstName": "F",
        "LastName": "L",
        "Email": f"{user_id}@example.com",
        "Active": True,
    }
