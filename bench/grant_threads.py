"""Server CPU per request, split by thread: how much of a password grant is the hash (issue 12).

Starts ``gatehouse serve --workers 1`` on a fresh SQLite file at the production hash cost, makes
``run.py``'s fixture, warms up, then runs wrk (8 connections) on one scenario and reads every
thread's utime+stime from ``/proc/<pid>/task``. Threads are named by ``py-spy dump`` (argon2,
the aiosqlite connections, the event loop). CPU time holds up on a shared machine far better
than requests/s: the argon2 share of a grant's CPU is the most of the argon2id ceiling that
password grants can reach once the cores are saturated.

    .venv/bin/python bench/grant_threads.py [--scenario password_grant] [--seconds 6]
    .venv/bin/python bench/grant_threads.py --scenario password_grant_loaded  # seeded first
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import harness
import loadgen
import run
import scenarios

TICKS = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each live thread of ``pid``."""
    found = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        found[int(tid)] = (int(fields[11]) + int(fields[12])) / TICKS
    return found


def thread_names(pid: int) -> dict[int, str]:
    """OS thread id → Python thread name, grouped (``argon2_0`` → ``argon2``)."""
    spy = str(Path(sys.executable).with_name("py-spy"))
    dump = subprocess.run([spy, "dump", "--pid", str(pid)], capture_output=True, text=True)
    names = {pid: "event loop"}
    for tid, name in re.findall(r'Thread (\d+) \([^)]*\): "([^"]+)"', dump.stdout):
        if int(tid) != pid:
            names[int(tid)] = "aiosqlite" if "_connection_worker" in name else name.split("_")[0]
    return names


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", default="password_grant")
    p.add_argument("--seconds", type=int, default=6)
    args = p.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is required")
    settings = loadgen.LoadSettings(concurrency=8, duration_s=args.seconds, warmup_s=0)
    with harness.fresh_database(None) as db, harness.gatehouse_server(db, 1) as server:
        scenario = scenarios.select([args.scenario], loaded=True)[0]
        fixture = run.prepare(server, db, scenario.needs_loaded, {})  # seeds for *_loaded
        request = scenario.request(fixture)
        loadgen._run_wrk(wrk, request, settings, 2)  # warm-up
        pid = server.proc.pid
        before = thread_cpu(pid)
        result = loadgen._parse(loadgen._run_wrk(wrk, request, settings, args.seconds))
        after, names = thread_cpu(pid), thread_names(pid)
    per_thread: dict[str, float] = {}
    for tid, seconds in after.items():
        name = names.get(tid, "other")
        per_thread[name] = per_thread.get(name, 0.0) + seconds - before.get(tid, 0.0)
    total = sum(per_thread.values())
    per_request = 1e6 * total / max(result.requests, 1)
    print(f"{args.scenario}: {result.requests} requests, {per_request:.0f} µs CPU each")
    for name, seconds in sorted(per_thread.items(), key=lambda item: -item[1]):
        share = 100 * seconds / total if total else 0.0
        print(f"  {name:12s} {1e6 * seconds / max(result.requests, 1):8.0f} µs ({share:.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
