"""Steps shared by the console's browser tests."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import Page, expect

ARTIFACTS = Path(__file__).parent / "artifacts"


async def sign_in(
    page: Page, console_url: str, username: str, password: str, marketplace: str = ""
) -> None:
    await page.goto(console_url)
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    if marketplace:
        await page.get_by_label("Marketplace").fill(marketplace)
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot of a main view (kept by CI as an artifact)."""
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def token(
    base: str, client_id: str, username: str, password: str, secret: str | None = None
) -> str:
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "username": username,
        "password": password,
    }
    if secret is not None:
        form["client_secret"] = secret
    response = httpx.post(f"{base}/oauth/token", data=form)
    assert response.status_code == 200, response.text
    access: str = response.json()["access_token"]
    return access


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.type !== 'hidden')
  .filter((el) => el.tagName === 'BUTTON'
    ? !el.textContent.trim() && !el.getAttribute('aria-label')
    : !el.labels.length && !el.getAttribute('aria-label'))
  .map((el) => el.outerHTML)"""


async def assert_every_control_labelled(page: Page) -> None:
    """Every form control of the current view has a label (buttons: their text)."""
    assert await page.evaluate(UNLABELLED) == []
