"""Server CPU time per request on the hot paths (issue 12): robust to other load on a shared box.

    python bench/cpu_per_request.py [--path NAME ...] [--seconds 5] [--workers 1]
        [--connections 8] [--database-url URL] [--profile NAME [--format svg|txt]]

Starts ``gatehouse serve`` on a fresh SQLite file (or a fresh database on ``--database-url``),
makes the fixture of ``bench/run.py`` (an admin token, a secret-holding API client with one
refresh token, a buyer with 20 users) and, for ``list_apiclients``, API clients up to a full
page of 20; then per path runs wrk (2 s warm-up, ``--seconds`` measured) and divides the server
processes' utime+stime (``/proc/<pid>/stat``, the whole process group) by the completed
requests. Wall-clock req/s would measure the neighbours; CPU µs per request measures Gatehouse.
Each line also gives wrk's own CPU per request and the server's context switches per request.

Paths are the scenarios of ``bench/scenarios.py`` that need no seeded data: ``client_credentials``,
``refresh_token``, ``get_me``, ``list_apiclients``, ``list_buyer_users`` (the default: all five),
``get_apiclient`` and ``password_grant``. ``--profile NAME`` also records a py-spy flame graph per
path to ``bench/results/NAME-<path>.svg`` (``--format txt``: py-spy's collapsed stacks).

This tool replaced ``bench/cpu_per_read.py``: its ``--duration`` and ``--raw`` still work (as
``--seconds`` and ``--format txt``), and so do its path names ``me``, ``apiclients`` and
``buyer_users``; it loaded with 32 connections (``--connections 32``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import harness
import loadgen
import procfs
import run
import scenarios

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_PATHS = (
    "client_credentials",
    "refresh_token",
    "get_me",
    "list_apiclients",
    "list_buyer_users",
)
PATHS = (*DEFAULT_PATHS, "get_apiclient", "password_grant")
ALIASES = {"me": "get_me", "apiclients": "list_apiclients", "buyer_users": "list_buyer_users"}
LIST_PAGE = 20  # list_apiclients reads a full default page


def group_cpu_seconds(pgid: int) -> float:
    """utime+stime of every live process in the group (the supervisor and the workers)."""
    return sum(procfs.cpu_of(pid) for pid in procfs.process_group(pgid))


def group_context_switches(pgid: int) -> int:
    return sum(procfs.context_switches(pid) for pid in procfs.process_group(pgid))


def children_cpu_seconds() -> float:
    """utime+stime of this process's finished children: wrk's, once it has been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def py_spy(server: harness.ServerProcess, profile: Path) -> subprocess.Popen[bytes]:
    """``py-spy record`` of the server and its workers until interrupted."""
    beside = Path(sys.executable).with_name("py-spy")
    binary = str(beside) if beside.exists() else shutil.which("py-spy")
    if binary is None:
        raise SystemExit("--profile needs py-spy (pip install py-spy)")
    argv = [binary, "record", "--subprocesses", "-o", str(profile)]
    if profile.suffix == ".txt":  # collapsed stacks, for reading the profile as text
        argv += ["--format", "raw"]
    return subprocess.Popen([*argv, "--pid", str(server.proc.pid)], stdout=subprocess.DEVNULL)


def measure(
    server: harness.ServerProcess,
    request: scenarios.Request,
    settings: loadgen.LoadSettings,
    profile: Path | None,
) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is required")
    loadgen._run_wrk(wrk, request, settings, 2)  # warm-up: caches, lazy imports
    spy = py_spy(server, profile) if profile is not None else None
    pgid = server.proc.pid
    before, switches = group_cpu_seconds(pgid), group_context_switches(pgid)
    client_before = children_cpu_seconds()
    out = loadgen._run_wrk(wrk, request, settings, settings.duration_s)
    used, switched = group_cpu_seconds(pgid) - before, group_context_switches(pgid) - switches
    client = children_cpu_seconds() - client_before
    if spy is not None:
        spy.send_signal(2)
        spy.wait(60)
    result = loadgen._parse(out)
    done = max(result.requests, 1)
    return {
        "requests": result.requests,
        "non_2xx": result.non_2xx,
        "requests_per_s": result.requests_per_s,
        "p99_ms": result.p99_ms,
        "cpu_us_per_request": round(used / done * 1e6, 1),
        "wrk_cpu_us_per_request": round(client / done * 1e6, 1),
        "context_switches_per_request": round(switched / done, 3),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    p.add_argument("--path", "--scenario", dest="paths", action="append", metavar="NAME")
    p.add_argument("--seconds", "--duration", dest="seconds", type=int, default=5)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--database-url", default=None)
    p.add_argument("--profile", default=None)
    p.add_argument("--format", choices=("svg", "txt"), default="svg")
    p.add_argument("--raw", action="store_const", dest="format", const="txt")
    args = p.parse_args(argv)
    args.paths = [ALIASES.get(name, name) for name in args.paths or DEFAULT_PATHS]
    unknown = sorted(set(args.paths) - set(PATHS))
    if unknown:
        p.error(f"unknown path {', '.join(unknown)}; choose from {', '.join(PATHS)}")
    return args


def main() -> int:
    args = parse_args()
    settings = loadgen.LoadSettings(
        concurrency=args.connections,
        duration_s=args.seconds,
        warmup_s=0,
        timeout_s=10,
        wrk_threads=1,
        repeat=1,
    )
    with (
        harness.fresh_database(args.database_url) as db,
        harness.gatehouse_server(db, args.workers) as server,
    ):
        fixture = run.make_fixture(server, db)
        if "list_apiclients" in args.paths:
            run.create_api_clients(server.base_url, fixture.access_token, LIST_PAGE - 2)
        for scenario in scenarios.select(args.paths):
            request = scenario.request(fixture)
            run.check_once(scenario, request)
            profile = None
            if args.profile:
                profile = BENCH_DIR / "results" / f"{args.profile}-{scenario.name}.{args.format}"
            print(scenario.name, measure(server, request, settings, profile), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
