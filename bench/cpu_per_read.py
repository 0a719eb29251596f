"""Server CPU time per request for the read hot paths (issue 12), robust to a shared machine.

Starts ``gatehouse serve --workers 1`` on a fresh database, makes the fixture (admin token,
20 API clients, a buyer with 20 users), then per path runs one fixed ``wrk`` load and reads
the server processes' ``utime+stime`` (``/proc/<pid>/stat``) before and after. Wall-clock
req/s depend on what else the machine runs; CPU µs per request mostly do not.

    .venv/bin/python bench/cpu_per_read.py [--duration 5] [--database-url postgresql://...]
        [--profile NAME]   # also py-spy record each path to bench/results/NAME-<path>.svg
        [--only me]        # one path only
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

RESULTS = Path(__file__).resolve().parent / "results"
TICKS = os.sysconf("SC_CLK_TCK")


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def _call(base: str, token: str, method: str, path: str, body: object) -> dict[str, object]:
    status, raw = harness.http_request(
        method,
        base + path,
        json.dumps(body),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    if status not in (200, 201):
        raise RuntimeError(f"{method} {path}: HTTP {status} {raw[:300]!r}")
    found: dict[str, object] = json.loads(raw)
    return found


def _fixture(base: str, token: str) -> None:
    for n in range(19):
        _call(
            base,
            token,
            "POST",
            "/v1/apiclients",
            {"AppName": f"app{n}", "Active": True, "AccessTokenDuration": 600},
        )
    _call(base, token, "POST", "/v1/buyers", {"ID": "b1", "Name": "b1", "Active": True})
    for n in range(20):
        user = {
            "ID": f"u{n}",
            "Username": f"user{n}",
            "FirstName": "F",
            "LastName": "L",
            "Email": f"u{n}@example.com",
            "Active": True,
            "xp": {"n": n},
        }
        _call(base, token, "POST", "/v1/buyers/b1/users", user)


PATHS = {
    "me": "/v1/me",
    "apiclients": "/v1/apiclients",
    "buyer_users": "/v1/buyers/b1/users?pageSize=20",
}


def _wrk(base: str, path: str, token: str, duration: int) -> tuple[int, float, str]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            "-c32",
            f"-d{duration}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    if "Non-2xx" in out:
        raise RuntimeError(out)
    return done, rps, p99


def _measure(server: harness.ServerProcess, token: str, args: argparse.Namespace) -> None:
    pids = _group_pids(server.proc.pid)
    for name, path in PATHS.items():
        if args.only and name != args.only:
            continue
        _wrk(server.base_url, path, token, 1)  # warm-up
        spy = None
        if args.profile:
            worker = max(pids)  # the worker is the newest process of the group
            fmt = "raw" if args.raw else "flamegraph"
            svg = RESULTS / f"{args.profile}-{name}.{'txt' if args.raw else 'svg'}"
            argv = ["py-spy", "record", "--pid", str(worker), "-d", str(args.duration + 1)]
            spy = subprocess.Popen(
                [*argv, "-r", "200", "--nonblocking", "-f", fmt, "-o", str(svg)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
        before = _cpu_seconds(pids)
        done, _rps, p99 = _wrk(server.base_url, path, token, args.duration)
        used = _cpu_seconds(pids) - before
        if spy is not None:
            spy.wait()
        print(
            f"{name:12s} {done / args.duration:8.0f} req/s  p99 {p99:>8s}  "
            f"server CPU {used * 1e6 / done:7.0f} µs/request",
            flush=True,
        )


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--duration", type=int, default=5)
    p.add_argument("--database-url", default=None)
    p.add_argument("--profile", default=None)
    p.add_argument("--only", choices=sorted(PATHS), default=None)
    p.add_argument("--raw", action="store_true", help="collapsed stacks (.txt), not SVG")
    args = p.parse_args()
    os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    with (
        harness.fresh_database(args.database_url) as db,
        harness.gatehouse_server(db, 1) as server,
    ):
        creds = harness.create_marketplace(db)
        token = harness.password_token(server.base_url, creds)
        _fixture(server.base_url, token)
        _measure(server, token, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
