"""gatehouse/serving.py without processes: the worker sockets share one port, one worker is
one plain uvicorn process, every process serves with the same uvicorn options, and only a
worker that fails on its own before it accepts stops the server."""

from __future__ import annotations

import signal
import socket
from typing import Any

import pytest
import uvicorn

from gatehouse import serving


def test_each_worker_socket_binds_the_same_port() -> None:
    first = serving.reuseport_socket("127.0.0.1", 0)
    try:
        port = first.getsockname()[1]
        second = serving.reuseport_socket("127.0.0.1", port)  # the second worker's own socket
        second.close()
    finally:
        first.close()


def test_a_port_held_without_reuseport_cannot_be_bound() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match="in use"):
            serving.reuseport_socket("127.0.0.1", taken.getsockname()[1])


def test_every_process_serves_with_the_header_limits_and_no_proxy_headers() -> None:
    options = serving.config_options("127.0.0.1", 8080)
    assert options["http"] == "gatehouse.http.header_limits:LimitedHttpToolsProtocol"
    assert options["proxy_headers"] is False  # the app applies GATEHOUSE_TRUSTED_PROXIES
    assert options["access_log"] is False and options["log_config"] is None
    assert options["loop"] == "uvloop"


def test_one_worker_is_one_uvicorn_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda **kw: calls.append(kw))
    monkeypatch.setattr(serving, "Supervisor", None)  # never reached
    assert serving.serve("127.0.0.1", 8080, 1) == 0
    assert calls == [serving.config_options("127.0.0.1", 8080)]


def test_only_a_worker_that_exits_before_it_accepts_stops_the_server() -> None:
    assert serving.failed_to_start(False, serving.STARTUP_FAILURE)
    assert serving.failed_to_start(False, 1)  # an exception while the app was built
    assert serving.failed_to_start(False, -signal.SIGSEGV)
    assert not serving.failed_to_start(False, -signal.SIGKILL)  # killed from outside, starting
    assert not serving.failed_to_start(True, -signal.SIGKILL)
    assert not serving.failed_to_start(True, 0)
