"""Password and secret hashing, and constant-time comparison.

Passwords: argon2id, by default at OWASP's parameters (19 MiB, 2 iterations, 1 lane); the cost
comes from the settings (``GATEHOUSE_PASSWORD_HASH_*``) so a test suite can lower it. Each hash
encodes its own parameters, so hashes made at another cost keep verifying. Hashing runs in a
worker thread so a login never stalls the event loop for the ~20 ms it costs.
Secrets (≥ 256-bit random values): SHA-256 is enough, there is nothing to brute-force.
"""

from __future__ import annotations

import asyncio
import ctypes
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


OWASP_MEMORY_KIB = 19456
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1

# glibc's ``mallopt`` parameters (malloc.h) and the size from which blocks get their own mapping.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024


def return_large_blocks_to_the_os() -> bool:
    """Fix glibc's mmap threshold so each hash's 19 MiB goes back to the OS when it is freed.

    glibc serves a block of 128 KiB or more with its own mapping, until the first such block is
    freed: it then raises the threshold to that block's size. After the first hash every later
    one came from a thread's malloc arena, which keeps the memory once freed: 40-50 MB more per
    worker after a few logins (issue 12). A fixed threshold turns the raise off; 4 MiB leaves
    every smaller allocation where it is served today, and the heap's top is trimmed beyond
    twice that, as glibc's own raise would set it. Whether it was applied: ``False`` where the
    C library is not glibc (musl, macOS), which is left alone.
    """
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        mallopt = ctypes.CDLL(None).mallopt
    except (ValueError, OSError, AttributeError):  # no such confstr name, no libc, no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    trim = mallopt(_M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD_BYTES)
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) and trim)


class PasswordHasher:
    def __init__(
        self, memory_kib: int = OWASP_MEMORY_KIB, time_cost: int = OWASP_TIME_COST
    ) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=OWASP_PARALLELISM
        )
        # Verified against when a username is unknown, so timing never reveals whether it is.
        self._dummy_hash = self._argon2.hash(secrets.token_urlsafe(16))
        # Hashing runs on its own threads, one per core: more at once cannot go faster (it is
        # CPU-bound), and each thread's malloc arena keeps its 19 MiB after a hash, so a
        # login burst on the default pool (40 threads) left workers at 400+ MB (issue 12).
        self._threads = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 1, thread_name_prefix="argon2"
        )

    @classmethod
    def from_settings(cls, settings: HashCost) -> PasswordHasher:
        """The hasher at the configured cost: every process builds it this way, so a server,
        the CLI and the tests agree on what new hashes cost."""
        return cls(settings.password_hash_memory_kib, settings.password_hash_time_cost)

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
