"""In-process microbenchmark of the per-client metrics' cost on the request path.

    .venv/bin/python bench/metrics_overhead.py

1. The recording calls alone (``Metrics.request``, ``Metrics.token``: Prometheus counter and
   histogram plus the usage dict), in the single-process and the multiprocess (mmap) mode.
2. ``GET`` of the discovery document and client_credentials through the whole ASGI app
   (httpx ASGITransport, one SQLite file), with and without the ``RequestMetrics``
   middleware, in interleaved rounds (the token endpoint's own counting stays in both).
   Before that, the middleware around a trivial ASGI app, which isolates its own cost.
   Times are the process's CPU time, less disturbed than wall time on a shared machine.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

import httpx

CALLS = 200_000
ROUTE = "/.well-known/oauth-authorization-server"
"""No database and no token check: the request is mostly framework, so the middleware's share
shows best."""


def per_call_microseconds(multiprocess: bool) -> tuple[float, float]:
    from gatehouse.domain.clock import SystemClock
    from gatehouse.http.metrics import Metrics
    from gatehouse.oauth.server import TokenAttempt

    metrics = Metrics(SystemClock(), multiprocess=multiprocess)
    client = ("mp", "0b1c2d3e-0000-4000-8000-000000000001")
    started = time.process_time()
    for _ in range(CALLS):
        metrics.request(client, "/v1/apiclients/{apiClientID}", "GET", 200, 0.001)
    request_us = (time.process_time() - started) / CALLS * 1e6
    attempt = TokenAttempt("client_credentials", *client)
    started = time.process_time()
    for _ in range(CALLS):
        with metrics.observe_token(attempt):
            pass
    token_us = (time.process_time() - started) / CALLS * 1e6
    return request_us, token_us


async def middleware_microseconds(calls: int = 100_000) -> tuple[float, float]:
    """CPU per request of a trivial ASGI app, bare and wrapped in ``RequestMetrics`` (an
    authenticated request: the usage dict is counted too)."""
    from typing import Any

    from gatehouse.domain.clock import SystemClock
    from gatehouse.http.metrics import Metrics, RequestMetrics

    async def app(_scope: Any, _receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(_message: Any) -> None:
        return None

    class Route:
        path = "/v1/apiclients/{apiClientID}"

    wrapped = RequestMetrics(app, Metrics(SystemClock(), multiprocess=False))
    timings = []
    for target in (app, wrapped):
        started = time.process_time()
        for _ in range(calls):
            scope = {
                "type": "http",
                "method": "GET",
                "route": Route,
                "state": {"metrics_client": ("mp", "0b1c2d3e-0000-4000-8000-000000000001")},
            }
            await target(scope, receive, send)
        timings.append((time.process_time() - started) / calls * 1e6)
    return timings[0], timings[1]


async def end_to_end(rounds: int = 7, per_round: int = 400) -> dict[str, list[float]]:
    from gatehouse.app import create_app
    from gatehouse.crypto import PasswordHasher
    from gatehouse.http.metrics import RequestMetrics
    from gatehouse.services.marketplaces import create_marketplace
    from gatehouse.settings import Settings
    from gatehouse.storage import migrate

    directory = tempfile.mkdtemp()
    url = f"sqlite+aiosqlite:///{directory}/bench.db"
    await migrate.upgrade(url)
    settings = Settings(database_url=url, base_url="http://bench.test", usage_flush_seconds=3600)
    apps = {"with": create_app(settings), "without": create_app(settings)}
    plain = apps["without"]
    plain.user_middleware = [
        m
        for m in plain.user_middleware
        if getattr(m.cls, "__name__", "") != RequestMetrics.__name__
    ]
    results: dict[str, list[float]] = {f"{k} {s}": [] for k in apps for s in ("discovery", "cc")}
    async with (
        apps["with"].router.lifespan_context(apps["with"]),
        plain.router.lifespan_context(plain),
    ):
        runtime = apps["with"].state.runtime
        creds = await create_marketplace(
            runtime.db, PasswordHasher(), runtime.clock, name="Bench",
            admin_username="bench", admin_password="B3nchPassword!",
        )  # fmt: skip
        clients = {
            name: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench.test"
            )
            for name, app in apps.items()
        }
        token_form = {
            "grant_type": "password",
            "client_id": creds.api_client_id,
            "username": "bench",
            "password": "B3nchPassword!",
        }
        token = (await clients["with"].post("/oauth/token", data=token_form)).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        created = await clients["with"].post(
            "/v1/apiclients",
            headers=auth,
            json={
                "AppName": "cc", "AccessTokenDuration": 30, "AllowSeller": True,
                "ClientSecret": "bench-secret", "DefaultContextUserName": "bench",
            },
        )  # fmt: skip
        cc_form = {
            "grant_type": "client_credentials",
            "client_id": created.json()["ID"],
            "client_secret": "bench-secret",
        }
        for http in clients.values():  # warm caches
            for _ in range(50):
                await http.get(ROUTE, headers=auth)
                await http.post("/oauth/token", data=cc_form)
        for round_ in range(rounds):
            order = list(clients.items())
            for name, http in order if round_ % 2 else reversed(order):
                started = time.process_time()
                for _ in range(per_round):
                    await http.get(ROUTE, headers=auth)
                elapsed = time.process_time() - started
                results[f"{name} discovery"].append(elapsed / per_round * 1e6)
                started = time.process_time()
                for _ in range(per_round // 4):
                    await http.post("/oauth/token", data=cc_form)
                results[f"{name} cc"].append(
                    (time.process_time() - started) / (per_round // 4) * 1e6
                )
        for http in clients.values():
            await http.aclose()
    return results


def main() -> None:
    print(f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} python {sys.version.split()[0]}")
    request_us, token_us = per_call_microseconds(multiprocess=False)
    print(f"single process: Metrics.request {request_us:.2f} µs, token {token_us:.2f} µs")
    with tempfile.TemporaryDirectory() as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        import prometheus_client.values as values

        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        request_us, token_us = per_call_microseconds(multiprocess=True)
        values.ValueClass = values.MutexValue
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
    print(f"multiprocess:   Metrics.request {request_us:.2f} µs, token {token_us:.2f} µs")
    bare, wrapped = asyncio.run(middleware_microseconds())
    print(f"middleware: bare ASGI app {bare:.2f} µs, wrapped {wrapped:.2f} µs CPU/request")
    results = asyncio.run(end_to_end())
    for name, samples in results.items():
        print(f"{name:17s} median {statistics.median(samples):8.1f} µs CPU/request")
    for kind in ("discovery", "cc"):
        with_ = statistics.median(results[f"with {kind}"])
        without = statistics.median(results[f"without {kind}"])
        print(
            f"{kind}: metrics add {with_ - without:+.1f} µs ({(with_ / without - 1) * 100:+.1f}%)"
        )


if __name__ == "__main__":
    main()
