"""Gatehouse against one peer in adjacent runs: the head-to-head ratio on a drifting host.

``run.py --peers`` runs every Gatehouse scenario, then every peer, so a Gatehouse run and the
peer run it is compared with are minutes apart. On a shared virtual machine the host's speed
drifts by tens of per cent within minutes (issue 12: client_credentials on one invocation
1,510 req/s, two-run checks of the same code minutes later 1,755–2,244), so that ratio
measures the drift as much as the servers. Here both servers run at once (each idles while
the other is loaded) and the runs alternate, G P P G G P …, each pair measured back to back;
the figure is the median of the pairs' ratios. The settings are ``run.py``'s (2 Gatehouse
workers, wrk -t1 -c32, 3 s warm-up, 10 s measured, fresh SQLite).

    .venv/bin/python bench/paired.py --scenario client_credentials --peer oidc-provider-jwt-RS256
        [--pairs 6] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness
import loadgen
import peers
import report
import run
import scenarios

RESULTS = Path(__file__).resolve().parent / "results"


def _start_peer(peer: peers.Peer, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    scratch = peers.scratch_dir(peers.SCRATCH)
    peers.install(scratch, peers.peers_dir(), {peer.kind})
    port = harness.free_port()
    env = peers.peer_env(peer, scratch, port)
    peers.prepare(peer, scratch, env)
    argv, cwd = peers.command(peer, scratch, port, workers)
    with (scratch / f"{peer.name}.log").open("wb") as log:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://{harness.LOOPBACK}:{port}"
    try:
        peers.wait_ready(proc, peers.token_request(base + peer.token_path))
    except BaseException:
        harness.stop_process_group(proc)
        raise
    return proc, base


def pairs(
    measure_gatehouse: Any, measure_peer: Any, count: int
) -> list[tuple[loadgen.LoadResult, loadgen.LoadResult]]:
    """``count`` (Gatehouse, peer) pairs; odd pairs run the peer first, so a steady drift
    favours neither side."""
    found = []
    for i in range(count):
        if i % 2 == 0:
            gatehouse = measure_gatehouse()
            peer = measure_peer()
        else:
            peer = measure_peer()
            gatehouse = measure_gatehouse()
        ratio = gatehouse.requests_per_s / max(peer.requests_per_s, 0.001)
        print(
            f"  pair {i + 1}: Gatehouse {gatehouse.requests_per_s:8.1f} req/s "
            f"(p99 {gatehouse.p99_ms:6.1f} ms), peer {peer.requests_per_s:8.1f} "
            f"(p99 {peer.p99_ms:6.1f} ms): x{ratio:.2f}",
            flush=True,
        )
        found.append((gatehouse, peer))
    return found


def summary(found: list[tuple[loadgen.LoadResult, loadgen.LoadResult]]) -> dict[str, Any]:
    ratios = [g.requests_per_s / max(p.requests_per_s, 0.001) for g, p in found]
    p99 = [g.p99_ms / max(p.p99_ms, 0.001) for g, p in found]
    return {
        "ratio_median": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
        "p99_ratio_median": round(statistics.median(p99), 3),
        "gatehouse_per_s": [g.requests_per_s for g, _ in found],
        "peer_per_s": [p.requests_per_s for _, p in found],
        "gatehouse_p99_ms": [g.p99_ms for g, _ in found],
        "peer_p99_ms": [p.p99_ms for _, p in found],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", default="client_credentials", choices=peers.PEER_SCENARIOS)
    p.add_argument("--peer", default="oidc-provider-jwt-RS256")
    p.add_argument("--pairs", type=int, default=6)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--database-url", default=None)
    args = p.parse_args(argv)
    [peer] = [candidate for candidate in peers.PEERS if candidate.name == args.peer]
    gen = loadgen.detect("wrk")
    settings = loadgen.LoadSettings(concurrency=32, duration_s=10, warmup_s=3)
    peer_workers = 1 if peer.kind == "node" else args.workers
    with (
        harness.fresh_database(args.database_url) as db,
        harness.gatehouse_server(db, args.workers) as server,
    ):
        fixture = run.prepare(server, db, False, {})
        [scenario] = scenarios.select([args.scenario])
        ours = scenario.request(fixture)
        run.check_once(scenario, ours)
        proc, base = _start_peer(peer, args.workers)
        try:
            _, theirs = peers.scenario_request(peer, base, args.scenario)
            peers.check_once(f"{peer.name} {args.scenario}", theirs)
            print(
                f"{args.scenario}: Gatehouse ({args.workers} workers, {db.kind}) against "
                f"{peer.name} ({peer_workers} worker(s)), {args.pairs} adjacent pairs"
            )
            found = pairs(
                lambda: loadgen.run_once(gen, ours, settings),
                lambda: loadgen.run_once(gen, theirs, settings),
                args.pairs,
            )
        finally:
            harness.stop_process_group(proc)
    result = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "revision": report.git_revision(run.REPO),
        "scenario": args.scenario,
        "peer": peer.name,
        "database": db.kind,
        **summary(found),
    }
    print(
        f"median of the pairs' ratios: x{result['ratio_median']:.2f} "
        f"(p99 x{result['p99_ratio_median']:.2f}); ratios {result['ratios']}"
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"paired-{args.scenario}-{stamp}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
