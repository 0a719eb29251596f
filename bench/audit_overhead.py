"""What recording token events costs the token endpoint (issue 5: at most 10 %).

In-process: one app (with its lifespan, so the audit flusher runs as in production), one
fresh SQLite (or ``--database-url``) database, sequential ``client_credentials`` requests
through httpx's ASGI transport in rounds, token auditing on and off in alternating rounds.
The overhead is the median over pairs of adjacent rounds of (off - on) / off, by wall
clock and by process CPU time: pairing cancels the drift of a shared, busy machine. Each
"on" round ends with a flush of what it buffered, timed, so it pays for all audit writes.

    .venv/bin/python bench/audit_overhead.py [--requests 200] [--pairs 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from gatehouse.app import create_app
from gatehouse.crypto import PasswordHasher
from gatehouse.oauth.server import TokenAttempt
from gatehouse.runtime import Runtime
from gatehouse.services.marketplaces import create_marketplace
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.models import AuditEventRow

BASE_URL = "http://bench.test"
ADMIN_PASSWORD = "Adm1nPassword!"
CLIENT_SECRET = "bench-secret-value"


async def _setup(http: httpx.AsyncClient, runtime: Runtime) -> str:
    """A marketplace and a client-credentials client acting as the marketplace admin."""
    creds = await create_marketplace(
        runtime.db,
        PasswordHasher(),
        runtime.clock,
        name="Bench",
        admin_username=f"admin-{secrets.token_hex(4)}",
        admin_password=ADMIN_PASSWORD,
    )
    login = await http.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": creds.api_client_id,
            "username": creds.username,
            "password": ADMIN_PASSWORD,
        },
    )
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    created = await http.post(
        "/v1/apiclients",
        headers=auth,
        json={
            "AppName": "Bench",
            "AccessTokenDuration": 60,
            "AllowSeller": True,
            "ClientSecret": CLIENT_SECRET,
            "DefaultContextUserName": creds.username,
        },
    )
    client_id: str = created.json()["ID"]
    return client_id


async def _round(
    http: httpx.AsyncClient, runtime: Runtime, client_id: str, requests: int, audit: bool
) -> tuple[float, float]:
    """Requests per second of wall time, and per second of this process's CPU time (all
    threads, so the flush's SQLite work counts). With auditing on, the round ends with an
    explicit flush of everything it buffered, inside the timed region: every byte of
    auditing work is charged to the "on" rounds, none leaks into an "off" round."""
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": CLIENT_SECRET,
    }
    runtime.audit.enabled = audit
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        response = await http.post("/oauth/token", data=form)
        if response.status_code != 200:
            raise RuntimeError(response.text)
    if audit:
        await runtime.audit.flush()
    return requests / (time.perf_counter() - wall), requests / (time.process_time() - cpu)


def _observe_cost(runtime: Runtime, client_id: str, calls: int = 100_000) -> float:
    """Microseconds the token endpoint spends per request on auditing (the hot path)."""
    attempt = TokenAttempt("client_credentials", "m", client_id, 1, "user", "admin")
    runtime.audit.enabled = True
    start = time.perf_counter()
    for _ in range(calls):
        runtime.audit.observe(attempt, None)
    elapsed = time.perf_counter() - start
    runtime.audit._pending.clear()  # not to be written: only the call was measured
    return elapsed / calls * 1e6


async def main(database_url: str, requests: int, pairs: int) -> None:
    await migrate.upgrade(database_url)
    app = create_app(Settings(database_url=database_url, base_url=BASE_URL))
    runtime: Runtime = app.state.runtime
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            client_id = await _setup(http, runtime)
            await _round(http, runtime, client_id, requests, True)  # warm-up
            results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
            for index in range(pairs):
                first = index % 2 == 0  # on/off, then off/on: no order bias
                for audit in (first, not first):
                    results[audit].append(await _round(http, runtime, client_id, requests, audit))
            observe_us = _observe_cost(runtime, client_id)
            runtime.audit.enabled = True
            async with runtime.db.read() as session:
                stored = await session.scalar(select(func.count()).select_from(AuditEventRow))
    print(f"database: {database_url.split(':', 1)[0]}")
    print(f"requests per round: {requests}, round pairs (on/off): {pairs}")
    for label, column in (("wall-clock", 0), ("CPU-time", 1)):
        on = [r[column] for r in results[True]]
        off = [r[column] for r in results[False]]
        paired = [(b - a) / b * 100 for a, b in zip(on, off, strict=True)]
        print(f"{label:>10} req/s, audit off: median {statistics.median(off):7.1f}")
        print(f"{label:>10} req/s, audit on:  median {statistics.median(on):7.1f}")
        print(
            f"{label:>10} overhead: {statistics.median(paired):5.1f} % "
            "(median of paired rounds; limit 10 %)"
        )
    print(f"hot path (observe) per request: {observe_us:.2f} us")
    print(f"audit events stored: {stored}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'audit-bench.db'}"
    elif url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url[len("postgresql://") :]
    asyncio.run(main(url, args.requests, args.pairs))
