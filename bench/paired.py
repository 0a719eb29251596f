"""Gatehouse against its peers in interleaved runs: the head-to-head ratios on a drifting host.

``run.py --peers`` runs every Gatehouse scenario, then every peer, so a Gatehouse run and the
peer run it is compared with are minutes apart. On a shared virtual machine the host's speed
drifts by tens of per cent within minutes (issue 12: client_credentials on one invocation
1,510 req/s, two-run checks of the same code minutes later 1,755–2,244; node-oidc-provider's
three runs in one invocation 1,468, 2,696 and 2,857), so that ratio measures the drift as
much as the servers. Here every server runs at once (each idles while another is loaded) and
each scenario runs in rounds: one Gatehouse run and one run of each peer that serves the
scenario, back to back, odd rounds in the reverse order (G N A, A N G, G N A). Reported per
scenario and peer: the ratio of the two sides' medians (``run.py``'s figure, now from runs
seconds apart), the median of the rounds' ratios, and each side's best run over its worst.
The settings are ``run.py``'s (2 Gatehouse workers, wrk -t1 -c32, 3 s warm-up, 10 s measured,
fresh SQLite); node-oidc-provider runs one process, as in ``run.py``.

    .venv/bin/python bench/paired.py [--scenario client_credentials ...] [--peer NAME ...]
        [--rounds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
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
DEFAULT_PEERS = ("oidc-provider-jwt-RS256", "authlib-jwt-RS256")


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


def interleaved(
    measure_gatehouse: Any, measure_peers: dict[str, Any], rounds: int
) -> list[dict[str, loadgen.LoadResult]]:
    """``rounds`` rounds of one Gatehouse run and one run of each peer, back to back; odd
    rounds run in the reverse order, so a steady drift favours no side. Each round maps
    ``"gatehouse"`` and every peer's name to its run."""
    found = []
    order = ["gatehouse", *measure_peers]
    measure = {"gatehouse": measure_gatehouse, **measure_peers}
    for i in range(rounds):
        runs = {name: measure[name]() for name in (order if i % 2 == 0 else order[::-1])}
        line = "  ".join(
            f"{name} {result.requests_per_s:8.1f} req/s (p99 {result.p99_ms:6.1f} ms)"
            for name, result in runs.items()
        )
        print(f"  round {i + 1}: {line}", flush=True)
        found.append(runs)
    return found


def summary(found: list[dict[str, loadgen.LoadResult]], peer: str) -> dict[str, Any]:
    """Gatehouse against one peer over the rounds: the median of each round's ratio, the
    ratio of the two sides' medians, and each side's best run over its worst."""
    ours = [r["gatehouse"] for r in found]
    theirs = [r[peer] for r in found]
    ratios = [
        g.requests_per_s / max(p.requests_per_s, 0.001) for g, p in zip(ours, theirs, strict=True)
    ]
    p99 = [g.p99_ms / max(p.p99_ms, 0.001) for g, p in zip(ours, theirs, strict=True)]
    ours_median = loadgen.median_result(ours)
    theirs_median = loadgen.median_result(theirs)
    return {
        "peer": peer,
        "ratio_median": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
        "ratio_of_medians": round(
            ours_median.requests_per_s / max(theirs_median.requests_per_s, 0.001), 3
        ),
        "p99_ratio_median": round(statistics.median(p99), 3),
        "p99_ratio_of_medians": round(ours_median.p99_ms / max(theirs_median.p99_ms, 0.001), 3),
        "gatehouse_per_s": [g.requests_per_s for g in ours],
        "peer_per_s": [p.requests_per_s for p in theirs],
        "gatehouse_p99_ms": [g.p99_ms for g in ours],
        "peer_p99_ms": [p.p99_ms for p in theirs],
        "gatehouse_best_over_worst": _spread(ours),
        "peer_best_over_worst": _spread(theirs),
    }


def _spread(runs: list[loadgen.LoadResult]) -> float:
    rates = [r.requests_per_s for r in runs]
    return round(max(rates) / max(min(rates), 0.001), 3)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--scenario",
        action="append",
        choices=peers.PEER_SCENARIOS,
        help="repeatable; default: every scenario a chosen peer serves",
    )
    p.add_argument(
        "--peer", action="append", help=f"repeatable; default: {', '.join(DEFAULT_PEERS)}"
    )
    p.add_argument("--pairs", "--rounds", dest="rounds", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--database-url", default=None)
    args = p.parse_args(argv)
    chosen = [
        candidate for candidate in peers.PEERS if candidate.name in (args.peer or DEFAULT_PEERS)
    ]
    wanted = [
        s for s in args.scenario or peers.PEER_SCENARIOS if any(s in c.scenarios for c in chosen)
    ]
    gen = loadgen.detect("wrk")
    settings = loadgen.LoadSettings(concurrency=32, duration_s=10, warmup_s=3)
    results: list[dict[str, Any]] = []
    with (
        harness.fresh_database(args.database_url) as db,
        harness.gatehouse_server(db, args.workers) as server,
        contextlib.ExitStack() as started,
    ):
        fixture = run.prepare(server, db, False, {})
        bases = {}
        for peer in chosen:
            proc, bases[peer.name] = _start_peer(peer, args.workers)
            started.callback(harness.stop_process_group, proc)
        for name in wanted:
            [scenario] = scenarios.select([name])
            ours = scenario.request(fixture)
            run.check_once(scenario, ours)
            theirs = {}
            for peer in (c for c in chosen if name in c.scenarios):
                _, theirs[peer.name] = peers.scenario_request(peer, bases[peer.name], name)
                peers.check_once(f"{peer.name} {name}", theirs[peer.name])
            node = " (node: 1 process)" if any(c.kind == "node" for c in chosen) else ""
            print(
                f"{name}: Gatehouse ({args.workers} workers, {db.kind}) against "
                f"{', '.join(theirs)}{node}, {args.rounds} interleaved rounds",
                flush=True,
            )
            found = interleaved(
                lambda r=ours: loadgen.run_once(gen, r, settings),
                {
                    peer_name: (lambda r=request: loadgen.run_once(gen, r, settings))
                    for peer_name, request in theirs.items()
                },
                args.rounds,
            )
            for peer_name in theirs:
                result = {"scenario": name, **summary(found, peer_name)}
                print(
                    f"  {name} / {peer_name}: median of the rounds' ratios "
                    f"x{result['ratio_median']:.2f}, ratio of medians "
                    f"x{result['ratio_of_medians']:.2f} "
                    f"(p99 x{result['p99_ratio_of_medians']:.2f}); "
                    f"best/worst run: Gatehouse {result['gatehouse_best_over_worst']:.2f}, "
                    f"peer {result['peer_best_over_worst']:.2f}",
                    flush=True,
                )
                results.append(result)
    payload = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "revision": report.git_revision(run.REPO),
        "database": db.kind,
        "machine": report.machine().as_json(),
        "results": results,
    }
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"paired-{stamp}.json"
    out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {out.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
