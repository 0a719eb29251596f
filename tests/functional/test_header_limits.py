"""Request heads are bounded on a real server (issue 10, item 4): too many header bytes or
headers get 431 with an OrderCloud error body, an endless header is cut off after the limit
instead of being buffered, and a flood of them does not keep ``/gatehouse/health`` from
answering."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from gatehouse.settings import DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_COUNT
from tests.support.server import server

pytestmark = pytest.mark.slow
HEALTH = "/gatehouse/health"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory: Path = tmp_path_factory.mktemp("headers")
    with server(f"sqlite:///{directory}/headers.db", workers=2) as (url, process):
        yield url
    assert process.returncode == 0  # a graceful shutdown (SIGTERM) with the custom protocol


def test_the_limits_are_settings(tmp_path: Path) -> None:
    env = {"GATEHOUSE_MAX_HEADER_BYTES": "4096", "GATEHOUSE_MAX_HEADER_COUNT": "20"}
    with server(f"sqlite:///{tmp_path}/small.db", env=env) as (url, _process):
        assert httpx.get(url + HEALTH, headers={"X-A": "a" * 3000}).status_code == 200
        assert "4096" in refused(httpx.get(url + HEALTH, headers={"X-A": "a" * 5000}))
        assert "20" in refused(httpx.get(url + HEALTH, headers={f"X-{i}": "v" for i in range(21)}))


def refused(response: httpx.Response) -> str:
    assert response.status_code == 431, response.text
    assert response.headers["connection"] == "close"
    error = response.json()["Errors"][0]
    assert error["ErrorCode"] == "Request.HeadersTooLarge"
    message: str = error["Message"]
    return message


def test_header_bytes(base: str) -> None:
    under = httpx.get(base + HEALTH, headers={"X-Big": "a" * (DEFAULT_MAX_HEADER_BYTES - 2000)})
    assert under.status_code == 200
    over = httpx.get(base + HEALTH, headers={"X-Big": "a" * (DEFAULT_MAX_HEADER_BYTES + 1)})
    assert str(DEFAULT_MAX_HEADER_BYTES) in refused(over)
    spread = {f"X-H{i}": "b" * 1000 for i in range(40)}
    refused(httpx.get(base + HEALTH, headers=spread))
    long_url = httpx.get(base + HEALTH + "?q=" + "c" * DEFAULT_MAX_HEADER_BYTES)
    refused(long_url)


def test_header_count(base: str) -> None:
    many = {f"X-H{i}": "v" for i in range(DEFAULT_MAX_HEADER_COUNT - 10)}
    assert httpx.get(base + HEALTH, headers=many).status_code == 200
    too_many = {f"X-H{i}": "v" for i in range(DEFAULT_MAX_HEADER_COUNT + 1)}
    assert str(DEFAULT_MAX_HEADER_COUNT) in refused(httpx.get(base + HEALTH, headers=too_many))


def test_keep_alive_still_works(base: str) -> None:
    with httpx.Client(base_url=base) as http:
        for _ in range(5):
            assert http.get(HEALTH, headers={"X-Fine": "x" * 1000}).status_code == 200


def flood(base: str, size: int, outcome: list[str]) -> None:
    """Send a head that never ends; record how the server ended it."""
    parts = urlsplit(base)
    chunk = b"a" * 65536
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=20) as sock:
        try:
            sock.sendall(b"GET /gatehouse/health HTTP/1.1\r\nHost: x\r\nX-Flood: ")
            for _ in range(size // len(chunk)):
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            outcome.append("cut")
            return
        except TimeoutError:
            outcome.append("stalled")
            return
        try:
            answer = sock.recv(100)
        except (ConnectionResetError, TimeoutError):
            outcome.append("reset or silent")
            return
        outcome.append("cut" if answer.startswith(b"HTTP/1.1 431") else repr(answer))


def test_a_flood_of_endless_headers_is_cut_and_health_answers(base: str) -> None:
    outcomes: list[str] = []
    flooders = [
        threading.Thread(target=flood, args=(base, 64 * 1024 * 1024, outcomes)) for _ in range(4)
    ]
    for thread in flooders:
        thread.start()
    statuses = [httpx.get(base + HEALTH, timeout=30).status_code for _ in range(20)]
    for thread in flooders:
        thread.join(timeout=120)
    assert statuses == [200] * 20
    assert outcomes == ["cut"] * 4
