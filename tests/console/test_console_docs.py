"""Swagger UI at /gatehouse/docs works offline (issue 9): in Chromium, with no request to any
other host, the page renders Gatehouse's OpenAPI document under the strict CSP
without a single browser error."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, Request, expect

from tests.factories.console import ConsoleServer

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def test_swagger_ui_offline(page: Page, console_server: ConsoleServer) -> None:
    own = urlsplit(console_server.base).netloc
    elsewhere: list[str] = []

    def record(request: Request) -> None:
        if urlsplit(request.url).netloc != own and not request.url.startswith("data:"):
            elsewhere.append(request.url)

    page.on("request", record)
    await page.goto(f"{console_server.base}/gatehouse/docs")
    await expect(page.locator(".swagger-ui .info")).to_contain_text("Gatehouse", timeout=30_000)
    await expect(page.get_by_text("/gatehouse/console/config").first).to_be_visible()
    assert elsewhere == []
