"""The password grant's upper bound: how many argon2id hashes per second the machine makes.

Two figures, both at the production parameters of ``gatehouse.crypto.PasswordHasher`` and
measured before any server starts, so nothing of Gatehouse competes for the cores:

- ``hashes_per_s_core``: one process hashing alone, times the worker count (``ceiling_per_s``,
  the bench's figure until issue 12). It assumes the cores scale perfectly, which two hashing
  at once on shared memory bandwidth and caches (19 MiB each) need not do;
- ``measured_ceiling_per_s``: one process per worker, all hashing at once for the same
  seconds, as the workers do under a login load: the rate a server could reach at most.

On a machine others share, wall-clock rates measure the neighbours too; the CPU time per hash
of the concurrent processes (``cpu_ms_per_hash``, ``process_time``) holds up better, and
``bench/grant_threads.py`` gives the share of a grant's server CPU that is the hash.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from typing import Any

PASSWORD = "Bench-password-1"


def hash_for(seconds: float, start: float = 0.0) -> tuple[int, float, float]:
    """Hashes made in ``seconds`` (at least 5), the time and the CPU time they took; waits
    until the wall clock reaches ``start`` first, so concurrent processes begin together."""
    from argon2 import PasswordHasher

    from gatehouse.crypto import OWASP_MEMORY_KIB, OWASP_PARALLELISM, OWASP_TIME_COST

    # The production parameters through argon2-cffi itself: the library's rate, no Gatehouse
    # code (the server hashes through gatehouse.argon2_blocks, the same libargon2).
    argon2 = PasswordHasher(OWASP_TIME_COST, OWASP_MEMORY_KIB, OWASP_PARALLELISM)
    argon2.hash(PASSWORD)  # warm: the first hash pays for the allocation and page faults
    time.sleep(max(0.0, start - time.time()))
    count, began, cpu = 0, time.perf_counter(), time.process_time()
    while count < 5 or time.perf_counter() - began < seconds:
        argon2.hash(PASSWORD)
        count += 1
    return count, time.perf_counter() - began, time.process_time() - cpu


def _concurrent(workers: int, seconds: float) -> tuple[float, float]:
    """Hashes/s of ``workers`` processes hashing at the same time (the sum of their rates),
    and their CPU milliseconds per hash."""
    start = time.time() + 3.0  # after every spawned interpreter has imported argon2
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(hash_for, [(seconds, start)] * workers)
    cpu_ms = 1000 * sum(cpu for _, _, cpu in results) / sum(count for count, _, _ in results)
    return sum(count / elapsed for count, elapsed, _ in results), cpu_ms


def argon2_ceiling(workers: int, seconds: float = 1.5) -> dict[str, Any]:
    """Both ceilings (module docstring); the measured one takes twice ``seconds``."""
    count, elapsed, _ = hash_for(seconds)
    per_core = count / elapsed
    measured, cpu_ms = _concurrent(workers, 2 * seconds)
    return {
        "hashes_per_s_core": round(per_core, 1),
        "ms_per_hash": round(1000 / per_core, 2),
        "workers": workers,
        "ceiling_per_s": round(per_core * workers, 1),
        "measured_ceiling_per_s": round(measured, 1),
        "measured_ms_per_hash": round(1000 * workers / measured, 2),
        "cpu_ms_per_hash": round(cpu_ms, 2),
    }


def measured_rate(workers: int, seconds: float = 3.0) -> float:
    """Hashes/s of ``workers`` processes hashing at once (``measured_ceiling_per_s`` alone):
    what ``run.py`` measures between two password-grant runs."""
    return round(_concurrent(workers, seconds)[0], 1)


def of_adjacent(rates: list[float], ceilings: list[float]) -> dict[str, Any]:
    """Each run's grants/s against the mean of the ceilings measured just before and just
    after it (``ceilings`` has one more entry than ``rates``), and the median of those shares.

    On a shared host the hash rate drifts by tens of per cent within minutes, so a ceiling
    measured a minute away from a run misstates it either way; the two measurements that
    bracket each 10 s run are the fairest bound for it.
    """
    shares = [
        round(100 * rate * 2 / (ceilings[i] + ceilings[i + 1]), 1) for i, rate in enumerate(rates)
    ]
    return {
        "ceilings_per_s": ceilings,
        "runs_per_s": rates,
        "shares": shares,
        "median_share": statistics.median(shares) if shares else None,
    }
