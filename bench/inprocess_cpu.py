"""CPU per request of the read hot paths inside one process, without a server or network.

The app is called through ``httpx.ASGITransport`` one request at a time, so what is measured
is the application (middleware, dependencies, route, database reads), not uvicorn or the load
generator, and the shared machine's other load barely moves it: ``time.process_time`` counts
this process's CPU (the aiosqlite threads included), ``time.thread_time`` the event loop's
alone (steadier: thread hand-offs under load inflate the first). ``--profile FILE`` also
writes a cProfile (event-loop CPU) of the measured loop for the path given by ``--only``.

    .venv/bin/python bench/inprocess_cpu.py [--requests 500] [--only me] [--profile out.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import secrets
import tempfile
import time
from pathlib import Path

import httpx

from gatehouse.app import create_app
from gatehouse.crypto import PasswordHasher
from gatehouse.logs import configure_logging
from gatehouse.runtime import Runtime
from gatehouse.services.marketplaces import create_marketplace
from gatehouse.settings import Settings
from gatehouse.storage import migrate

BASE = "http://gatehouse.test"
PASSWORD = "Bench-Passw0rd-Aa1"
PATHS = {
    "me": "/v1/me",
    "apiclients": "/v1/apiclients",
    "buyer_users": "/v1/buyers/b1/users?pageSize=20",
}


async def _fixture(http: httpx.AsyncClient, runtime: Runtime) -> dict[str, str]:
    made = await create_marketplace(
        runtime.db,
        PasswordHasher(),
        runtime.clock,
        name="bench",
        admin_username="bench_admin",
        admin_password=PASSWORD,
    )
    form = {
        "grant_type": "password",
        "client_id": made.api_client_id,
        "username": made.username,
        "password": PASSWORD,
    }
    token = (await http.post("/oauth/token", data=form)).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    for n in range(19):
        body = {"AppName": f"app{n}", "Active": True, "AccessTokenDuration": 600}
        await http.post("/v1/apiclients", headers=auth, json=body)
    await http.post("/v1/buyers", headers=auth, json={"ID": "b1", "Name": "b1", "Active": True})
    for n in range(20):
        user: dict[str, object] = {"ID": f"u{n}", "Username": f"user{n}", "FirstName": "F"}
        user |= {"LastName": "L", "Email": f"u{n}@example.com", "Active": True, "xp": {"n": n}}
        await http.post("/v1/buyers/b1/users", headers=auth, json=user)
    return auth


async def _measure(args: argparse.Namespace, url: str) -> None:
    app = create_app(Settings(database_url=url, base_url=BASE))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http,
    ):
        auth = await _fixture(http, app.state.runtime)
        for name, path in PATHS.items():
            if args.only and name != args.only:
                continue
            for _ in range(50):  # warm-up
                assert (await http.get(path, headers=auth)).status_code == 200
            profiler = cProfile.Profile(time.thread_time) if args.profile else None
            started, main_started = time.process_time(), time.thread_time()
            if profiler is not None:
                profiler.enable()
            for _ in range(args.requests):
                await http.get(path, headers=auth)
            used = time.process_time() - started
            main = time.thread_time() - main_started
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            per = 1e6 / args.requests
            print(f"{name:12s} {used * per:7.0f} µs CPU/request ({main * per:.0f} event loop)")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--only", choices=sorted(PATHS), default=None)
    p.add_argument("--profile", default=None)
    p.add_argument("--log-format", choices=("json", "text"), default="json")
    args = p.parse_args()
    configure_logging(args.log_format, logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / f'{secrets.token_hex(4)}.db'}"
        asyncio.run(migrate.upgrade(url))
        asyncio.run(_measure(args, url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
