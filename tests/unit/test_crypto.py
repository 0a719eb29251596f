"""Password hashing at a configurable cost: hashes made at one cost verify at any other (argon2
encodes its parameters), and a cost below OWASP's floor needs an explicit flag."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from pydantic import ValidationError

from gatehouse.crypto import HashThreads, PasswordHasher, hash_threads
from gatehouse.settings import Settings


@pytest.mark.asyncio
async def test_hashes_verify_across_costs() -> None:
    cheap, costly = PasswordHasher(memory_kib=64, time_cost=1), PasswordHasher()
    made_cheap, made_costly = await cheap.hash("Secret123"), await costly.hash("Secret123")
    assert made_cheap.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert made_costly.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await costly.verify(made_cheap, "Secret123")
    assert await cheap.verify(made_costly, "Secret123")
    assert not await cheap.verify(made_costly, "Secret124")
    assert not await cheap.verify(None, "Secret123")  # unknown user: the decoy, never True


def test_the_hasher_follows_the_settings() -> None:
    settings = Settings(
        password_hash_memory_kib=128, password_hash_time_cost=3, password_hash_allow_weak=True
    )
    hasher = PasswordHasher.from_settings(settings)
    assert hasher.cost.memory_kib == 128 and hasher.cost.time_cost == 3


def test_production_defaults_are_owasp(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MEMORY_KIB", "TIME_COST", "ALLOW_WEAK"):
        monkeypatch.delenv(f"GATEHOUSE_PASSWORD_HASH_{name}", raising=False)
    settings = Settings()
    assert (settings.password_hash_memory_kib, settings.password_hash_time_cost) == (19456, 2)
    assert not settings.password_hash_allow_weak


@pytest.mark.parametrize(("memory_kib", "time_cost"), [(64, 1), (7167, 5), (19456, 1), (12288, 2)])
def test_a_cost_below_the_floor_needs_the_flag(
    monkeypatch: pytest.MonkeyPatch, memory_kib: int, time_cost: int
) -> None:
    monkeypatch.delenv("GATEHOUSE_PASSWORD_HASH_ALLOW_WEAK", raising=False)
    with pytest.raises(ValidationError, match="below OWASP's floor"):
        Settings(password_hash_memory_kib=memory_kib, password_hash_time_cost=time_cost)
    allowed = Settings(
        password_hash_memory_kib=memory_kib,
        password_hash_time_cost=time_cost,
        password_hash_allow_weak=True,
    )
    assert allowed.password_hash_memory_kib == memory_kib


@pytest.mark.parametrize(("memory_kib", "time_cost"), [(7168, 5), (47104, 1), (9216, 4)])
def test_owasp_configurations_are_accepted(
    monkeypatch: pytest.MonkeyPatch, memory_kib: int, time_cost: int
) -> None:
    monkeypatch.delenv("GATEHOUSE_PASSWORD_HASH_ALLOW_WEAK", raising=False)
    settings = Settings(password_hash_memory_kib=memory_kib, password_hash_time_cost=time_cost)
    assert settings.password_hash_time_cost == time_cost


async def test_hashes_run_on_one_thread_per_core_at_most() -> None:
    """A burst of logins shares a few hashing threads: each thread's allocator keeps the
    memory of its last hash, so a thread per concurrent login would bloat the worker."""
    hasher = PasswordHasher(memory_kib=256, time_cost=1)
    stored = await hasher.hash("pw")
    results = await asyncio.gather(*(hasher.verify(stored, "pw") for _ in range(16)))
    assert all(results)
    hashing = {t.name for t in threading.enumerate() if t.name.startswith("argon2")}
    assert 1 <= len(hashing) <= (os.cpu_count() or 1)


@pytest.mark.parametrize(
    ("cores", "workers", "threads"), [(2, 1, 2), (2, 2, 1), (8, 2, 4), (8, 3, 2), (1, 4, 1)]
)
def test_a_worker_hashes_on_its_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int, threads: int
) -> None:
    """Each hashing thread keeps one hash's 19 MiB in its malloc arena (issue 12): two workers
    on two cores hash on one thread each, not two."""
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert hash_threads(workers) == threads
    settings = Settings(
        workers=workers,
        password_hash_memory_kib=64,
        password_hash_time_cost=1,
        password_hash_allow_weak=True,
    )
    assert PasswordHasher.from_settings(settings)._threads.count == threads


async def test_a_hashing_thread_hands_back_errors_and_skips_cancelled_work() -> None:
    threads = HashThreads(1)
    with pytest.raises(ValueError, match="bad"):
        await threads.run(_raise, ValueError("bad"))
    gate = threading.Event()
    ran: list[str] = []
    blocked = asyncio.ensure_future(threads.run(gate.wait, 5))
    await asyncio.sleep(0.05)  # the thread is now inside gate.wait
    skipped = asyncio.ensure_future(threads.run(ran.append, "skipped"))
    await asyncio.sleep(0)
    skipped.cancel()
    gate.set()
    assert await blocked is True
    assert await threads.run(ran.append, "ran") is None
    assert ran == ["ran"]  # the cancelled job was dropped, not run


def test_one_hasher_serves_successive_event_loops() -> None:
    """The CLI and the tests run one hasher under several ``asyncio.run`` calls: each result
    goes back to the loop that asked for it."""
    hasher = PasswordHasher(memory_kib=64, time_cost=1, threads=1)
    stored = asyncio.run(hasher.hash("pw"))
    assert asyncio.run(hasher.verify(stored, "pw"))
    assert not asyncio.run(hasher.verify(stored, "other"))


def _raise(exc: Exception) -> None:
    raise exc
