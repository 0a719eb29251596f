"""``gatehouse serve --workers 2`` (gatehouse/serving.py, issue 12): each worker listens on its
own ``SO_REUSEPORT`` socket, so keep-alive connections spread over both; SIGTERM lets an
in-flight request finish; a killed worker is replaced; header limits and trusted proxy headers
still hold; a port that cannot be bound stops the server with a non-zero status."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.processes import established_on, workers
from tests.support.server import free_port, server, stop

pytestmark = pytest.mark.slow
HEALTH = "/gatehouse/health"
CONNECTIONS = 16


@pytest.fixture
def two(fresh_database_url: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    env = {"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1"}
    with server(fresh_database_url, workers=2, env=env) as running:
        yield running


def port_of(base: str) -> int:
    port = urlsplit(base).port
    assert port is not None
    return port


def test_keep_alive_connections_spread_over_both_workers(
    two: tuple[str, subprocess.Popen[str]],
) -> None:
    base, process = two
    pids = workers(process.pid, 2)
    assert len(pids) == 2
    clients = [httpx.Client(base_url=base) for _ in range(CONNECTIONS)]
    try:
        for client in clients:  # one keep-alive connection each, left open
            assert client.get(HEALTH).status_code == 200
        per_worker = established_on(port_of(base), pids)
    finally:
        for client in clients:
            client.close()
    # The kernel hashes each connection to one socket: all 16 on one of two has odds 2**-15.
    assert sum(per_worker.values()) == CONNECTIONS, per_worker
    assert all(count > 0 for count in per_worker.values()), per_worker


def test_every_worker_knows_the_worker_count(two: tuple[str, subprocess.Popen[str]]) -> None:
    """So each hashes passwords on its share of the cores (``crypto.hash_threads``): a hashing
    thread keeps a hash's 19 MiB, and two workers on two cores need one each (issue 12)."""
    _, process = two
    for pid in workers(process.pid, 2):
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"GATEHOUSE_WORKERS=2" in environ


def test_sigterm_lets_an_in_flight_request_finish(fresh_database_url: str) -> None:
    with server(fresh_database_url, workers=2) as (base, process):
        body = b"grant_type=client_credentials&client_id=nobody&client_secret=nothing"
        with socket.create_connection(("127.0.0.1", port_of(base))) as sock:
            sock.sendall(
                b"POST /oauth/token HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[:10]
            )
            time.sleep(0.5)  # the request is being read when the server is told to stop
            os.killpg(process.pid, signal.SIGTERM)
            time.sleep(1.0)
            sock.sendall(body[10:])
            sock.settimeout(20)
            response = b""
            while chunk := sock.recv(65536):  # the server closes the connection after it
                response += chunk
        assert response.startswith(b"HTTP/1.1 401"), response  # answered in full
        assert b"ApiClient.InvalidClientID" in response
        assert process.wait(timeout=30) == 0
        assert "Finished server process" in stop(process)


def test_a_killed_worker_is_replaced(two: tuple[str, subprocess.Popen[str]]) -> None:
    base, process = two
    before = workers(process.pid, 2)
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 60
    after = before
    while time.monotonic() < deadline:
        after = workers(process.pid, 2, timeout=1)
        if len(after) == 2 and before[0] not in after:
            break
        time.sleep(0.2)
    assert len(after) == 2 and before[0] not in after and before[1] in after
    pids = after
    deadline = time.monotonic() + 60  # the new worker accepts once its app has started
    while time.monotonic() < deadline:
        clients = [httpx.Client(base_url=base) for _ in range(CONNECTIONS)]
        try:
            assert all(client.get(HEALTH).status_code == 200 for client in clients)
            per_worker = established_on(port_of(base), pids)
        finally:
            for client in clients:
                client.close()
        if all(count > 0 for count in per_worker.values()):
            break
    assert all(count > 0 for count in per_worker.values()), per_worker
    assert process.poll() is None


def test_header_limits_and_trusted_proxies_hold_on_every_worker(
    two: tuple[str, subprocess.Popen[str]],
) -> None:
    base, process = two
    for _ in range(6):  # new connections: both workers answer some
        with httpx.Client(base_url=base, headers={"Connection": "close"}) as http:
            assert http.get(HEALTH, headers={"X-A": "a" * 40_000}).status_code == 431
            forwarded = {"X-Forwarded-For": "203.0.113.7"}
            assert http.get(HEALTH, headers=forwarded).status_code == 200
    output = stop(process)
    assert output.count("addr=203.0.113.7") >= 6, output


def test_a_port_in_use_stops_the_server_with_an_error(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as taken:  # a plain listener, not in any SO_REUSEPORT group
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = subprocess.run(
            [sys.executable, "-m", "gatehouse", "serve", "--port", str(port), "--workers", "2",
             "--database-url", f"sqlite:///{tmp_path}/taken.db"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode != 0
    assert "could not start" in result.stderr + result.stdout
