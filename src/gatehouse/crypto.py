"""Password and secret hashing, and constant-time comparison.

Passwords: argon2id, by default at OWASP's parameters (19 MiB, 2 iterations, 1 lane); the cost
comes from the settings (``GATEHOUSE_PASSWORD_HASH_*``) so a test suite can lower it. Each hash
encodes its own parameters, so hashes made at another cost keep verifying. Hashing runs in a
worker thread so a login never stalls the event loop for the ~20 ms it costs.
Secrets (≥ 256-bit random values): SHA-256 is enough, there is nothing to brute-force.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import secrets
import string
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, Protocol

from gatehouse import argon2_blocks
from gatehouse.argon2_blocks import Cost


class HashCost(Protocol):
    """What ``PasswordHasher.from_settings`` reads (``gatehouse.settings.Settings`` has it; the
    layer contracts keep this module from importing the settings)."""

    @property
    def password_hash_memory_kib(self) -> int: ...

    @property
    def password_hash_time_cost(self) -> int: ...

    @property
    def workers(self) -> int: ...


OWASP_MEMORY_KIB = 19456
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


def hash_threads(workers: int = 1) -> int:
    """Hashing threads for one of ``workers`` processes: their share of the cores, at least one.

    Hashing is CPU-bound, so more threads than cores cannot go faster, and each hashing thread
    keeps its 19 MiB block between hashes (``argon2_blocks``). Returning it after each hash was
    measured and refused: every hash then faults its 19 MiB in afresh, 23 ms of CPU instead of
    18 (issue 12, bench/README.md). So a worker keeps one block per hashing thread, and two
    workers on two cores run one thread each: 19 MiB a worker instead of 38.
    """
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class HashThreads:
    """The threads a process hashes passwords on, fed by a queue, each handing its result back
    to the waiting event loop with one ``call_soon_threadsafe``.

    Why not ``loop.run_in_executor``: on a busy server every event-loop microsecond of a login
    is one the hashes do not get, and the executor's hand-off (a ``concurrent.futures.Future``
    with its lock and callbacks, then an asyncio future chained to it) was 7 % of the loop's
    samples in a password grant (issue 12, bench/README.md). The threads start with the first
    hash and are daemons: a hash in progress when the process exits is abandoned, as the
    request that wanted it is.
    """

    def __init__(self, count: int, cost: Cost | None = None) -> None:
        self.count = count
        self._cost = cost  # each thread keeps a block of this size (argon2_blocks.hold_blocks)
        self._jobs: SimpleQueue[tuple[asyncio.Future[Any], Callable[..., Any], tuple[Any, ...]]]
        self._jobs = SimpleQueue()
        self._started = False
        self._start_lock = threading.Lock()

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        if not self._started:
            self._start()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._jobs.put((future, function, args))
        return await future

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            for i in range(self.count):
                threading.Thread(target=self._work, name=f"argon2_{i}", daemon=True).start()
            self._started = True

    def _work(self) -> None:
        if self._cost is not None:
            argon2_blocks.hold_blocks(self._cost)
        while True:
            future, function, args = self._jobs.get()
            if future.cancelled():  # its request is gone: do not spend a hash on it
                continue
            try:
                outcome: tuple[bool, Any] = (True, function(*args))
            except BaseException as exc:  # handed to the waiting task, as an executor would
                outcome = (False, exc)
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits any more
                future.get_loop().call_soon_threadsafe(_settle, future, outcome)


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.done():  # cancelled while the hash ran
        return
    succeeded, value = outcome
    if succeeded:
        future.set_result(value)
    else:
        future.set_exception(value)


class PasswordHasher:
    def __init__(
        self,
        memory_kib: int = OWASP_MEMORY_KIB,
        time_cost: int = OWASP_TIME_COST,
        threads: int | None = None,
    ) -> None:
        self.cost = Cost(memory_kib, time_cost, OWASP_PARALLELISM)
        # Verified against when a username is unknown, so timing never reveals whether it is.
        self._dummy_hash = argon2_blocks.hash_password(secrets.token_urlsafe(16), self.cost)
        # Hashing runs on its own threads (``hash_threads``): on the default pool (40 threads)
        # a login burst left workers at 400+ MB, each thread's arena keeping a hash (issue 12).
        self._threads = HashThreads(threads or hash_threads(), self.cost)

    @classmethod
    def from_settings(cls, settings: HashCost) -> PasswordHasher:
        """The hasher at the configured cost: every process builds it this way, so a server,
        the CLI and the tests agree on what new hashes cost. A server worker hashes on its
        share of the cores (``GATEHOUSE_WORKERS``, which ``serve`` hands its workers)."""
        return cls(
            settings.password_hash_memory_kib,
            settings.password_hash_time_cost,
            hash_threads(settings.workers),
        )

    async def hash(self, password: str) -> str:
        hashed: str = await self._threads.run(argon2_blocks.hash_password, password, self.cost)
        return hashed

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        verified: bool = await self._threads.run(self._verify_sync, stored_hash, password)
        return verified

    def _verify_sync(self, stored_hash: str | None, password: str) -> bool:
        verified = argon2_blocks.verify_password(stored_hash or self._dummy_hash, password)
        return verified and bool(stored_hash)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def constant_time_equals(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def generate_password(length: int = 20) -> str:
    """A random password that meets the default policy (upper, lower, digit, ≥ 10 chars)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate
