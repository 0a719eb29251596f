"""Browser fixtures for the admin console (issue 9): one real ``gatehouse serve`` process per
module on an empty database of the session's backend, and Debian's Chromium driven by the PyPI
``playwright`` package (Playwright's own browser download is not reachable here).

Every page fails its test on a JavaScript error or a console error. Chromium also reports each
4xx response as a console error ("Failed to load resource"); a test that provokes refusals on
purpose lists the statuses it expects with ``page_errors.allow_http(...)``.

Screenshots go to ``tests/console/artifacts/`` (git-ignored; CI keeps the folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Playwright, async_playwright

from tests.conftest import empty_database
from tests.factories.console import ADMIN, ARTIFACTS, PASSWORD, ConsoleServer, PageErrors
from tests.support.server import server

CHROMIUM = os.environ.get("GATEHOUSE_TEST_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists()


@pytest_asyncio.fixture(scope="module")
async def console_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with empty_database(tmp_path_factory.mktemp("console"), "console") as url:
        yield url


@pytest.fixture(scope="module")
def console_server(console_database: str) -> Iterator[ConsoleServer]:
    env = {"GATEHOUSE_BOOTSTRAP_USERNAME": ADMIN, "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD}
    with server(console_database, env=env) as (base, _process):
        config = httpx.get(f"{base}/gatehouse/console/config").json()
        yield ConsoleServer(base, console_database, config["MarketplaceID"], config["ApiClientID"])


@pytest_asyncio.fixture(scope="session")
async def playwright_instance() -> AsyncIterator[Playwright]:
    if not chromium_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    async with async_playwright() as playwright:
        yield playwright


@pytest_asyncio.fixture(scope="session")
async def browser(playwright_instance: Playwright) -> AsyncIterator[Browser]:
    browser = await playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    await browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


async def open_page(browser: Browser, errors: PageErrors, viewport: dict[str, int]) -> Page:
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    await context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = await context.new_page()
    page.on("console", errors.on_console)
    page.on("pageerror", lambda error: errors.messages.append(f"pageerror: {error}"))
    return page


@pytest_asyncio.fixture
async def page(browser: Browser, page_errors: PageErrors) -> AsyncIterator[Page]:
    """A 1280 px wide page; the test fails on any unexpected browser error."""
    page = await open_page(browser, page_errors, DESKTOP)
    yield page
    await page.context.close()
    assert page_errors.unexpected() == []


@pytest_asyncio.fixture
async def phone(browser: Browser, page_errors: PageErrors) -> AsyncIterator[Page]:
    """A phone-width page (390 px)."""
    page = await open_page(browser, page_errors, PHONE)
    yield page
    await page.context.close()
    assert page_errors.unexpected() == []
