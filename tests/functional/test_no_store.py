"""Responses that carry a token or a secret must not be cached (issue 10, item 5).

Every route of the app is called (found from the route table, so a route added later is
covered without editing this file): every answer carries ``Cache-Control: no-store`` and
``Pragma: no-cache`` (RFC 6749 §5.1) except the public key documents, which are meant to be
cached and carry no credential. The routes known to return a token or a secret are then
checked on their successful answers.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from gatehouse.app import ROUTERS
from gatehouse.http.cache_control import CACHEABLE_PATHS
from gatehouse.runtime import Runtime
from tests.factories.anonymous import anon, build_shop, newcomer, ok, register
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token

pytestmark = pytest.mark.asyncio

CREDENTIAL_FIELDS = re.compile(r'"(access_token|refresh_token|ClientSecret|Secret|Value)"')


def no_store(response: httpx.Response) -> bool:
    headers = response.headers
    return bool(headers.get("cache-control") == "no-store" and headers.get("pragma") == "no-cache")


def routes(app: FastAPI) -> list[tuple[str, str]]:
    found = {
        (method, route.path)
        for route in [*app.routes, *(r for router in ROUTERS for r in router.routes)]
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    return sorted(found)


async def test_every_route_answers_no_store(
    app: FastAPI, client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    called = 0
    for method, template in routes(app):
        path = re.sub(r"\{[^}]+\}", "x", template)
        response = await client.request(method, path, headers=marketplace.auth)
        called += 1
        if template in CACHEABLE_PATHS:
            assert not CREDENTIAL_FIELDS.search(response.text), template
            continue
        assert no_store(response), (method, template, response.status_code, response.headers)
    assert called > 100


async def test_public_key_documents_stay_cacheable_and_carry_no_private_part(
    client: httpx.AsyncClient,
) -> None:
    jwks = (await client.get("/.well-known/jwks.json")).json()
    kid = jwks["keys"][0]["kid"]
    cert = await client.get(f"/oauth/certs/{kid}")
    assert cert.headers["cache-control"] == "public, max-age=3600"
    for jwk in [*jwks["keys"], cert.json()]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)


async def test_credential_routes_on_success(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> None:
    shop = await build_shop(client, runtime, marketplace)
    token = await password_token(
        client, marketplace.client_id, marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert token.status_code == 200 and no_store(token)
    base = f"/v1/apiclients/{marketplace.client_id}/secrets"
    created = await client.post(base, headers=marketplace.auth, json={"Name": "n1"})
    assert created.status_code == 201 and no_store(created), created.text
    rotated = await client.post(
        f"/gatehouse/apiclients/{marketplace.client_id}/secrets/rotate",
        headers=marketplace.auth,
        json={"Name": "n2"},
    )
    assert rotated.status_code == 201 and no_store(rotated), rotated.text
    shopper = await anon(client, shop)
    registered = await register(client, shopper, shopper, newcomer())
    assert "access_token" in await ok(registered)
    assert no_store(registered)
    listed = await client.get(f"/v1/apiclients/{marketplace.client_id}", headers=marketplace.auth)
    assert listed.status_code == 200 and no_store(listed)
