"""Issue 10 item 7: a database outage. An unreachable database gives 503 with ``Retry-After``
and an OrderCloud error body on a connection that stays usable, one log line per outage and
not a traceback per request; a worker starts without the database and becomes ready when it
returns; ``/gatehouse/health/live`` and ``/ready`` tell orchestrators which is which.

The PostgreSQL test stops and restarts a private server it started itself (never the shared
one); it runs on the PostgreSQL pass. The in-process test runs on both passes: on SQLite the
database file appears only after the app has started."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gatehouse.app import create_app
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from tests.conftest import backend
from tests.support.load import LoadLoop
from tests.support.private_pg import PrivatePostgres, private_postgres
from tests.support.server import free_port, gatehouse, login, server, stop

pytestmark = [pytest.mark.slow]
PASSWORD = "B00tstrapPassword"
RETRY_AFTER = "3"
ENV = {
    "GATEHOUSE_BASE_URL": "http://gatehouse.test",
    "GATEHOUSE_OUTAGE_RETRY_AFTER_SECONDS": RETRY_AFTER,
    "GATEHOUSE_KEY_REFRESH_SECONDS": "2",
}


def _foreign() -> str:
    """A well-formed token under a kid this process has not loaded (it must look it up)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode({"sub": "x"}, key, algorithm="RS256", headers={"kid": "not-loaded-yet"})


def _wait_for(url: str, status: int, deadline_seconds: float) -> float:
    """Seconds until ``url`` answered ``status``; fails after the deadline."""
    started = time.monotonic()
    while time.monotonic() - started < deadline_seconds:
        try:
            if httpx.get(url, timeout=5).status_code == status:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {status} within {deadline_seconds} s")


def _workers(server_pid: int) -> list[int]:
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [
        int(pid)
        for pid in children
        if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    ]


def _extra_worker(database_url: str) -> tuple[str, subprocess.Popen[str]]:
    """One more worker process, started the way uvicorn starts (or replaces) one."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "gatehouse.asgi:create_app_from_env",
         "--factory", "--port", str(port), "--log-level", "info"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **ENV, "GATEHOUSE_DATABASE_URL": database_url},
        start_new_session=True,
    )  # fmt: skip
    return f"http://127.0.0.1:{port}", process


@pytest.fixture
def pg_outage_setup() -> Iterator[tuple[PrivatePostgres, str, str, subprocess.Popen[str]]]:
    with private_postgres() as pg:
        env = {**ENV, "GATEHOUSE_BOOTSTRAP_USERNAME": "admin"}
        env["GATEHOUSE_BOOTSTRAP_PASSWORD"] = PASSWORD
        with server(pg.url, workers=2, env=env) as (base, process):
            created = gatehouse(
                "marketplace", "create", "--name", "O", "--admin-username", "o",
                "--admin-password", PASSWORD, "--json", "--database-url", pg.url,
            )  # fmt: skip
            assert created.returncode == 0, created.stderr
            client_id = json.loads(created.stdout)["ApiClientID"]
            token = login(base, client_id, "o", PASSWORD).json()["access_token"]
            yield pg, base, token, process


@pytest.mark.skipif(backend() != "postgresql", reason="PostgreSQL pass: a private server")
def test_postgresql_stopped_under_load(
    pg_outage_setup: tuple[PrivatePostgres, str, str, subprocess.Popen[str]],
) -> None:
    pg, base, token, process = pg_outage_setup
    with LoadLoop(base, token) as load:
        time.sleep(2)
        pg.stop()
        down_at = time.monotonic()
        time.sleep(1)
        os.kill(_workers(process.pid)[0], signal.SIGKILL)  # replaced while the database is down
        killed_at = time.monotonic()
        extra_base, extra = _extra_worker(pg.url)
        _wait_for(f"{extra_base}/gatehouse/health/live", 200, 30)
        assert httpx.get(f"{extra_base}/gatehouse/health/ready").status_code == 503
        time.sleep(max(0.0, 7 - (time.monotonic() - down_at)))
        pg.start()
        up_at = time.monotonic()
        extra_ready = _wait_for(f"{extra_base}/gatehouse/health/ready", 200, 30)
        time.sleep(5)
    me = httpx.get(f"{extra_base}/v1/me", headers={"Authorization": f"Bearer {token}"})
    extra_output = stop(extra)
    assert process.poll() is None, "the server stopped"
    ready = httpx.get(f"{base}/gatehouse/health/ready").json()
    output = stop(process)

    # Killing a worker drops the connections it holds: the one each client has there, and a
    # client that reconnects at once may land on the dying worker's socket before the kernel
    # has closed it (seen once in many runs: 3 drops for 2 clients), so at most two per
    # client, all within two seconds of the kill: those are the kill's, not the outage's.
    # Every other request must get an HTTP answer.
    dropped = [o for o in load.outcomes if o.status is None]
    assert len(dropped) <= 2 * load.threads
    assert all(killed_at <= o.at <= killed_at + 2 for o in dropped), dropped
    load.outcomes[:] = [o for o in load.outcomes if o.status is not None]
    counts = load.summary()
    during = [o for o in load.outcomes if down_at <= o.at <= up_at]
    failed = [o for o in load.outcomes if o.status != 200]
    print(f"outage {up_at - down_at:.1f} s; outcomes {dict(counts)}, {len(dropped)} dropped "
          f"by the worker kill; extra worker ready "
          f"{extra_ready:.1f} s after the restart")  # fmt: skip
    assert set(counts) <= {"200", "503"}, counts  # no 500, no dropped connection
    assert counts["503"] > 0 and counts["200"] > 0
    assert all(o.retry_after == RETRY_AFTER for o in failed)
    assert all(o.error == "ServiceUnavailable" for o in failed)
    assert any(o.status == 503 for o in during)
    assert all(o.status == 200 for o in load.since(up_at + 3))  # the pool recovered

    assert me.status_code == 200
    assert ready["Status"] == "ready" and ready["Invalidation"] == "listening"
    for text in (output, extra_output):
        assert "Traceback" not in text and "ServerError" not in text
    unreachable = output.count("database unreachable")
    print(f"server log: {len(output.splitlines())} lines, {unreachable} 'database unreachable'")
    assert 1 <= unreachable <= 3  # one per process (two workers and the replacement)
    assert output.count("database reachable again") >= 1
    assert "invalidation listener reconnected" in output
    assert extra_output.count("database unreachable") == 1
    assert "startup completed after the database returned" in extra_output


@pytest.mark.asyncio
async def test_an_app_started_without_its_database_answers_503_then_gets_ready(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """In process, on the session's backend: SQLite whose directory appears later, or a
    PostgreSQL port where nothing listens."""
    if backend() == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/later/gatehouse.db"
    else:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"
    settings = Settings(database_url=url, base_url="http://gatehouse.test")
    app = create_app(settings)
    caplog.set_level(logging.WARNING)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gatehouse.test") as http:
            assert (await http.get("/gatehouse/health/live")).status_code == 200
            ready = await http.get("/gatehouse/health/ready")
            assert ready.status_code == 503 and ready.json()["Database"] == "unreachable"
            form = {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
            for _ in range(5):
                for response in (
                    await http.get("/v1/me", headers={"Authorization": f"Bearer {_foreign()}"}),
                    await http.post("/oauth/token", data=form),
                    await http.get("/gatehouse/health"),
                ):
                    assert response.status_code == 503, response.text
                    assert response.headers["Retry-After"] == "5"
                    assert response.json()["Errors"][0]["ErrorCode"] == "ServiceUnavailable"
            unreachable = [r for r in caplog.records if "database unreachable" in r.message]
            assert len(unreachable) == 1 and not any(r.exc_info for r in caplog.records)
            if backend() != "sqlite":
                return
            prepared = tmp_path / "prepared"
            prepared.mkdir()
            await migrate.upgrade(f"sqlite+aiosqlite:///{prepared}/gatehouse.db")
            shutil.move(prepared, tmp_path / "later")  # the database "returns" at once
            deadline = time.monotonic() + 20
            while (await http.get("/gatehouse/health/ready")).status_code != 200:
                assert time.monotonic() < deadline, "never became ready"
                await asyncio.sleep(0.2)
            assert (await http.get("/gatehouse/health")).status_code == 200
