"""Running real ``gatehouse`` processes from tests: the CLI, and servers on free ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def gatehouse(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gatehouse", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(
    database_url: str, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gatehouse",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--database-url",
            database_url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    _drain(process)
    try:
        _wait_healthy(base, process)
        yield base, process
    finally:
        stop(process)


_OUTPUT: dict[int, tuple[threading.Thread, list[str]]] = {}
_STOPPED: dict[int, str] = {}


def _drain(process: subprocess.Popen[str]) -> None:
    """Read the server's output as it comes: a server logs a line per request, and an unread
    pipe would fill up and block it."""
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    _OUTPUT[process.pid] = (thread, lines)


def stop(process: subprocess.Popen[str]) -> str:
    """Stop the server's whole process group (uvicorn workers included); return its output."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    if process.pid in _STOPPED:  # stopped already (by ``server()`` on leaving, say)
        return _STOPPED[process.pid]
    drained = _OUTPUT.pop(process.pid, None)
    if drained is None:
        output, _ = process.communicate(timeout=30)
        return output or ""
    thread, lines = drained
    thread.join(timeout=30)
    _STOPPED[process.pid] = "".join(lines)
    return _STOPPED[process.pid]


def _wait_healthy(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {stop(process)}")
        try:
            if httpx.get(f"{base}/gatehouse/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not become healthy")


def login(base: str, client_id: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": client_id,
            "username": username,
            "password": password,
        },
    )
