"""Password and secret hashing, and constant-time comparison.

Passwords: argon2id, by default at OWASP's parameters (19 MiB, 2 iterations, 1 lane); the cost
comes from the settings (``GATEHOUSE_PASSWORD_HASH_*``) so a test suite can lower it. Each hash
encodes its own parameters, so hashes made at another cost keep verifying. Hashing runs in a
worker thread so a login never stalls the event loop for the ~20 ms it costs.
Secrets (≥ 256-bit random values): SHA-256 is enough, there is nothing to brute-force.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import string
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError


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
    keeps its last hash's 19 MiB: glibc serves the later ones from the thread's malloc arena
    and keeps the memory when freed. Returning it (a fixed ``M_MMAP_THRESHOLD``) was measured
    and refused: every hash then faults its 19 MiB in afresh, 23 ms of CPU instead of 18
    (issue 12, bench/README.md). So a worker keeps one block per hashing thread, and two
    workers on two cores run one thread each: 19 MiB a worker instead of 38.
    """
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class PasswordHasher:
    def __init__(
        self,
        memory_kib: int = OWASP_MEMORY_KIB,
        time_cost: int = OWASP_TIME_COST,
        threads: int | None = None,
    ) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=OWASP_PARALLELISM
        )
        # Verified against when a username is unknown, so timing never reveals whether it is.
        self._dummy_hash = self._argon2.hash(secrets.token_urlsafe(16))
        # Hashing runs on its own threads (``hash_threads``): on the default pool (40 threads)
        # a login burst left workers at 400+ MB, each thread's arena keeping a hash (issue 12).
        self._threads = ThreadPoolExecutor(
            max_workers=threads or hash_threads(), thread_name_prefix="argon2"
        )

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
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._argon2.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._verify_sync, stored_hash, password)

    def _verify_sync(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._argon2.verify(stored_hash or self._dummy_hash, password) and bool(
                stored_hash
            )
        except (VerificationError, InvalidHashError):
            return False


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
