"""``gatehouse serve --workers N``: N uvicorn processes, each on its own ``SO_REUSEPORT`` socket.

Why not ``uvicorn.run(workers=N)``: there every worker accepts on one shared listening socket,
and whichever worker wakes first takes the connection. A load of a few long keep-alive
connections (wrk's 32) then lands unevenly, and token-endpoint runs fell into two modes, about
3,250 and about 1,600 req/s: one of two workers idled (issue 12). Here each worker binds its
own socket to the same address with ``SO_REUSEPORT``, and the kernel hashes each new connection
over the listening sockets, so connections are spread evenly whatever the workers are doing.

The supervisor (this process) only starts and watches the workers:

- each worker runs ``uvicorn.Server`` with the same ``Config`` as one process does (uvloop, the
  431 header limits protocol, no uvicorn logging or proxy headers: the app does both);
- SIGTERM or SIGINT is forwarded to every worker, which stops accepting and lets its in-flight
  requests finish (uvicorn's graceful shutdown); the supervisor exits when they have;
- a worker that dies after it started, or is killed with SIGKILL at any time, is replaced (its
  Prometheus live gauges are marked dead);
- a worker that cannot start (the port is taken, the database is down) stops the whole server
  with a non-zero exit status, as ``uvicorn.run`` does for one process.

Linux lets a socket join a ``SO_REUSEPORT`` group only when it belongs to the same user, so
another user's server cannot steal connections; a second ``gatehouse serve`` by the same user
on the same port would share them, which is why the operations guide says to use one port per
server.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
from multiprocessing.connection import wait
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event
from types import FrameType
from typing import Any

import uvicorn

APP = "gatehouse.asgi:create_app_from_env"
STARTUP_FAILURE = 3  # uvicorn's exit status when a server cannot start
log = logging.getLogger("gatehouse.serving")


def config_options(host: str, port: int) -> dict[str, Any]:
    """The ``uvicorn.Config`` keywords every process serves with, one worker or several."""
    return {
        "app": APP,
        "factory": True,
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": "gatehouse.http.header_limits:LimitedHttpToolsProtocol",  # 431 on big heads
        "log_level": "info",
        "log_config": None,  # configure_logging's handlers (GATEHOUSE_LOG_FORMAT) stay
        "access_log": False,  # one structured line per request instead (http/access_log.py)
        "proxy_headers": False,  # handled in the app: GATEHOUSE_TRUSTED_PROXIES
    }


def serve(host: str, port: int, workers: int) -> int:
    """Serve until stopped; the exit status. One worker is one plain uvicorn process."""
    options = config_options(host, port)
    if workers <= 1:
        uvicorn.run(**options)  # exits with STARTUP_FAILURE itself when it cannot start
        return 0
    return Supervisor(options, workers).run()


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A socket bound (not yet listening: uvicorn listens once the app has started, so no
    connection waits on a worker that is still loading) to the shared address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, telling the supervisor once it accepts connections."""

    def __init__(self, config: uvicorn.Config, ready: Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._ready.set()


def run_worker(options: dict[str, Any], ready: Event) -> None:
    """One worker process (the target of ``multiprocessing``'s spawn): bind, serve, exit."""
    config = uvicorn.Config(**options)
    try:
        sock = reuseport_socket(config.host, config.port)
    except OSError as exc:
        logging.getLogger("uvicorn.error").error("cannot bind %s:%d: %s", *_address(config), exc)
        sys.exit(STARTUP_FAILURE)
    server = _Server(config, ready)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def _address(config: uvicorn.Config) -> tuple[str, int]:
    return config.host, config.port


class Supervisor:
    """Starts ``workers`` processes, forwards stop signals, replaces a worker that dies."""

    def __init__(self, options: dict[str, Any], workers: int) -> None:
        self.options = options
        self.count = workers
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[tuple[SpawnProcess, Event]] = []
        self.stopping = False
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)

    def run(self) -> int:
        """The exit status: 0 after a requested stop, non-zero when a worker could not start."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _STOP_SIGNALS}
        try:
            for _ in range(self.count):
                self.workers.append(self._spawn())
            return self._watch()
        finally:
            self._stop_all()  # also when starting or watching failed: no worker outlives us
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            os.close(self._wake_read)
            os.close(self._wake_write)

    def _spawn(self) -> tuple[SpawnProcess, Event]:
        ready = self.context.Event()
        process = self.context.Process(
            target=run_worker, args=(self.options, ready), name="gatehouse-worker"
        )
        process.start()
        return process, ready

    def _watch(self) -> int:
        """Wait for a stop signal or a worker's death; replace workers that die serving."""
        while not self.stopping:
            sentinels = [process.sentinel for process, _ in self.workers]
            wait([self._wake_read, *sentinels])
            for index, (process, ready) in enumerate(self.workers):
                if self.stopping or process.is_alive():
                    continue
                process.join()
                if failed_to_start(ready.is_set(), process.exitcode):
                    log.error("worker %s could not start (exit %s)", process.pid, process.exitcode)
                    return STARTUP_FAILURE
                log.warning("worker %s died (exit %s): replacing it", process.pid, process.exitcode)
                _mark_dead(process.pid)
                self.workers[index] = self._spawn()
        return 0

    def _stop_all(self) -> None:
        """Ask every worker to finish (SIGTERM: in-flight requests complete), then wait."""
        for process, _ in self.workers:
            if process.is_alive() and process.pid is not None:
                with contextlib.suppress(ProcessLookupError):  # it just exited
                    os.kill(process.pid, signal.SIGTERM)
        for process, _ in self.workers:
            process.join()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:  # a second signal: forward it (uvicorn then exits at once)
            for process, _ in self.workers:
                if process.is_alive() and process.pid is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(process.pid, signum)
            return
        self.stopping = True
        with contextlib.suppress(BlockingIOError):  # a wake-up is pending already
            os.write(self._wake_write, b"x")


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def failed_to_start(ready: bool, exitcode: int | None) -> bool:
    """Whether a dead worker means the server cannot run (stop it) rather than one lost worker
    (replace it). A worker that exits before it accepted has met the port, the database or the
    configuration, and its replacement would too; one killed by SIGKILL (the OOM killer, an
    operator) was stopped from outside whatever it was doing, while starting included."""
    return not ready and exitcode != -signal.SIGKILL


def _mark_dead(pid: int | None) -> None:
    """Drop a dead worker's live gauges from the shared Prometheus directory (its counters stay
    counted, as prometheus_client's multiprocess mode intends)."""
    if pid is not None and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
