"""A marketplace made for a test (its credentials and admin token) and the password grant as
the SDKs send it."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from gatehouse.services.marketplaces import MarketplaceCredentials

BASE_URL = "http://gatehouse.test"


ADMIN_PASSWORD = "Adm1nPassword!"


@dataclass(frozen=True)
class Marketplace:
    credentials: MarketplaceCredentials
    token: str

    @property
    def id(self) -> str:
        return self.credentials.marketplace_id

    @property
    def client_id(self) -> str:
        return self.credentials.api_client_id

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def password_token(
    http: httpx.AsyncClient, client_id: str, username: str, password: str, scope: str | None = None
) -> httpx.Response:
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "username": username,
        "password": password,
    }
    if scope is not None:
        form["scope"] = scope
    return await http.post("/oauth/token", data=form)
