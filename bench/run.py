"""Benchmark Gatehouse's hot paths: ``python bench/run.py [--workers 2] [--concurrency 32]``.

Starts a Gatehouse server on a fresh database, creates a marketplace through the CLI
(with ``--dataset loaded``, a second one filled by bench/seed.py), then drives each
scenario in ``scenarios.SCENARIOS`` from a separate load-generator process (wrk, else
bench/pyload.py), prints the numbers with the machine and settings they belong to, and
writes them to ``bench/results/<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ceiling as argon2
import harness
import loadgen
import report
import scenarios
from scenarios import Fixture, LoadedFixture, Request, Scenario

REPO = Path(__file__).resolve().parent.parent
MAX_DURATION_S = 120.0
MAX_WARMUP_S = 5.0
MAX_REPEAT = 9


def add_load_args(p: argparse.ArgumentParser) -> None:
    """Options shared with peers.py, so peers run under exactly the same settings."""
    p.add_argument("--workers", type=int, default=2, help="server worker processes (2)")
    p.add_argument("--concurrency", type=int, default=32, help="open connections (32)")
    p.add_argument(
        "--duration",
        type=float,
        default=10.0,
        help=f"measured seconds per scenario (10, at most {MAX_DURATION_S:g})",
    )
    p.add_argument(
        "--warmup",
        type=float,
        default=3.0,
        help=f"discarded warm-up seconds per scenario (3, at most {MAX_WARMUP_S:g})",
    )
    p.add_argument(
        "--load-generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="auto: wrk if installed, else the built-in raw-asyncio generator",
    )
    p.add_argument("--wrk-threads", type=int, default=1, help="wrk -t (1)")
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="measured runs per scenario, reported as their median "
        f"(1, or 3 with run.py --peers; at most {MAX_REPEAT})",
    )
    p.add_argument("--no-save", action="store_true", help="do not write bench/results/*.json")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_load_args(p)
    p.add_argument(
        "--database-url",
        default=None,
        help="postgresql://user@host:port/db: create a fresh database there and drop "
        "it afterwards (default: a fresh SQLite file in a temp dir)",
    )
    p.add_argument(
        "--dataset",
        choices=("empty", "loaded"),
        default="empty",
        help="loaded: also seed a second marketplace (bench/seed.py) and run the scenarios "
        "that read it; the first marketplace stays empty for the baseline",
    )
    p.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        help=f"run only these (repeatable): {[s.name for s in scenarios.SCENARIOS]}",
    )
    p.add_argument(
        "--peers",
        action="store_true",
        help="afterwards, run the peer servers (bench/peers.py) with the same settings",
    )
    p.add_argument(
        "--peer",
        action="append",
        metavar="NAME",
        help="with --peers, run only these peers (repeatable; see bench/peers.py)",
    )
    p.add_argument(
        "--server",
        action="append",
        choices=harness.SERVERS,
        help="serve the app with these, one after another on fresh databases (repeatable; "
        "default gatehouse: `gatehouse serve`; uvicorn: its own --workers on one shared "
        "socket; granian: if installed). Peers compare against the first.",
    )
    args = p.parse_args(argv)
    check_bounds(p, args)
    return args


def check_bounds(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Keep every run bounded in time, as the bench must never run away."""
    if args.repeat is None:  # beside the peers, medians of 3 (issue 12's table)
        args.repeat = 3 if getattr(args, "peers", False) else 1
    if not 1 <= args.duration <= MAX_DURATION_S:
        p.error(f"--duration must be within 1..{MAX_DURATION_S:g} s")
    if not 0 <= args.warmup <= MAX_WARMUP_S:
        p.error(f"--warmup must be within 0..{MAX_WARMUP_S:g} s")
    if not 1 <= args.repeat <= MAX_REPEAT:
        p.error(f"--repeat must be within 1..{MAX_REPEAT}")
    if args.workers < 1 or args.concurrency < 1 or args.wrk_threads < 1:
        p.error("--workers, --concurrency and --wrk-threads must be >= 1")
    if args.wrk_threads > args.concurrency:
        p.error("--wrk-threads cannot exceed --concurrency (wrk needs a connection per thread)")


def load_settings(args: argparse.Namespace) -> loadgen.LoadSettings:
    return loadgen.LoadSettings(
        concurrency=args.concurrency,
        duration_s=args.duration,
        warmup_s=args.warmup,
        wrk_threads=args.wrk_threads,
        repeat=args.repeat,
    )


BUYER_USERS = 20
"""Users made in the ``list_buyer_users`` buyer: one full default page of 20."""


def create_buyer_with_users(base_url: str, admin_token: str, count: int = BUYER_USERS) -> str:
    """``POST /v1/buyers`` and ``count`` × ``POST /v1/buyers/{id}/users`` (admin bearer), for
    the ``list_buyer_users`` scenario on the empty dataset; the buyer's ID."""
    headers = {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"}
    status, raw = harness.http_request(
        "POST", base_url + "/v1/buyers", json.dumps({"Name": "bench-buyer"}), headers
    )
    if status != 201:
        raise RuntimeError(f"buyer create failed: HTTP {status} {raw[:300]!r}")
    buyer_id: str = json.loads(raw)["ID"]
    for n in range(count):
        user = {
            "ID": f"bench-user-{n:03d}",
            "Username": f"bench-user-{n:03d}",
            "FirstName": "Bench",
            "LastName": f"User{n:03d}",
            "Email": f"bench-user-{n:03d}@example.com",
            "Active": True,
        }
        status, raw = harness.http_request(
            "POST", f"{base_url}/v1/buyers/{buyer_id}/users", json.dumps(user), headers
        )
        if status != 201:
            raise RuntimeError(f"buyer user create failed: HTTP {status} {raw[:300]!r}")
    return buyer_id


def create_api_clients(base_url: str, admin_token: str, count: int) -> None:
    """``count`` more API clients (``POST /v1/apiclients``), to fill a list page."""
    headers = {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"}
    for n in range(count):
        app = json.dumps({"AppName": f"bench-list-{n}", "Active": True, "AccessTokenDuration": 600})
        status, raw = harness.http_request("POST", base_url + "/v1/apiclients", app, headers)
        if status != 201:
            raise RuntimeError(f"API client create failed: HTTP {status} {raw[:300]!r}")


def make_fixture(server: harness.ServerProcess, db: harness.BenchDatabase) -> Fixture:
    """A marketplace made through the CLI (as operators would), one access token, and a
    secret-holding API client made through the API with one refresh token of its own."""
    creds = harness.create_marketplace(db)
    token = harness.password_token(server.base_url, creds)
    cc_id, cc_secret = harness.create_secret_client(server.base_url, token, creds["Username"])
    refresh = harness.refresh_token(server.base_url, cc_id, cc_secret, creds)
    buyer_id = create_buyer_with_users(server.base_url, token)
    return Fixture(
        base_url=server.base_url,
        marketplace_id=creds["MarketplaceID"],
        api_client_id=creds["ApiClientID"],
        username=creds["Username"],
        password=creds["Password"],
        access_token=token,
        cc_client_id=cc_id,
        cc_client_secret=cc_secret,
        refresh_token=refresh,
        buyer_id=buyer_id,
    )


def seed_loaded_marketplace(
    server: harness.ServerProcess, db: harness.BenchDatabase
) -> tuple[LoadedFixture, dict[str, Any]]:
    """A second marketplace, made through the CLI like the first, then seeded in bulk.

    The server is already up but idle; seeding before any load keeps it out of every
    measurement. Its own admin's token is needed because list routes are scoped to the
    caller's marketplace.
    """
    import seed  # only here: the default run never imports SQLAlchemy into the bench

    creds = harness.create_marketplace(db)
    result = asyncio.run(seed.seed(db.url, creds["MarketplaceID"], harness.strong_password()))
    seed.print_summary(result, db.url)
    loaded = LoadedFixture(
        marketplace_id=result.marketplace_id,
        admin_token=harness.password_token(server.base_url, creds),
        buyer_client_id=result.buyer_client_id,
        anon_client_id=result.anon_client_id,
        buyer_username=result.login_username,
        password=result.password,
        big_buyer_id=result.big_buyer_id,
    )
    return loaded, result.summary()


def prepare(
    server: harness.ServerProcess,
    db: harness.BenchDatabase,
    loaded: bool,
    payload: dict[str, Any],
) -> Fixture:
    """All set-up before any load; the seed's counts and time go into the results file."""
    fixture = make_fixture(server, db)
    if not loaded:
        return fixture
    extra, payload["seed"] = seed_loaded_marketplace(server, db)
    return dataclasses.replace(fixture, loaded=extra)


def check_once(scenario: Scenario, request: scenarios.Request) -> None:
    """One request before the load, so a broken scenario fails loudly instead of timing 401s."""
    status, body = harness.http_request(request.method, request.url, request.body, request.headers)
    if status != scenario.expect_status:
        raise RuntimeError(
            f"{scenario.name}: expected HTTP {scenario.expect_status}, got {status}: {body[:300]!r}"
        )


def run_scenarios(
    chosen: list[Scenario],
    fixture: Fixture,
    gen: loadgen.Generator,
    settings: loadgen.LoadSettings,
    ctx: report.Context,
    host: report.Machine,
    server: harness.ServerProcess | None = None,
) -> list[dict[str, Any]]:
    records = []
    for scenario in chosen:
        request = scenario.request(fixture)
        check_once(scenario, request)
        before = server.cpu_seconds() if server else {}
        adjacent: dict[str, Any] | None = None
        if scenario.name in GRANTS_BETWEEN_CEILINGS and server is not None:
            result, adjacent = grant_between_ceilings(gen, request, settings, ctx.workers)
        else:
            result = loadgen.run(gen, request, settings)
        after = server.cpu_seconds() if server else {}
        split = [round(after[pid] - before.get(pid, 0.0), 2) for pid in sorted(after)]
        report.print_result(scenario.name, scenario.label, ctx, host, result)
        report.print_worker_split(split)
        record = {
            "name": scenario.name,
            "label": scenario.label,
            **result.as_json(),
            "worker_cpu_s": split,
        }
        if adjacent is not None:
            record["of_adjacent_ceilings"] = adjacent
            report.print_adjacent_ceilings(adjacent)
        records.append(record)
    return records


GRANTS_BETWEEN_CEILINGS = ("password_grant", "password_grant_loaded")
"""Scenarios that hash a password per request: each run is measured between two ceilings."""


def grant_between_ceilings(
    gen: loadgen.Generator, request: Request, settings: loadgen.LoadSettings, workers: int
) -> tuple[loadgen.LoadResult, dict[str, Any]]:
    """The password grant's runs, each between two measurements of the argon2id ceiling taken
    while the server idles (``ceiling.of_adjacent``): run i against the mean of ceilings i
    and i + 1."""
    ceilings = [argon2.measured_rate(workers)]
    runs = []
    for _ in range(max(1, settings.repeat)):
        runs.append(loadgen.run_once(gen, request, settings))
        ceilings.append(argon2.measured_rate(workers))
    rates = [r.requests_per_s for r in runs]
    return loadgen.median_result(runs), argon2.of_adjacent(rates, ceilings)


def server_facts(server: harness.ServerProcess) -> dict[str, Any]:
    """Start-to-ready and memory of the server, read after its scenarios ran."""
    return {"ready_s": server.ready_s, "rss": server.rss_mb()}


def run_server(
    kind: str,
    args: argparse.Namespace,
    run_with: tuple[list[Scenario], loadgen.Generator, loadgen.LoadSettings, report.Machine],
    revision: str,
    ceiling: dict[str, Any],
) -> dict[str, Any]:
    """One way of serving (``--server``) on a fresh database: set-up, every scenario, facts."""
    chosen, gen, settings, host = run_with
    loaded = args.dataset == "loaded"
    out: dict[str, Any] = {"server": kind}
    with harness.fresh_database(args.database_url) as db:
        target = "Gatehouse" if kind == "gatehouse" else f"Gatehouse on {kind}"
        ctx = report.Context(
            target=target,
            workers=args.workers,
            concurrency=args.concurrency,
            duration_s=args.duration,
            warmup_s=args.warmup,
            load_generator=gen.describe(settings),
            database=db.kind,
            dataset=args.dataset,
        )
        out["settings"] = ctx.__dict__.copy()
        report.print_header(ctx, host, revision)
        with harness.gatehouse_server(db, args.workers, kind=kind) as server:
            fixture = prepare(server, db, loaded, out)
            records = run_scenarios(chosen, fixture, gen, settings, ctx, host, server)
            out |= server_facts(server)
    out["scenarios"] = records
    out["password_grant_of_ceiling"] = report.of_ceiling(records, ceiling)
    out["password_grant_of_measured_ceiling"] = report.of_ceiling(
        records, ceiling, "measured_ceiling_per_s"
    )
    if any(r["name"] == "password_grant" for r in records):
        # Measured again once the server has stopped: on a shared host the hash rate drifts
        # by tens of per cent within minutes (argon2id is bound by memory bandwidth, which
        # the neighbours share), so the grant is also given against the mean of the two
        # measurements that bracket it.
        out["argon2_ceiling_after"] = after = argon2.argon2_ceiling(args.workers)
        bracket = (ceiling["measured_ceiling_per_s"] + after["measured_ceiling_per_s"]) / 2
        out["password_grant_of_bracketing_ceiling"] = report.of_ceiling(
            records, {"bracket": bracket}, "bracket"
        )
    report.print_server_facts(target, out)
    if loaded:
        out["loaded_comparison"] = report.loaded_comparison(records)
        report.print_loaded_comparison(out["loaded_comparison"])
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = scenarios.select(args.scenario, loaded=args.dataset == "loaded")  # typos first
    settings = load_settings(args)
    gen = loadgen.detect(args.load_generator)
    host = report.machine()
    stamp = datetime.now(UTC)
    revision = report.git_revision(REPO)
    payload: dict[str, Any] = {
        "timestamp": stamp.isoformat(timespec="seconds"),
        "revision": revision,
        "machine": host.as_json(),
    }
    with harness.signals_as_exit():
        payload["argon2_ceiling"] = ceiling = argon2.argon2_ceiling(args.workers)
        report.print_ceiling(ceiling)
        runs = [
            run_server(kind, args, (chosen, gen, settings, host), revision, ceiling)
            for kind in args.server or ["gatehouse"]
        ]
        payload |= {k: v for k, v in runs[0].items() if k != "server"}  # the primary server
        payload["servers"] = runs
        if len(runs) > 1:
            report.print_server_table(runs)
        if args.peers:  # after Gatehouse has stopped, so nothing else competes for the CPU
            run_peers(args, payload, (chosen, gen, settings, host))
    if not args.no_save:
        print(f"\nresults written to {report.write_json(stamp, payload).relative_to(REPO)}")
    return 0


def run_peers(
    args: argparse.Namespace,
    payload: dict[str, Any],
    run_with: tuple[list[Scenario], loadgen.Generator, loadgen.LoadSettings, report.Machine],
) -> None:
    """The peers under the same settings, then the side-by-side table with the primary."""
    import peers

    chosen, gen, settings, host = run_with
    records = payload["scenarios"]
    wanted = [s.name for s in chosen if s.name in peers.PEER_SCENARIOS]
    payload["peers"] = peers.run_all(gen, settings, args.workers, host, args.peer, scenarios=wanted)
    payload["peer_comparison"] = report.peer_comparison(records, payload["peers"])
    report.print_peer_comparison(payload["peer_comparison"])
    report.print_peer_table(records, payload["peers"], settings.repeat)


if __name__ == "__main__":
    sys.exit(main())
