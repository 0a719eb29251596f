"""The console's and Swagger UI's files over HTTP, and the console's config endpoint
(issue 9): strict headers on every page and asset, nothing inline, nothing from another host,
the console client created with each marketplace and usable through the normal password grant.
"""

from __future__ import annotations

import re

import httpx
import pytest

from gatehouse.crypto import PasswordHasher
from gatehouse.http.assets import CONSOLE_ASSETS, DOCS_ASSETS
from gatehouse.runtime import Runtime
from gatehouse.services.console import CONSOLE_APP_NAME
from gatehouse.services.marketplaces import create_marketplace
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token

pytestmark = pytest.mark.asyncio

CONSOLE_PATHS = ["/gatehouse/console", "/gatehouse/console/"] + [
    f"/gatehouse/console/{name}" for name in CONSOLE_ASSETS.names()
]
DOCS_PATHS = ["/gatehouse/docs"] + [f"/gatehouse/docs/{name}" for name in DOCS_ASSETS.names()]


def assert_strict_headers(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp and "http" not in csp and "*" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", CONSOLE_PATHS + DOCS_PATHS)
async def test_pages_and_assets_carry_strict_headers(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200, path
    assert_strict_headers(response)
    expected = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    kind = next((v for k, v in expected.items() if path.endswith(k)), "text/html")
    assert response.headers["content-type"].startswith(kind)


async def test_the_console_lists_its_files() -> None:
    names = CONSOLE_ASSETS.names()
    assert {"index.html", "console.css", "js/app.js", "js/api.js", "js/traffic.js"} <= set(names)
    assert {"index.html", "init.js", "swagger-ui-bundle.js", "swagger-ui.css"} <= set(
        DOCS_ASSETS.names()
    )


@pytest.mark.parametrize(
    "path",
    [
        "/gatehouse/console/js/nothing.js",
        "/gatehouse/console/../app.py",
        "/gatehouse/console/%2e%2e/settings.py",
        "/gatehouse/console/js/../../app.py",
        "/gatehouse/docs/redoc.standalone.js",
        "/gatehouse/docs/__init__.py",
    ],
)
async def test_unknown_files_are_not_found(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["Errors"][0]["ErrorCode"] == "NotFound"


@pytest.mark.parametrize("page", ["/gatehouse/console", "/gatehouse/docs"])
async def test_pages_hold_no_inline_script_or_style_and_no_other_host(
    client: httpx.AsyncClient, page: str
) -> None:
    html = (await client.get(page)).text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, body in scripts:
        assert "src=" in attributes and body.strip() == ""
    assert "style=" not in html and "<style" not in html
    assert re.search(r"(src|href)=\"(https?:)?//", html) is None
    assert re.search(r"\son[a-z]+=", html) is None


async def test_console_sources_never_write_markup_from_strings() -> None:
    """Server values become text nodes: no innerHTML, no eval, no inline style attributes."""
    for name in CONSOLE_ASSETS.names():
        if name.endswith(".js"):
            source = CONSOLE_ASSETS.get(name).body.decode()  # type: ignore[union-attr]
            for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function"):
                assert banned not in source, (name, banned)
            assert "document.cookie" not in source
            assert re.search(r"https?://(?!www\.w3\.org/2000/svg)", source) is None, name


async def test_config_names_the_marketplace_console_client(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await client.get("/gatehouse/console/config", params={"marketplace": marketplace.id})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"  # for HTTP/1.0 caches, as every answer
    config = response.json()
    assert config["MarketplaceID"] == marketplace.id
    console_id = config["ApiClientID"]
    assert console_id != marketplace.client_id
    got = await client.get(f"/v1/apiclients/{console_id}", headers=marketplace.auth)
    assert got.status_code == 200
    console_client = got.json()
    assert console_client["AppName"] == CONSOLE_APP_NAME
    assert console_client["AllowSeller"] is True and console_client["Active"] is True
    assert console_client["ClientSecret"] is None
    assert console_client["AccessTokenDuration"] <= 60
    # A public client: the admin signs in through it with no secret, as the console does.
    signed_in = await password_token(
        client, console_id, marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert signed_in.status_code == 200, signed_in.text


async def test_config_refuses_unknown_and_ambiguous_marketplaces(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, hasher: PasswordHasher
) -> None:
    unknown = await client.get("/gatehouse/console/config", params={"marketplace": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["Errors"][0]["ErrorCode"] == "NotFound"
    # Two marketplaces at least (whatever ran before, in any order): no single answer.
    await create_marketplace(runtime.db, hasher, runtime.clock, name="Another")
    several = await client.get("/gatehouse/console/config")
    assert several.status_code == 400
    error = several.json()["Errors"][0]
    assert error["ErrorCode"] == "Console.MarketplaceRequired"
    assert error["Data"] == {"Field": "marketplace"}
    too_long = await client.get("/gatehouse/console/config", params={"marketplace": "x" * 101})
    assert too_long.status_code == 400


async def test_deleting_the_console_client_is_reported(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    config = (
        await client.get("/gatehouse/console/config", params={"marketplace": marketplace.id})
    ).json()
    deleted = await client.delete(
        f"/v1/apiclients/{config['ApiClientID']}", headers=marketplace.auth
    )
    assert deleted.status_code == 204
    gone = await client.get("/gatehouse/console/config", params={"marketplace": marketplace.id})
    assert gone.status_code == 404


async def test_the_config_endpoint_is_in_the_openapi_document(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    document = (await client.get("/gatehouse/openapi.json")).json()
    assert "/gatehouse/console/config" in document["paths"]
    assert "/gatehouse/console/{asset}" not in document["paths"]
