"""Real-browser test helpers: Debian's Chromium driven by Playwright (its own browser download
is unreachable here, so Playwright is pointed at ``/usr/bin/chromium``), and a second local
HTTP server that serves a storefront page from another origin than Gatehouse's."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import free_port

CHROMIUM = os.environ.get("GATEHOUSE_CHROMIUM", "/usr/bin/chromium")
NODE_MODULES = Path(__file__).parents[1] / "e2e_js" / "node_modules"
SDK_BUNDLE = NODE_MODULES / "ordercloud-javascript-sdk" / "dist" / "index.umd.js"
AXIOS_BUNDLE = NODE_MODULES / "axios" / "dist" / "axios.min.js"


def require_browser() -> None:
    """Skip locally, fail in CI, when Chromium, Playwright or the SDK bundle is missing."""
    missing = [
        what
        for what, present in (
            (CHROMIUM, Path(CHROMIUM).exists()),
            ("playwright", _has_playwright()),
            (str(SDK_BUNDLE), SDK_BUNDLE.exists() and AXIOS_BUNDLE.exists()),
        )
        if not present
    ]
    if not missing:
        return
    message = f"browser tests need {', '.join(missing)} (.ci/run installs chromium; npm ci)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _has_playwright() -> bool:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return False
    return True


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """A headless Chromium (``playwright.async_api.Browser``)."""
    from playwright.async_api import async_playwright

    # Chromium refuses to run as root with its sandbox (CI containers run as root).
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield browser
        finally:
            await browser.close()


@contextmanager
def static_site(files: Mapping[str, tuple[bytes, str]]) -> Iterator[str]:
    """Serve ``{path: (body, content type)}`` on a free port; yields the site's origin."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = files.get(self.path.split("?", 1)[0])
            if found is None:
                self.send_error(404)
                return
            body, content_type = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is for assertions."""

    site = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}"
    finally:
        site.shutdown()
        site.server_close()


def storefront_files(page_script: bytes) -> dict[str, tuple[bytes, str]]:
    """A page loading axios and the official SDK's browser bundle, unchanged, plus the
    storefront's own script."""
    html = (
        b"<!doctype html><html lang=en><head><meta charset=utf-8><title>Storefront</title>"
        b'<script src="/axios.min.js"></script><script src="/ordercloud.umd.js"></script>'
        b'<script src="/storefront.js"></script></head><body><main id=app>Storefront</main>'
        b"</body></html>"
    )
    js = "text/javascript"
    return {
        "/": (html, "text/html; charset=utf-8"),
        "/axios.min.js": (AXIOS_BUNDLE.read_bytes(), js),
        "/ordercloud.umd.js": (SDK_BUNDLE.read_bytes(), js),
        "/storefront.js": (page_script, js),
    }
