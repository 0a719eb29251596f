"""Single sign-on tests' shared pieces: the marketplace, client, config and event a flow needs,
the receiver's hash key, and reading a redirect."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.factories.marketplaces import Marketplace
from tests.sso.fake_idp import FakeIdp
from tests.sso.receiver import Receiver

HASH_KEY = "hash-key-0123456789"


ERROR_URL = "https://shop.example/error?msg={0}"


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


@dataclass
class Sso:
    http: httpx.AsyncClient
    mp: Marketplace
    idp: FakeIdp
    receiver: Receiver
    client_id: str
    config_id: str = "google"

    async def login(self, **params: Any) -> httpx.Response:
        query = {"id": self.config_id, "cid": self.client_id, **params}
        return await self.http.get("/ocrplogin", params=query)

    async def start(self, **params: Any) -> dict[str, str]:
        """``/ocrplogin`` → the IdP redirect's query parameters."""
        response = await self.login(**params)
        assert response.status_code == 302, response.text
        query = parse_qs(urlsplit(response.headers["location"]).query)
        return {k: v[0] for k, v in query.items()}

    async def callback(
        self, sent: dict[str, str], *, sub: str = "idp-user-1", **claims: Any
    ) -> httpx.Response:
        claims.setdefault("email", f"{sub}@corp.example")
        claims.setdefault("email_verified", True)
        nonce = claims.pop("nonce", sent.get("nonce"))
        code = self.idp.issue_code(
            sub=sub, nonce=nonce, challenge=sent.get("code_challenge"), **claims
        )
        return await self.http.get("/ocrpcode", params={"code": code, "state": sent["state"]})

    async def patch_config(self, **fields: Any) -> None:
        url = f"/v1/openidconnects/{self.config_id}"
        await ok(await self.http.patch(url, headers=self.mp.auth, json=fields))


def redirect_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def random_sub() -> str:
    return "sub-" + secrets.token_hex(6)
