"""A light request loop against a real server, recording what every request got: a status
(with its ``Retry-After`` and ErrorCode) or the transport error that replaced it."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True, slots=True)
class Outcome:
    at: float
    status: int | None  # None: no HTTP answer (connection dropped, reset, timed out)
    error: str | None  # the transport error's class, or the body's first ErrorCode
    retry_after: str | None


@dataclass
class LoadLoop:
    """``threads`` keep-alive clients, each calling ``paths`` in turn until stopped."""

    base: str
    token: str
    paths: tuple[str, ...] = ("/v1/me", "/v1/apiclients")
    threads: int = 2
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> LoadLoop:
        for _ in range(self.threads):
            worker = threading.Thread(target=self._run, daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=30) as client:
            while not self._stop.is_set():
                for path in self.paths:
                    self._record(self._one(client, path))
                time.sleep(0.02)

    @staticmethod
    def _one(client: httpx.Client, path: str) -> Outcome:
        try:
            response = client.get(path)
        except httpx.TransportError as exc:
            return Outcome(time.monotonic(), None, type(exc).__name__, None)
        code = None
        if response.status_code >= 400:
            code = response.json()["Errors"][0]["ErrorCode"]
        return Outcome(
            time.monotonic(), response.status_code, code, response.headers.get("Retry-After")
        )

    def _record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def summary(self) -> Counter[str]:
        with self._lock:
            return Counter(
                str(o.status) if o.status is not None else f"dropped:{o.error}"
                for o in self.outcomes
            )

    def since(self, moment: float) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if o.at >= moment]
