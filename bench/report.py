"""Machine facts, printed results and the JSON record in bench/results/.

Numbers are meaningless without the machine and settings they came from, so every
printed block and every JSON file carries both.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from loadgen import LoadResult

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Machine:
    nproc: int
    cpu_model: str
    python: str
    platform: str
    loadavg_1m: float
    """At start: other work on the box (say, a test suite) skews every number."""

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def machine() -> Machine:
    return Machine(
        nproc=nproc(),
        cpu_model=cpu_model(),
        python=platform.python_version(),
        platform=platform.platform(),
        loadavg_1m=round(os.getloadavg()[0], 2),
    )


def nproc() -> int:
    """What `nproc` reports: the CPUs this process may run on (not the host's total)."""
    exe = shutil.which("nproc")
    if exe:
        out = subprocess.run([exe], capture_output=True, text=True, timeout=5, check=False)
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return int(out.stdout.strip())
    return len(os.sched_getaffinity(0))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_revision(repo: Path) -> str:
    """Commit plus a ``-dirty`` mark, so a result can be tied to the code measured."""
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


@dataclass(frozen=True)
class Context:
    """Settings shared by every scenario of a run."""

    target: str
    workers: int
    concurrency: int
    duration_s: float
    warmup_s: float
    load_generator: str
    database: str
    dataset: str = "empty"
    """``empty`` or ``loaded`` (a seeded marketplace besides the empty one; bench/seed.py)."""


def print_header(ctx: Context, host: Machine, revision: str) -> None:
    print(
        f"# {ctx.target} benchmark  rev={revision}  database={ctx.database}  dataset={ctx.dataset}"
    )
    print(
        f"# nproc={host.nproc}  cpu={host.cpu_model!r}  python={host.python}"
        f"  loadavg(1m) at start={host.loadavg_1m}  (load generator and server share the cores)"
    )


def print_result(name: str, label: str, ctx: Context, host: Machine, res: LoadResult) -> None:
    """One block per scenario with every number and setting needed to read it."""
    bad = f" (first non-2xx status {res.first_non_2xx_status})" if res.non_2xx else ""
    print(f"\n== {name}: {label}")
    print(
        f"  requests/s     {res.requests_per_s:.1f}   ({res.requests} requests in "
        f"{res.duration_s:.2f} s)"
    )
    print(
        f"  latency        p50 {res.p50_ms:.2f} ms   p99 {res.p99_ms:.2f} ms   "
        f"(p90 {res.p90_ms:.2f}, max {res.max_ms:.2f})"
    )
    if res.repeats > 1:
        spread = ", ".join(f"{r:.1f}" for r in res.runs_requests_per_s)
        print(f"  runs           median of {res.repeats} (requests/s: {spread})")
    print(f"  errors         {res.socket_errors} socket errors, {res.non_2xx} non-2xx{bad}")
    print(
        f"  settings       concurrency={ctx.concurrency} duration={ctx.duration_s:g}s "
        f"warmup={ctx.warmup_s:g}s workers={ctx.workers} nproc={host.nproc} "
        f"cpu={host.cpu_model!r}"
    )
    print(f"  load generator {ctx.load_generator}")


def print_worker_split(split: list[float]) -> None:
    """CPU seconds each worker spent over the scenario (warm-up and repeats included): an
    even split means the connections were spread over the workers."""
    if len(split) < 2 or not sum(split):
        return
    busiest = round(100 * max(split) / sum(split))
    cpu = ", ".join(f"{seconds:.1f}" for seconds in split)
    print(f"  worker CPU     {cpu} s (the busiest worker did {busiest} %)")


def write_json(stamp: datetime, payload: dict[str, Any], suffix: str = "") -> Path:
    """bench/results/<UTC timestamp>.json; small (no raw output, no tokens or IDs)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{stamp:%Y%m%dT%H%M%SZ}{suffix}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


LOADED_PAIRS = (("password_grant_loaded", "password_grant"),)
"""(loaded scenario, its empty-marketplace baseline): compared as a ratio."""
LIST_SCENARIOS = ("list_users_loaded", "list_users_page")


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def loaded_comparison(records: list[dict[str, Any]]) -> dict[str, Any]:
    """What the seeded data costs: loaded/empty ratios, and the list latencies.

    A ratio above 1 for latency (below 1 for requests/s) is the price of the data and of
    the buyer path (company join, group and user-level profiles) together. The grants' ratio
    of their shares of the adjacent argon2id ceilings takes out the hash rate's drift between
    the two scenarios' runs, minutes apart.
    """
    by_name = {r["name"]: r for r in records}
    ratios = {
        f"{loaded}/{empty}": {
            "requests_per_s": _ratio(
                by_name[loaded]["requests_per_s"], by_name[empty]["requests_per_s"]
            ),
            "p50": _ratio(by_name[loaded]["p50_ms"], by_name[empty]["p50_ms"]),
            "p99": _ratio(by_name[loaded]["p99_ms"], by_name[empty]["p99_ms"]),
            "of_adjacent_ceilings": _ratio(_share(by_name[loaded]), _share(by_name[empty])),
        }
        for loaded, empty in LOADED_PAIRS
        if loaded in by_name and empty in by_name
    }
    lists = {
        name: {k: by_name[name][k] for k in ("requests_per_s", "p50_ms", "p99_ms")}
        for name in LIST_SCENARIOS
        if name in by_name
    }
    return {"ratios": ratios, "lists": lists}


def _share(record: dict[str, Any]) -> float:
    """The median share of the adjacent argon2id ceilings, 0 when not measured (no ratio)."""
    adjacent = record.get("of_adjacent_ceilings") or {}
    return float(adjacent.get("median_share") or 0.0)


def _times(value: float | None) -> str:
    return "n/a" if value is None else f"x{value:.2f}"


def print_loaded_comparison(summary: dict[str, Any]) -> None:
    """The lines the loaded dataset exists for, after every per-scenario block."""
    if not summary["ratios"] and not summary["lists"]:
        return
    print("\n== loaded marketplace vs empty")
    for pair, r in summary["ratios"].items():
        print(
            f"  {pair}: requests/s {_times(r['requests_per_s'])}   "
            f"p50 {_times(r['p50'])}   p99 {_times(r['p99'])}   "
            f"of the adjacent ceilings {_times(r['of_adjacent_ceilings'])}"
        )
    for name, r in summary["lists"].items():
        print(
            f"  {name:<22} p50 {r['p50_ms']:.2f} ms   p99 {r['p99_ms']:.2f} ms   "
            f"({r['requests_per_s']:.1f} requests/s)"
        )


def peer_comparison(
    records: list[dict[str, Any]], peer_records: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Gatehouse/peer ratios for the same scenario (a peer record's ``scenario``; records
    from before peers had several are client_credentials). requests/s above x1 and p50/p99
    below x1 favour Gatehouse."""
    by_name = {r["name"]: r for r in records}
    out: dict[str, dict[str, Any]] = {}
    for peer in peer_records:
        if "error" in peer:
            continue
        scenario = peer.get("scenario", "client_credentials")
        ours = by_name.get(scenario)
        if ours is None:
            continue
        out[f"{scenario}/{peer['name']}"] = {
            "requests_per_s": _ratio(ours["requests_per_s"], peer["requests_per_s"]),
            "p50": _ratio(ours["p50_ms"], peer["p50_ms"]),
            "p99": _ratio(ours["p99_ms"], peer["p99_ms"]),
        }
    return out


def print_peer_comparison(summary: dict[str, dict[str, Any]]) -> None:
    if not summary:
        return
    print("\n== Gatehouse / peer (requests/s above x1 and p50/p99 below x1 favour Gatehouse)")
    for pair, r in summary.items():
        print(
            f"  {pair}: requests/s {_times(r['requests_per_s'])}   p50 {_times(r['p50'])}"
            f"   p99 {_times(r.get('p99'))}"
        )


def peer_table_rows(
    records: list[dict[str, Any]], peer_records: list[dict[str, Any]]
) -> list[list[str]]:
    """One row per (scenario, target): Gatehouse first, then each peer with its ratios."""
    by_name = {r["name"]: r for r in records}
    rows: list[list[str]] = []
    scenarios = [r["name"] for r in records]
    for scenario in scenarios:
        ours = by_name[scenario]
        peers = [
            p
            for p in peer_records
            if "error" not in p and p.get("scenario", "client_credentials") == scenario
        ]
        rows.append(_table_row(scenario, "Gatehouse", ours, None))
        rows.extend(_table_row(scenario, p["name"], p, ours) for p in peers)
    return rows


def _table_row(
    scenario: str, target: str, rec: dict[str, Any], ours: dict[str, Any] | None
) -> list[str]:
    cells = [
        scenario,
        target,
        f"{rec['requests_per_s']:.1f}",
        f"{rec['p50_ms']:.2f}",
        f"{rec['p99_ms']:.2f}",
        str(rec.get("socket_errors", 0) + rec.get("non_2xx", 0)),
    ]
    if ours is None:
        return [*cells, "", "", ""]
    return [
        *cells,
        _times(_ratio(ours["requests_per_s"], rec["requests_per_s"])),
        _times(_ratio(ours["p50_ms"], rec["p50_ms"])),
        _times(_ratio(ours["p99_ms"], rec["p99_ms"])),
    ]


TABLE_HEADER = [
    *("scenario", "target", "req/s", "p50 ms", "p99 ms", "errors"),
    *("GH/peer req/s", "p50", "p99"),
]
"""``errors``: socket errors plus non-2xx responses (summed over repeats)."""


def print_peer_table(
    records: list[dict[str, Any]], peer_records: list[dict[str, Any]], repeat: int
) -> None:
    """Every scenario's Gatehouse row with the peers' rows under it: one table to read."""
    rows = peer_table_rows(records, peer_records)
    if not rows:
        return
    widths = [max(len(r[i]) for r in [TABLE_HEADER, *rows]) for i in range(len(TABLE_HEADER))]
    what = f"medians of {repeat} runs" if repeat > 1 else "one run each"
    print(f"\n== side by side ({what}; ratios are Gatehouse/peer)")
    for row in [TABLE_HEADER, *rows]:
        cells = (
            cell.rjust(w) if i >= 2 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        print(("  " + "  ".join(cells)).rstrip())
    alone = [
        r["name"]
        for r in records
        if not any(x[0] == r["name"] and x[1] != "Gatehouse" for x in rows)
    ]
    if alone:
        print(f"  (no peer counterpart for: {', '.join(alone)})")


def print_ceiling(ceiling: dict[str, Any]) -> None:
    workers = ceiling["workers"]
    print(
        f"# argon2id ceiling, measured: {workers} processes hashing at once made "
        f"{ceiling['measured_ceiling_per_s']:.1f} hashes/s "
        f"({ceiling['measured_ms_per_hash']:.1f} ms each, {ceiling['cpu_ms_per_hash']:.1f} ms "
        "CPU) = password grants/s at most\n"
        f"# (one core alone: {ceiling['hashes_per_s_core']:.1f} hashes/s "
        f"({ceiling['ms_per_hash']:.1f} ms each) x {workers} = {ceiling['ceiling_per_s']:.1f})"
    )


def of_ceiling(
    records: list[dict[str, Any]], ceiling: dict[str, Any], which: str = "ceiling_per_s"
) -> float | None:
    """``password_grant`` requests/s as a percentage of an argon2id ceiling (``which``)."""
    grant = next((r for r in records if r["name"] == "password_grant"), None)
    if grant is None or not ceiling.get(which):
        return None
    share: float = round(100 * grant["requests_per_s"] / ceiling[which], 1)
    return share


def _rss_text(rss: dict[str, Any]) -> str:
    workers = ", ".join(f"{mb:.1f}" for mb in rss["workers_mb"]) or "n/a"
    supervisor = rss.get("supervisor_mb")
    extra = f"; supervisor {supervisor:.1f} MB" if supervisor is not None else ""
    return f"{workers} MB per worker{extra}"


def print_adjacent_ceilings(adjacent: dict[str, Any]) -> None:
    """Each password-grant run against the argon2id ceilings measured just before and after."""
    ceilings = ", ".join(f"{c:.1f}" for c in adjacent["ceilings_per_s"])
    shares = ", ".join(f"{s:.1f}" for s in adjacent["shares"])
    print(f"  ceilings       {ceilings} hashes/s, measured before, between and after the runs")
    print(f"  of adjacent    {shares} % (median {adjacent['median_share']:.1f} %)")


def print_server_facts(target: str, run: dict[str, Any]) -> None:
    """Start-to-ready, memory after the run, and the password grant against its ceiling."""
    print(f"\n== {target}: server")
    print(
        f"  start to ready {run['ready_s']:.2f} s (spawn to the first 200 from /gatehouse/health)"
    )
    print(f"  RSS after run  {_rss_text(run['rss'])}")
    share, measured = (run.get(f"password_grant_of_{k}ceiling") for k in ("", "measured_"))
    if share is not None and measured is not None:
        print(
            f"  password_grant {measured:.1f} % of the measured argon2id ceiling "
            f"({share:.1f} % of one core's rate x workers)"
        )
    after, bracketing = (
        run.get("argon2_ceiling_after"),
        run.get("password_grant_of_bracketing_ceiling"),
    )
    if after is not None and bracketing is not None:
        print(
            f"  argon2id ceiling measured again after the server stopped: "
            f"{after['measured_ceiling_per_s']:.1f} hashes/s; password_grant {bracketing:.1f} % "
            "of the mean of the two"
        )


def busiest_share(split: list[float]) -> str:
    """The busiest worker's share of the workers' CPU time, or ``-`` for one worker."""
    if len(split) < 2 or not sum(split):
        return "-"
    return f"{round(100 * max(split) / sum(split))}%"


def _server_cell(rec: dict[str, Any] | None) -> str:
    if rec is None:
        return "n/a"
    share = busiest_share(rec.get("worker_cpu_s", []))
    return f"{rec['requests_per_s']:.1f} / {rec['p99_ms']:.1f} / {share}"


def print_server_table(runs: list[dict[str, Any]]) -> None:
    """``--server`` given several times: per scenario and server, requests/s, p99 and the
    busiest worker's share of the CPU time (50 % with two workers is an even split)."""
    names = [r["name"] for r in runs[0]["scenarios"]]
    print("\n== servers side by side (requests/s / p99 ms / busiest worker's CPU share)")
    header = ["scenario", *(run["server"] for run in runs)]
    rows = [header]
    for name in names:
        found = [next((r for r in run["scenarios"] if r["name"] == name), None) for run in runs]
        rows.append([name, *(_server_cell(rec) for rec in found)])
    rows.append(["start to ready s", *(f"{run['ready_s']:.2f}" for run in runs)])
    rows.append(
        ["max worker RSS MB", *(f"{max(run['rss']['workers_mb'] or [0]):.1f}" for run in runs)]
    )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
