"""Server-side plumbing: a fresh database, a Gatehouse process, clean shutdown.

Every resource here is a context manager so that a failing scenario, Ctrl-C or a
SIGTERM still stops the server (by its process group) and removes the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import procfs

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Ask the kernel for an unused loopback port (tiny race, acceptable for a bench)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def signals_as_exit() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into SystemExit so ``finally`` blocks still clean up."""

    def _exit(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, _exit) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --- databases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    url: str
    """What the server and the CLI get (plain sqlite:// or postgresql://)."""
    kind: str
    log_dir: Path


@contextlib.contextmanager
def fresh_database(admin_url: str | None) -> Iterator[BenchDatabase]:
    """A new SQLite file in a temp dir, or a new PostgreSQL database dropped afterwards."""
    log_dir = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    try:
        if not admin_url:
            yield BenchDatabase(f"sqlite:///{log_dir / 'bench.db'}", "sqlite", log_dir)
        elif admin_url.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
            with _postgres_database(admin_url) as url:
                yield BenchDatabase(url, "postgresql", log_dir)
        else:
            raise SystemExit(f"--database-url must be postgresql://...; got {admin_url!r}")
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)


@contextlib.contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    """Create a uniquely named database through the given server, and always drop it."""
    parts = urlsplit(admin_url)
    admin = urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))
    name = f"gatehouse_bench_{datetime.now(UTC):%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    _pg_execute(admin, f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(("postgresql", parts.netloc, "/" + name, parts.query, ""))
    finally:
        _pg_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_execute(dsn: str, sql: str) -> None:
    """asyncpg is already a Gatehouse dependency, so no extra client is needed."""
    import asyncpg  # type: ignore[import-untyped, unused-ignore]

    async def go() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


# --- the server --------------------------------------------------------------------------


def gatehouse_argv(*args: str) -> list[str]:
    """The CLI of the interpreter running the bench, so the repo venv is what gets measured."""
    return [sys.executable, "-m", "gatehouse", *args]


SERVERS = ("gatehouse", "uvicorn", "granian")
"""How the app is served: ``gatehouse serve`` (one SO_REUSEPORT socket per worker), uvicorn's
own ``--workers`` (one shared socket), or granian; the last two only to compare servers."""


@dataclass
class ServerProcess:
    proc: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    workers: int = 1
    ready_s: float = 0.0
    """From spawning the server to its first 200 from /gatehouse/health."""

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        """The worker processes: the server's process group, without its supervisor when
        there are several workers, and without multiprocessing's helper."""
        group = procfs.process_group(self.proc.pid)
        workers = [pid for pid in group if self.workers == 1 or pid != self.proc.pid]
        return [pid for pid in workers if not procfs.is_helper(pid)]

    def rss_mb(self) -> dict[str, Any]:
        """Resident memory of each worker process and of the supervisor, in MB."""
        return {
            "workers_mb": [procfs.rss_of(pid) for pid in self.worker_pids()],
            "supervisor_mb": procfs.rss_of(self.proc.pid) if self.workers > 1 else None,
        }

    def cpu_seconds(self) -> dict[int, float]:
        """Each worker's CPU time so far (user + system): the difference over a scenario
        shows how evenly the workers shared the load."""
        return {pid: procfs.cpu_of(pid) for pid in self.worker_pids()}


def server_argv(kind: str, port: int, workers: int, db: BenchDatabase) -> list[str]:
    """The command line of one way to serve the app (``SERVERS``)."""
    address = ("--host", LOOPBACK, "--port", str(port), "--workers", str(workers))
    app = "gatehouse.asgi:create_app_from_env"
    if kind == "gatehouse":
        return gatehouse_argv("serve", *address, "--database-url", db.url)
    if kind == "uvicorn":
        protocol = "gatehouse.http.header_limits:LimitedHttpToolsProtocol"
        return [
            *(sys.executable, "-m", "uvicorn", app, "--factory", *address, "--loop", "uvloop"),
            *("--http", protocol, "--no-access-log", "--no-proxy-headers"),
        ]
    if kind == "granian":
        return [
            *(sys.executable, "-m", "granian", "--interface", "asgi", "--factory", *address),
            *("--loop", "uvloop", "--no-access-log", "--no-ws", app),
        ]
    raise SystemExit(f"unknown server {kind!r}; known: {SERVERS}")


def _server_env(kind: str, port: int, workers: int, db: BenchDatabase) -> dict[str, str]:
    """What ``gatehouse serve`` hands its workers, for the servers started without it (after
    ``gatehouse db upgrade``; the app makes its own keys and secrets when it starts)."""
    env = {**os.environ, "GATEHOUSE_BOOTSTRAP_PASSWORD": strong_password()}
    if kind == "gatehouse":
        return env
    upgrade = subprocess.run(
        gatehouse_argv("db", "upgrade", "--database-url", db.url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if upgrade.returncode != 0:
        raise RuntimeError(f"gatehouse db upgrade failed: {upgrade.stderr}")
    env |= {
        "GATEHOUSE_DATABASE_URL": db.url,
        "GATEHOUSE_BASE_URL": f"http://{LOOPBACK}:{port}",
        "GATEHOUSE_HOST": LOOPBACK,
    }
    if workers > 1:
        metrics = db.log_dir / f"metrics-{kind}"
        metrics.mkdir(exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    return env


@contextlib.contextmanager
def gatehouse_server(
    db: BenchDatabase, workers: int, startup_s: float = 60.0, kind: str = "gatehouse"
) -> Iterator[ServerProcess]:
    """Start the server in its own session and stop the whole group on exit."""
    port = free_port()
    log_path = db.log_dir / f"server-{kind}.log"
    env = _server_env(kind, port, workers, db)
    argv = server_argv(kind, port, workers, db)
    with log_path.open("wb") as log:
        started = time.monotonic()
        proc = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = ServerProcess(proc, f"http://{LOOPBACK}:{port}", log_path, workers)
    try:
        wait_healthy(server, startup_s)
        server.ready_s = round(time.monotonic() - started, 2)
        if kind == "gatehouse":  # a socket per worker: wrk must not connect before all listen
            procfs.wait_listening(port, workers, startup_s)
        yield server
    finally:
        stop_process_group(proc)


def wait_healthy(server: ServerProcess, timeout_s: float) -> None:
    """Poll /gatehouse/health; fail early (with the log) if the server died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"gatehouse exited {server.proc.returncode}:\n{server.log_tail()}")
        status, _ = http_request("GET", server.base_url + "/gatehouse/health", timeout=2)
        if status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"gatehouse not healthy after {timeout_s:.0f} s:\n{server.log_tail()}")


def stop_process_group(proc: subprocess.Popen[bytes], grace_s: float = 15.0) -> None:
    """SIGTERM the server's own process group (uvicorn master + workers), then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


# --- HTTP and fixtures -------------------------------------------------------------------


def http_request(
    method: str,
    url: str,
    body: str = "",
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, bytes]:
    """One set-up or check request (never load); 0 means no HTTP response at all."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != LOOPBACK:
        raise SystemExit(f"refusing a non-loopback URL: {url}")
    # S310: the URL was just checked to be http on 127.0.0.1.
    req = urllib.request.Request(  # noqa: S310
        url,
        data=body.encode() if body else None,
        headers=dict(headers or {}),
        method=method,
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            return int(resp.status), bytes(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def strong_password() -> str:
    """Meets Gatehouse's rule (>= 10 chars, upper, lower, digit) and differs per run."""
    return f"Bench-{secrets.token_hex(8)}-Aa1"


def create_marketplace(db: BenchDatabase) -> dict[str, str]:
    """``gatehouse marketplace create --json`` prints exactly one JSON object."""
    argv = gatehouse_argv(
        "marketplace",
        "create",
        "--name",
        f"bench-{secrets.token_hex(3)}",
        "--admin-username",
        "bench_admin",
        "--admin-password",
        strong_password(),
        "--json",
        "--database-url",
        db.url,
    )
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"marketplace create failed ({proc.returncode}): {proc.stderr}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]
    creds: dict[str, str] = json.loads(line)
    return creds


def password_token(base_url: str, creds: Mapping[str, str]) -> str:
    """One password grant, done once, to give the bearer scenarios a token."""
    body = urlencode(
        {
            "grant_type": "password",
            "client_id": creds["ApiClientID"],
            "username": creds["Username"],
            "password": creds["Password"],
        }
    )
    status, raw = http_request(
        "POST",
        base_url + "/oauth/token",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200:
        raise RuntimeError(f"password grant failed: HTTP {status} {raw[:300]!r}")
    data: dict[str, Any] = json.loads(raw)
    token: str = data["access_token"]
    return token


def create_secret_client(base_url: str, admin_token: str, username: str) -> tuple[str, str]:
    """``POST /v1/apiclients`` (admin bearer): a client with a legacy ``ClientSecret`` and a
    ``DefaultContextUserName``, for client_credentials, issuing refresh tokens on login."""
    secret = secrets.token_urlsafe(32)  # 43 characters
    body = json.dumps(
        {
            "AppName": "bench-cc",
            "AccessTokenDuration": 600,
            "AllowSeller": True,
            "ClientSecret": secret,
            "DefaultContextUserName": username,
            "RefreshTokenDuration": 60,
        }
    )
    status, raw = http_request(
        "POST",
        base_url + "/v1/apiclients",
        body,
        {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
    )
    if status not in (200, 201):
        raise RuntimeError(f"API client create failed: HTTP {status} {raw[:300]!r}")
    data: dict[str, Any] = json.loads(raw)
    client_id: str = data["ID"]
    return client_id, secret


def refresh_token(
    base_url: str, client_id: str, client_secret: str, creds: Mapping[str, str]
) -> str:
    """One password grant (with ``client_secret``) on a RefreshTokenDuration > 0 client."""
    body = urlencode(
        {
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": client_secret,
            "username": creds["Username"],
            "password": creds["Password"],
        }
    )
    status, raw = http_request(
        "POST",
        base_url + "/oauth/token",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200:
        raise RuntimeError(f"password grant (refresh) failed: HTTP {status} {raw[:300]!r}")
    data: dict[str, Any] = json.loads(raw)
    token = data.get("refresh_token")
    if not isinstance(token, str) or not token:
        raise RuntimeError("password grant returned no refresh_token")
    return token
