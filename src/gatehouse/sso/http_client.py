"""The HTTP client single sign-on calls identity providers and integration events with,
made on first use.

Why lazily: importing httpx also loads its command-line extras (click, rich, pygments) when
they are installed, as Gatehouse's CLI has them, about 4.7 MB of RSS in every worker process
(issue 12), and most marketplaces never sign anyone in through SSO. The modules that call out
import httpx inside the calls; a worker loads it with its first SSO sign-in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


class SsoHttp:
    """One process's client: the configured timeout, no redirects followed, closed at
    shutdown (``aclose``) if it was ever made."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout_seconds = timeout_seconds
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self._timeout_seconds),
                follow_redirects=False,
                headers={"User-Agent": "Gatehouse-SSO"},
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
