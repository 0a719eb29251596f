"""The callers the contract test fuzzes as: one marketplace per caller, each seeded with a
buyer, a supplier, a user of each holding the roles of their kind, and a storefront client
that also issues anonymous tokens.

Each caller gets a marketplace of its own because fuzzing is destructive (it revokes its own
tokens, changes its own password, sets rate limits): one caller's run must not starve the
next.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from tests.factories.two_servers import user_body
from tests.support.server import gatehouse

PASSWORD = "Fuzz-Passw0rd-Fuzz"
BUYER_ROLES = [
    "Shopper",
    "MeAdmin",
    "MeXpAdmin",
    "PasswordReset",
    "BuyerReader",
    "BuyerUserAdmin",
    "UserGroupAdmin",
    "OrderAdmin",
]
SUPPLIER_ROLES = [
    "MeAdmin",
    "MeXpAdmin",
    "PasswordReset",
    "SupplierReader",
    "SupplierUserAdmin",
    "SupplierUserGroupAdmin",
    "OrderReader",
]
KINDS = ("admin", "buyer", "supplier", "anonymous", "none")
"""``admin``: FullAccess; ``anonymous``: an anonymous shopper's token (``orderid``);
``none``: no ``Authorization`` header at all."""


@dataclass(frozen=True)
class Principal:
    kind: str
    token: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def principal(base: str, database_url: str, kind: str) -> Principal:
    """A new, seeded marketplace and a token of ``kind`` for it."""
    if kind == "none":
        return Principal(kind, None)
    created = gatehouse(
        "marketplace",
        "create",
        "--name",
        f"fuzz-{kind}",
        "--admin-password",
        PASSWORD,
        "--json",
        "--database-url",
        database_url,
    )
    assert created.returncode == 0, created.stderr
    mp = json.loads(created.stdout)
    with httpx.Client(base_url=base, timeout=30) as http:
        admin = _token(
            http,
            grant_type="password",
            client_id=mp["ApiClientID"],
            username=mp["Username"],
            password=PASSWORD,
        )
        if kind == "admin":
            return Principal(kind, admin)
        storefront = _seed(http, {"Authorization": f"Bearer {admin}"})
        if kind == "anonymous":
            return Principal(
                kind, _token(http, grant_type="client_credentials", client_id=storefront)
            )
        return Principal(
            kind,
            _token(
                http,
                grant_type="password",
                client_id=storefront,
                username=f"fz-{kind}-user",
                password=PASSWORD,
            ),
        )


def _seed(http: httpx.Client, auth: dict[str, str]) -> str:
    """Companies, users with their roles, and the storefront client; its ID."""
    _ok(http.post("/v1/buyers", headers=auth, json={"ID": "fz-buyer", "Name": "B", "Active": True}))
    _ok(
        http.post(
            "/v1/suppliers", headers=auth, json={"ID": "fz-supplier", "Name": "S", "Active": True}
        )
    )
    for kind, roles in (("buyer", BUYER_ROLES), ("supplier", SUPPLIER_ROLES)):
        profile = {"ID": f"fz-{kind}-roles", "Name": kind, "Roles": roles}
        _ok(http.post("/v1/securityprofiles", headers=auth, json=profile))
        company = f"/v1/{kind}s/fz-{kind}"
        for user_id in (f"fz-{kind}-user", f"fz-{kind}-template"):
            _ok(http.post(f"{company}/users", headers=auth, json=user_body(user_id, PASSWORD)))
            assignment = {
                "SecurityProfileID": profile["ID"],
                f"{kind.capitalize()}ID": f"fz-{kind}",
                "UserID": user_id,
            }
            _ok(http.post("/v1/securityprofiles/assignments", headers=auth, json=assignment))
    client = {
        "AppName": "Storefront",
        "AccessTokenDuration": 600,
        "RefreshTokenDuration": 600,
        "AllowAnyBuyer": True,
        "AllowAnySupplier": True,
        "IsAnonBuyer": True,
        "DefaultContextUserName": "fz-buyer-template",
    }
    storefront: str = _ok(http.post("/v1/apiclients", headers=auth, json=client))["ID"]
    return storefront


def _token(http: httpx.Client, **form: str) -> str:
    token: str = _ok(http.post("/oauth/token", data=form))["access_token"]
    return token


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None
