"""Per-client metrics: Prometheus counters and histograms, and the per-minute usage counts.

Label values are bounded: ``client_id`` is a client that exists (the token endpoint's client
once its ID resolved, the verified token's ``cid`` for API requests) or ``unknown``;
``grant_type`` is a served grant or ``other``; ``route`` is the matched route *template*
(``/v1/apiclients/{apiClientID}``) or ``unmatched``; ``method`` a standard verb or ``other``;
``outcome`` is ``issued`` or an ErrorCode from the code base. A flood of made-up client IDs or
paths therefore adds no series.

Several worker processes (``gatehouse serve --workers N``): ``serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the workers start; each worker's
values then live in memory-mapped files there and ``/metrics`` sums every worker's files
(prometheus_client's multiprocess mode), whichever worker answers the scrape.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import DomainError
from gatehouse.domain.usage import ISSUED, OTHER, UNKNOWN_CLIENT, UsageCounts, grant_label
from gatehouse.oauth.errors import OAuthError
from gatehouse.oauth.server import TokenAttempt

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PROMETHEUS_TEXT = CONTENT_TYPE_PLAIN_0_0_4
"""``text/plain; version=0.0.4``: the classic text exposition, which every Prometheus and
scraper reads (prometheus_client's "latest", 1.0.0, is the same text for Gatehouse's ASCII
metric names, but older scrapers do not know it)."""
TOKEN_ROUTE = "/oauth/token"
UNMATCHED_ROUTE = "unmatched"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
TOKEN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Token requests: a cached client_credentials grant takes a few ms, a password grant's
argon2 verification tens of ms."""
API_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""API requests: a cached token check plus one query is about a millisecond."""
CLIENT_STATE_KEY = "metrics_client"
"""``request.state`` attribute ``authenticate()`` sets to ``(marketplace_id, client_id)``."""


class Metrics:
    """One process's metrics. ``multiprocess`` (default: ``PROMETHEUS_MULTIPROC_DIR`` is set)
    selects file-backed values aggregated across processes at scrape time."""

    def __init__(
        self, clock: Clock, usage: UsageCounts | None = None, *, multiprocess: bool | None = None
    ) -> None:
        self.clock = clock
        self.usage = usage if usage is not None else UsageCounts()
        self.multiprocess = (
            bool(os.environ.get(MULTIPROC_ENV)) if multiprocess is None else multiprocess
        )
        # In multiprocess mode values go to files and are collected per scrape, so the metrics
        # join no registry; otherwise each app has its own (tests build many apps).
        registry = None if self.multiprocess else CollectorRegistry(auto_describe=True)
        self._registry = registry
        self._token_metrics(registry)
        self._api_metrics(registry)
        # ``labels()`` validates and locks on every call; the children of a label set are
        # looked up once (label values are bounded, so these dicts are too).
        self._token_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        self._api_children: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}

    def _token_metrics(self, registry: CollectorRegistry | None) -> None:
        self.token_requests = Counter(
            "gatehouse_token_requests",
            "Token requests by client, grant type and outcome (issued or the ErrorCode).",
            ["client_id", "grant_type", "outcome"],
            registry=registry,
        )
        self.token_duration = Histogram(
            "gatehouse_token_request_duration_seconds",
            "Time to answer a token request, by grant type.",
            ["grant_type"],
            buckets=TOKEN_BUCKETS,
            registry=registry,
        )

    def _api_metrics(self, registry: CollectorRegistry | None) -> None:
        self.api_requests = Counter(
            "gatehouse_api_requests",
            "API requests by the token's client, route template, method and status.",
            ["client_id", "route", "method", "status"],
            registry=registry,
        )
        self.api_duration = Histogram(
            "gatehouse_api_request_duration_seconds",
            "Time to answer an API request, by route template and method.",
            ["route", "method"],
            buckets=API_BUCKETS,
            registry=registry,
        )

    def token(self, attempt: TokenAttempt, outcome: str, seconds: float) -> None:
        grant = grant_label(attempt.grant_type)
        key = (attempt.client_id or UNKNOWN_CLIENT, grant, outcome)
        children = self._token_children.get(key)
        if children is None:
            children = self._token_children[key] = (
                self.token_requests.labels(*key),
                self.token_duration.labels(grant),
            )
        children[0].inc()
        children[1].observe(seconds)
        if attempt.marketplace_id is not None and attempt.client_id is not None:
            self.usage.token(
                attempt.marketplace_id, attempt.client_id, self.clock.now(), grant, outcome
            )

    def request(
        self,
        client: tuple[str, str] | None,
        route: str,
        method: str,
        status: int,
        seconds: float,
    ) -> None:
        verb = method if method in METHODS else OTHER
        key = (client[1] if client is not None else UNKNOWN_CLIENT, route, verb, status)
        children = self._api_children.get(key)
        if children is None:
            children = self._api_children[key] = (
                self.api_requests.labels(key[0], route, verb, str(status)),
                self.api_duration.labels(route, verb),
            )
        children[0].inc()
        children[1].observe(seconds)
        if client is not None:
            self.usage.request(client[0], client[1], self.clock.now(), status)

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition, every worker's values summed in multiprocess mode."""
        if self._registry is not None:
            return generate_latest(self._registry), PROMETHEUS_TEXT
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), PROMETHEUS_TEXT

    @contextmanager
    def observe_token(self, attempt: TokenAttempt) -> Iterator[None]:
        """Count the token request run inside: ``issued``, or the ErrorCode it was refused
        with (``ServerError`` for anything unexpected). A cancelled request is not counted."""
        started = time.perf_counter()
        outcome: str | None = ISSUED
        try:
            yield
        except (OAuthError, DomainError) as exc:
            outcome = exc.code
            raise
        except Exception:
            outcome = "ServerError"
            raise
        except BaseException:
            outcome = None
            raise
        finally:
            if outcome is not None:
                self.token(attempt, outcome, time.perf_counter() - started)


class RequestMetrics:
    """Raw ASGI middleware timing every request but the token endpoint's (counted by
    ``Metrics.observe_token``). It must sit inside the middleware that rewrites the scope, so
    the router's ``scope["route"]`` is visible here once the response is sent."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED_ROUTE
            if template != TOKEN_ROUTE:
                client = scope.get("state", {}).get(CLIENT_STATE_KEY)
                self.metrics.request(
                    client if isinstance(client, tuple) else None,
                    template,
                    scope["method"],
                    status,
                    time.perf_counter() - started,
                )
