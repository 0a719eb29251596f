"""RSS of each worker after each phase of a bench run: what grows a worker, and when (issue 12).

Starts ``gatehouse serve --workers 2`` on a fresh SQLite file, prints every worker's VmRSS
when it is ready (idle), after ``run.py``'s set-up, then after each scenario (wrk -c32, 1 s
warm-up, 4 s). Naming a scenario of the loaded dataset (``list_users_page``, ...) seeds the
second marketplace first, as ``run.py --dataset loaded`` does. ``PYTHONPATH=<other
checkout>/src`` measures another revision the same way.

    .venv/bin/python bench/rss_phases.py [SCENARIO ...]
"""

from __future__ import annotations

import sys

import harness
import loadgen
import run
import scenarios

DEFAULT = ["client_credentials", "get_me", "list_buyer_users", "password_grant"]


def main(names: list[str]) -> int:
    settings = loadgen.LoadSettings(concurrency=32, duration_s=4, warmup_s=1)
    gen = loadgen.detect("auto")
    with harness.fresh_database(None) as db, harness.gatehouse_server(db, 2) as server:
        print("idle", server.rss_mb()["workers_mb"], flush=True)
        loaded = any(s.needs_loaded for s in scenarios.SCENARIOS if s.name in names)
        chosen = scenarios.select(names, loaded=loaded)
        fixture = run.prepare(server, db, loaded, {})
        print("after set-up", server.rss_mb()["workers_mb"], flush=True)
        for scenario in chosen:
            result = loadgen.run(gen, scenario.request(fixture), settings)
            rss = server.rss_mb()["workers_mb"]
            print(f"after {scenario.name} ({result.requests_per_s:.0f}/s)", rss, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or DEFAULT))
