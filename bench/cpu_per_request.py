"""Server CPU time per request on the token endpoint: robust to other load on a shared box.

    python bench/cpu_per_request.py [--seconds 5] [--workers 1] [--profile NAME]

Starts ``gatehouse serve`` on a fresh SQLite file (or ``--database-url``), makes the same
fixture as ``bench/run.py``, then per scenario (``client_credentials``, ``refresh_token``)
runs wrk for ``--seconds`` and divides the server processes' utime+stime (``/proc/<pid>/stat``,
the whole process group) by the completed requests. Wall-clock req/s would measure the
neighbours; CPU µs per request measures Gatehouse. ``--profile NAME`` also records a py-spy
flame graph per scenario to ``bench/results/NAME-<scenario>.svg`` (py-spy must be installed).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import harness
import loadgen
import run
import scenarios

BENCH_DIR = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(pgid: int) -> float:
    """utime+stime of every live process in the group (the uvicorn master and workers)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:  # field 5 (pgrp), after state and ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def children_cpu_seconds() -> float:
    """utime+stime of this process's finished children: wrk's, once it has been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    server: harness.ServerProcess, request: scenarios.Request, seconds: int, profile: Path | None
) -> dict[str, float]:
    settings = loadgen.LoadSettings(
        concurrency=8, duration_s=seconds, warmup_s=0, timeout_s=10, wrk_threads=1, repeat=1
    )
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is required")
    loadgen._run_wrk(wrk, request, settings, 2)  # warm-up: caches, JIT-free but lazy imports
    spy = None
    if profile is not None:
        argv = [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--subprocesses",
            "-o",
            str(profile),
        ]
        if profile.suffix == ".txt":  # collapsed stacks, for reading the profile as text
            argv += ["--format", "raw"]
        argv.append("--pid")
        spy = subprocess.Popen([*argv, str(server.proc.pid)], stdout=subprocess.DEVNULL)
    before = group_cpu_seconds(server.proc.pid)
    client_before = children_cpu_seconds()
    out = loadgen._run_wrk(wrk, request, settings, seconds)
    after = group_cpu_seconds(server.proc.pid)
    client = children_cpu_seconds() - client_before
    if spy is not None:
        spy.send_signal(2)
        spy.wait(60)
    result = loadgen._parse(out)
    return {
        "requests": result.requests,
        "non_2xx": result.non_2xx,
        "requests_per_s": result.requests_per_s,
        "p99_ms": result.p99_ms,
        "cpu_us_per_request": round((after - before) / max(result.requests, 1) * 1e6, 1),
        "wrk_cpu_us_per_request": round(client / max(result.requests, 1) * 1e6, 1),
    }


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--database-url", default=None)
    p.add_argument("--profile", default=None)
    p.add_argument("--format", choices=("svg", "txt"), default="svg")
    p.add_argument("--scenario", action="append", default=None)
    args = p.parse_args()
    names = args.scenario or ["client_credentials", "refresh_token"]
    with (
        harness.fresh_database(args.database_url) as db,
        harness.gatehouse_server(db, args.workers) as server,
    ):
        fixture = run.make_fixture(server, db)
        for scenario in scenarios.select(names):
            request = scenario.request(fixture)
            run.check_once(scenario, request)
            svg = None
            if args.profile:
                svg = BENCH_DIR / "results" / f"{args.profile}-{scenario.name}.{args.format}"
            print(scenario.name, measure(server, request, args.seconds, svg), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
