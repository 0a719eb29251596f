"""The whole SSO flow in a real browser against a real identity provider: Chromium (Playwright,
Debian's /usr/bin/chromium) signs in at node-oidc-provider's login and consent pages, is sent
back through Gatehouse's ``/ocrpcode`` (query and form_post) to the AppStartUrl, and the
delivered token and refresh token are then used with the official JavaScript SDK. The SSO
configuration itself is made through the SDK's ``OpenIdConnects`` and ``IntegrationEvents``.
Gatehouse runs as a real server process; the integration-event receiver is a real HTTP server
that creates the user through Gatehouse's API with the elevated token it is sent."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from playwright.async_api import Page, async_playwright

from tests.sso.receiver import Receiver
from tests.support.server import free_port, gatehouse, server

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e, pytest.mark.slow]
HERE = Path(__file__).parent
IDP_DIR = HERE / "idp"
SDK_DIR = HERE.parent / "e2e_js"
CHROMIUM = "/usr/bin/chromium"
ADMIN, PASSWORD = "sso-admin", "Sso-Passw0rd-1"
HASH_KEY = "browser-hash-key-0123"
IDP_CLIENT_ID, IDP_SECRET = "gatehouse", "gatehouse-secret-0123456789abcdef"


def _ready() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (IDP_DIR / "node_modules").is_dir():
        return "npm ci in tests/sso/idp"
    if not (SDK_DIR / "node_modules").is_dir():
        return "npm ci in tests/e2e_js"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing"
    return None


@contextmanager
def identity_provider(redirect_uri: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        ["node", "server.mjs"],
        cwd=IDP_DIR,
        env={**os.environ, "PORT": str(port), "REDIRECT_URI": redirect_uri},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("ready "):
                break
        else:
            raise AssertionError("oidc-provider did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def sdk(command: str, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        ["node", str(HERE / "sdk.mjs"), command],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


async def sign_in(page: Page, login_url: str, login: str) -> str:
    """Log in and consent at the IdP's pages (each only when shown); the AppStartUrl reached."""
    await page.goto(login_url)
    if await page.locator("input[name=login]").count():
        await page.fill("input[name=login]", login)
        await page.fill("input[name=password]", "any-password")
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
    if await page.locator("button:has-text('Continue')").count():
        await page.click("button:has-text('Continue')")
    try:
        await page.wait_for_url(lambda url: urlsplit(url).path.startswith("/app"), timeout=30_000)
    except Exception as exc:
        text = await page.content()
        raise AssertionError(f"stuck at {page.url}: {text[:2000]}") from exc
    return page.url


async def test_sign_in_with_a_real_idp_in_chromium(fresh_database_url: str) -> None:
    missing = _ready()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    with server(fresh_database_url) as (base, _process):
        created = gatehouse(
            "marketplace", "create", "--name", "SSO", "--admin-username", ADMIN,
            "--admin-password", PASSWORD, "--json", "--database-url", fresh_database_url,
        )  # fmt: skip
        creds = json.loads(created.stdout)

        def create_user(token: str, buyer: str, user: dict[str, Any]) -> int:
            response = httpx.post(
                f"{base}/v1/buyers/{buyer}/users",
                headers={"Authorization": f"Bearer {token}"},
                json=user,
            )
            return response.status_code

        receiver = Receiver(HASH_KEY, create_user).start()
        try:
            with identity_provider(f"{base}/ocrpcode") as issuer:
                await _flow(base, creds, receiver, issuer)
        finally:
            receiver.stop()


async def _flow(base: str, creds: dict[str, str], receiver: Receiver, issuer: str) -> None:
    app_start = receiver.url.replace("/hooks", "/app") + "{2}?token={0}&refresh={3}&idp={1}"
    env = {
        "GATEHOUSE_URL": base,
        "GATEHOUSE_CLIENT_ID": creds["ApiClientID"],
        "GATEHOUSE_USERNAME": ADMIN,
        "GATEHOUSE_PASSWORD": PASSWORD,
        "RECEIVER_URL": receiver.url,
        "HASH_KEY": HASH_KEY,
        "IDP_ISSUER": issuer,
        "IDP_CLIENT_ID": IDP_CLIENT_ID,
        "IDP_CLIENT_SECRET": IDP_SECRET,
        "APP_START_URL": app_start,
    }
    setup = await asyncio.to_thread(sdk, "setup", env)
    query = {"id": setup["ConfigID"], "cid": setup["PortalClientID"], "roles": "Shopper MeAdmin"}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = await browser.new_page()
            first = await sign_in(
                page,
                f"{base}/ocrplogin?{urlencode({**query, 'appstartpath': '/orders/42'})}",
                "dana",
            )
            # The same browser again, the IdP answering with form_post this time.
            form_post = {**query, "customParams": "response_mode=form_post"}
            second = await sign_in(page, f"{base}/ocrplogin?{urlencode(form_post)}", "dana")
        finally:
            await browser.close()
    landed = urlsplit(first)
    assert landed.path == "/app/orders/42"
    delivered = {k: v[0] for k, v in parse_qs(landed.query).items()}
    claims = jwt.decode(delivered["token"], options={"verify_signature": False})
    assert (claims["usr"], claims["cid"]) == ("dana@idp.example", setup["PortalClientID"])
    assert sorted(claims["role"]) == ["MeAdmin", "Shopper"]
    assert delivered["idp"]  # the IdP's access token ({1})
    assert [c["path"] for c in receiver.calls] == ["/hooks/createuser"]  # linked the 2nd time
    assert receiver.bad_hashes == 0
    again = {k: v[0] for k, v in parse_qs(urlsplit(second).query).items()}
    assert jwt.decode(again["token"], options={"verify_signature": False})["usr"] == claims["usr"]
    used = await asyncio.to_thread(
        sdk,
        "use",
        {
            **env,
            "PORTAL_CLIENT_ID": setup["PortalClientID"],
            "SSO_TOKEN": delivered["token"],
            "SSO_REFRESH_TOKEN": delivered["refresh"],
        },
    )
    assert used == {"Username": "dana@idp.example", "BuyerID": "b1", "Refreshed": True}
