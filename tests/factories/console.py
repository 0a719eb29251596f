"""The admin console tests' server, credentials, screenshots folder and page-error capture."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.async_api import ConsoleMessage

from tests.console.helpers import bearer, token
from tests.support.server import gatehouse

ADMIN, PASSWORD = "console-admin", "Console-Passw0rd-1"
"""The first marketplace's admin, created by the console server fixture."""
SECOND_PASSWORD = "Second-Passw0rd-1"
"""The password of the users made in other marketplaces (``second_marketplace``)."""


def second_marketplace(server: ConsoleServer, admin: str) -> dict[str, str]:
    created = gatehouse(
        "marketplace",
        "create",
        "--name",
        "Second",
        "--admin-username",
        admin,
        "--admin-password",
        SECOND_PASSWORD,
        "--json",
        "--database-url",
        server.database_url,
    )
    assert created.returncode == 0, created.stderr
    creds: dict[str, str] = json.loads(created.stdout)
    return creds


def user_with_roles(
    server: ConsoleServer, creds: dict[str, str], username: str, roles: list[str]
) -> None:
    """An admin user holding only ``roles``, through the API as any operator would."""
    admin = bearer(token(server.base, creds["ApiClientID"], creds["Username"], SECOND_PASSWORD))
    base = server.base
    # FullAccess to the bootstrap admin alone, not to every admin user of the marketplace.
    me = httpx.get(f"{base}/v1/me", headers=admin).json()
    kept = httpx.post(
        f"{base}/v1/securityprofiles/assignments",
        headers=admin,
        json={
            "SecurityProfileID": "FullAccess",
            "UserID": me["ID"],
        },
    )
    assert kept.status_code == 204, kept.text
    dropped = httpx.delete(f"{base}/v1/securityprofiles/FullAccess/assignments", headers=admin)
    assert dropped.status_code == 204, dropped.text
    made = httpx.post(
        f"{base}/v1/adminusers",
        headers=admin,
        json={
            "Username": username,
            "Password": SECOND_PASSWORD,
            "Active": True,
            "FirstName": "R",
            "LastName": "O",
            "Email": f"{username}@example.com",
        },
    )
    assert made.status_code == 201, made.text
    profile = httpx.post(
        f"{base}/v1/securityprofiles",
        headers=admin,
        json={
            "ID": f"p-{username}",
            "Name": username,
            "Roles": roles,
        },
    )
    assert profile.status_code == 201, profile.text
    assigned = httpx.post(
        f"{base}/v1/securityprofiles/assignments",
        headers=admin,
        json={
            "SecurityProfileID": f"p-{username}",
            "UserID": made.json()["ID"],
        },
    )
    assert assigned.status_code == 204, assigned.text


ARTIFACTS = Path(__file__).resolve().parent.parent / "console" / "artifacts"


_HTTP_STATUS = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


@dataclass
class ConsoleServer:
    base: str
    database_url: str
    marketplace_id: str
    """The bootstrap marketplace (ADMIN's), read while it was the only one: once a test made
    another, the console asks which one (``/gatehouse/console/config?marketplace=``)."""
    console_client_id: str
    """The console's API client in that marketplace."""

    @property
    def console(self) -> str:
        return f"{self.base}/gatehouse/console"


@dataclass
class PageErrors:
    """JavaScript errors and console errors seen by one page."""

    messages: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)

    def allow_http(self, *statuses: int) -> None:
        self.allowed_statuses.update(statuses)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        status = _HTTP_STATUS.search(message.text)
        if status is not None and int(status.group(1)) in self.allowed_statuses:
            return
        self.messages.append(f"console: {message.text}")

    def unexpected(self) -> list[str]:
        return list(self.messages)
