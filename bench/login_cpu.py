"""What a password grant costs besides its hash, inside one process (issue 12).

The app is called through ``httpx.ASGITransport`` one grant at a time, with argon2id at a
token cost (64 KiB, 1 pass: microseconds), so what is left is everything else a login does:
the client and user lookups, the lockout and throttle bookkeeping, the thread hand-offs, the
access token's signature and the refresh token's write. Printed per grant: process CPU (the
aiosqlite and hashing threads included), the event loop's own CPU, and the SQL statements
and write transactions run, counted on the engines. ``--profile FILE`` writes a cProfile of
the event loop.

    .venv/bin/python bench/login_cpu.py [--grants 400] [--profile out.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import secrets
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from gatehouse.app import create_app
from gatehouse.crypto import PasswordHasher
from gatehouse.logs import configure_logging
from gatehouse.services.marketplaces import create_marketplace
from gatehouse.settings import Settings
from gatehouse.storage import migrate

BASE = "http://gatehouse.test"
PASSWORD = "Bench-Passw0rd-Aa1"


def _count_statements(engines: list[Any], counts: Counter[str]) -> None:
    for engine in {id(e): e for e in engines}.values():

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _seen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            counts[statement.split(None, 1)[0].upper()] += 1


async def _measure(args: argparse.Namespace, url: str) -> None:
    settings = Settings(
        database_url=url,
        base_url=BASE,
        password_hash_memory_kib=64,
        password_hash_time_cost=1,
        password_hash_allow_weak=True,
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http,
    ):
        runtime = app.state.runtime
        made = await create_marketplace(
            runtime.db,
            PasswordHasher.from_settings(settings),
            runtime.clock,
            name="bench",
            admin_username="bench_admin",
            admin_password=PASSWORD,
        )
        form = {"grant_type": "password", "client_id": made.api_client_id}
        form |= {"username": made.username, "password": PASSWORD}
        for _ in range(50):  # warm-up
            assert (await http.post("/oauth/token", data=form)).status_code == 200
        counts: Counter[str] = Counter()
        _count_statements([runtime.db.read_engine, runtime.db.write_engine], counts)
        profiler = cProfile.Profile(time.thread_time) if args.profile else None
        started, loop_started = time.process_time(), time.thread_time()
        if profiler is not None:
            profiler.enable()
        for _ in range(args.grants):
            await http.post("/oauth/token", data=form)
        used, loop = time.process_time() - started, time.thread_time() - loop_started
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        per = 1e6 / args.grants
        sql = ", ".join(f"{k} {v / args.grants:.1f}" for k, v in sorted(counts.items()))
        print(f"password grant {used * per:7.0f} µs CPU ({loop * per:.0f} event loop); {sql}")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--grants", type=int, default=400)
    p.add_argument("--profile", default=None)
    args = p.parse_args()
    configure_logging("json", logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / f'{secrets.token_hex(4)}.db'}"
        asyncio.run(migrate.upgrade(url))
        asyncio.run(_measure(args, url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
