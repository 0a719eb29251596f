"""Peer OAuth2 servers under the same load settings: ``python bench/peers.py``.

Runs the peers one at a time, with the same load generator, concurrency, duration, warm-up
and repeats as ``run.py``, so their numbers sit next to Gatehouse's: node-oidc-provider
(``shared/bench-peers`` beside the repository's parent: see ``peers_dir``),
django-oauth-toolkit (``bench/peer_apps/dot_app.py``) and Authlib + Flask
(``bench/peer_apps/authlib_app.py``). Every peer serves ``client_credentials`` with HTTP
Basic; the DOT and Authlib peers also serve the ``refresh_token`` grant and an authenticated
resource read (``GET /me``), so those run side by side too (``PEER_SCENARIOS``).
node-oidc-provider issues no refresh token for client_credentials (only with authorization
codes, which need an interactive login) and serves userinfo only for OpenID user tokens, so
it runs client_credentials only. Packages install into a scratch dir under /tmp (never in
the workspace that holds the repository): the peers' dependencies must not leak into the
repo or its venv.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness
import loadgen
import report
from scenarios import FORM, Request

PEERS_DIR_ENV = "GATEHOUSE_BENCH_PEERS_DIR"
PEERS_SUBDIR = Path("shared") / "bench-peers"
PEER_APPS = Path(__file__).resolve().parent / "peer_apps"
SCRATCH = Path("/tmp/gatehouse-bench-peers")
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret-0123456789abcdef0123456789abcdef"  # the peers' own fixture
BODY = "grant_type=client_credentials&scope=read"
REFRESH_TOKEN = "bench-refresh-0123456789abcdef0123456789abcdef"  # authlib_app.py's fixture
REFRESH_BODY = f"grant_type=refresh_token&refresh_token={REFRESH_TOKEN}"
JWT_CHECK = "JWT signature and claims checked, nothing read"
PEER_SCENARIOS = ("client_credentials", "refresh_token", "get_me")
"""Gatehouse scenarios that have a peer counterpart (same name in the peer records)."""
PY_PACKAGES = ["django-oauth-toolkit", "authlib", "flask", "gunicorn"]


@dataclass(frozen=True)
class Peer:
    """One peer configuration; ``kind`` picks how it is started (node, dot or authlib)."""

    name: str
    kind: str
    token_path: str
    env: Mapping[str, str] = field(default_factory=dict)
    me_path: str = ""
    """An authenticated resource read (bearer from the refresh grant), when the peer has one."""
    me_check: str = ""
    """What the peer's ``GET /me`` verifies, for the printed label."""
    refresh_client_id: str = CLIENT_ID
    """DOT refreshes only for password-grant applications: a second client, same secret."""

    @property
    def scenarios(self) -> tuple[str, ...]:
        """What this peer can serve, in ``PEER_SCENARIOS`` order."""
        return PEER_SCENARIOS if self.me_path else ("client_credentials",)


PEERS: list[Peer] = [
    *(
        Peer(
            f"oidc-provider-{fmt}-{alg}",
            "node",
            "/token",
            {"AT_FORMAT": fmt, "AT_ALG": alg, "NODE_ENV": "production"},
        )
        for fmt, alg in (("jwt", "RS256"), ("jwt", "ES256"), ("jwt", "EdDSA"), ("opaque", "RS256"))
    ),
    *(
        Peer(
            f"dot-hashsecret{hashed}",
            "dot",
            "/o/token/",
            {"DOT_HASH_SECRET": hashed},
            me_path="/me",
            me_check="token row looked up with its user",
            refresh_client_id="bench-refresh-client",
        )
        for hashed in ("1", "0")
    ),
    Peer(
        "authlib-jwt-RS256",
        "authlib",
        "/token",
        {"AT_ALG": "RS256"},
        me_path="/me",
        me_check=JWT_CHECK,
    ),
    Peer(
        "authlib-jwt-ES256",
        "authlib",
        "/token",
        {"AT_ALG": "ES256"},
        me_path="/me",
        me_check=JWT_CHECK,
    ),
]


def peers_dir(start: Path | None = None) -> Path:
    """The peers' sources: ``GATEHOUSE_BENCH_PEERS_DIR`` if set, else the first
    ``shared/bench-peers`` found walking up from this file (the shared folder sits beside the
    repository's parent, wherever the checkout lives)."""
    override = os.environ.get(PEERS_DIR_ENV)
    if override:
        found = Path(override).expanduser().resolve()
        if not found.is_dir():
            raise SystemExit(f"{PEERS_DIR_ENV}={override}: not a directory")
        return found
    here = (start or Path(__file__)).resolve()
    for parent in here.parents:
        if (parent / PEERS_SUBDIR).is_dir():
            return parent / PEERS_SUBDIR
    raise SystemExit(
        f"no {PEERS_SUBDIR} found above {here.parent}; set {PEERS_DIR_ENV} or --peers-dir"
    )


def workspace() -> Path:
    """The folder that holds the repository and the shared folder (e.g. /work for /work/main
    or /work/wt/x): installs must stay out of it. Without a shared folder, the repo's parent."""
    repo = Path(__file__).resolve().parent.parent
    for parent in repo.parents:
        if (parent / PEERS_SUBDIR).is_dir():
            return parent
    return repo.parent


def scratch_dir(path: Path) -> Path:
    """Refuse any scratch location inside the workspace: installs must stay out of the repo."""
    resolved = path.resolve()
    root = workspace()
    if resolved == root or root in resolved.parents:
        raise SystemExit(f"scratch dir must not be under {root}: {resolved}")
    resolved.mkdir(parents=True, exist_ok=True)
    return resolved


def install(scratch: Path, source: Path, kinds: set[str]) -> None:
    """npm and pip into the scratch dir, skipped when already there (reruns are cheap)."""
    if "node" in kinds:
        node = scratch / "node"
        node.mkdir(exist_ok=True)
        shutil.copy(source / "oidc-provider" / "package.json", node)
        shutil.copy(source / "oidc-provider" / "server.mjs", node)
        if not (node / "node_modules" / "oidc-provider").is_dir():
            _run(["npm", "install", "--no-audit", "--no-fund"], node, 600)
    if kinds & {"dot", "authlib"}:
        if not (scratch / "venv" / "bin" / "gunicorn").exists():
            _run([sys.executable, "-m", "venv", str(scratch / "venv")], scratch, 300)
            _run(
                [str(scratch / "venv" / "bin" / "pip"), "install", "-q", *PY_PACKAGES], scratch, 600
            )
        (scratch / "py").mkdir(exist_ok=True)
        shutil.copy(PEER_APPS / "dot_app.py", scratch / "py")
        shutil.copy(PEER_APPS / "authlib_app.py", scratch / "py")


def _run(argv: list[str], cwd: Path, timeout: float, env: Mapping[str, str] | None = None) -> None:
    proc = subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(env) if env is not None else None,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")


def command(peer: Peer, scratch: Path, port: int, workers: int) -> tuple[list[str], Path]:
    """argv and working directory; gunicorn gets the same worker count as Gatehouse."""
    if peer.kind == "node":
        return ["node", "server.mjs"], scratch / "node"
    gunicorn = str(scratch / "venv" / "bin" / "gunicorn")
    common = [
        "-w",
        str(workers),
        "-b",
        f"{harness.LOOPBACK}:{port}",
        "--access-logfile",
        "/dev/null",
    ]
    if peer.kind == "dot":
        return [gunicorn, *common, "dot_app:application"], scratch / "py"
    # --preload: one signing key shared by every worker.
    return [gunicorn, "--preload", *common, "authlib_app:app"], scratch / "py"


def peer_env(peer: Peer, scratch: Path, port: int) -> dict[str, str]:
    return {**os.environ, **peer.env, "PORT": str(port), "DOT_DB": str(scratch / "dot.sqlite3")}


def prepare(peer: Peer, scratch: Path, env: Mapping[str, str]) -> None:
    """DOT needs its SQLite schema and client before it starts."""
    if peer.kind == "dot":
        (scratch / "dot.sqlite3").unlink(missing_ok=True)
        _run(
            [str(scratch / "venv" / "bin" / "python"), "dot_app.py", "setup"],
            scratch / "py",
            120,
            env,
        )


def token_request(url: str, body: str = BODY, client_id: str = CLIENT_ID) -> Request:
    basic = base64.b64encode(f"{client_id}:{CLIENT_SECRET}".encode()).decode()
    return Request(
        method="POST",
        url=url,
        body=body,
        wrk_script="form_post.lua",
        headers={"Authorization": f"Basic {basic}", "Content-Type": FORM},
    )


def scenario_request(peer: Peer, base: str, scenario: str) -> tuple[str, Request]:
    """The peer's counterpart of a Gatehouse scenario: (label, request)."""
    token_url = base + peer.token_path
    if scenario == "client_credentials":
        label = f"POST {peer.token_path} (grant_type=client_credentials, Basic)"
        return label, token_request(token_url)
    refresh = token_request(token_url, REFRESH_BODY, peer.refresh_client_id)
    if scenario == "refresh_token":
        return f"POST {peer.token_path} (grant_type=refresh_token, Basic)", refresh
    status, raw = harness.http_request(
        refresh.method, refresh.url, refresh.body, refresh.headers, timeout=60
    )
    if status != 200:
        raise RuntimeError(f"refresh grant for the {scenario} token: HTTP {status}")
    token = json.loads(raw)["access_token"]
    label = f"GET {peer.me_path} (Bearer, refresh-grant token; {peer.me_check})"
    return label, Request(
        method="GET",
        url=base + peer.me_path,
        body="",
        wrk_script="bearer_get.lua",
        headers={"Authorization": f"Bearer {token}"},
    )


def check_once(name: str, request: Request) -> None:
    """One request before the load, so a broken peer scenario fails instead of timing errors."""
    # generous: a slow peer (PBKDF2 secrets) may still be working off the previous load
    status, raw = harness.http_request(
        request.method, request.url, request.body, request.headers, timeout=60
    )
    if status != 200:
        raise RuntimeError(f"{name}: expected HTTP 200, got {status}: {raw[:200]!r}")


def wait_ready(proc: subprocess.Popen[bytes], request: Request, timeout_s: float = 60) -> None:
    """Ready means one token request succeeds, which also validates the set-up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"peer exited with {proc.returncode}")
        status, _ = harness.http_request(
            request.method, request.url, request.body, request.headers, timeout=15
        )
        if status == 200:
            return
        time.sleep(0.3)
    raise RuntimeError(f"peer not ready after {timeout_s:.0f} s")


def run_peer(
    peer: Peer,
    scratch: Path,
    gen: loadgen.Generator,
    settings: loadgen.LoadSettings,
    workers: int,
    wanted: tuple[str, ...],
) -> list[tuple[str, str, loadgen.LoadResult]]:
    """Start one peer in its own process group, load each wanted scenario it serves (one
    after another, same process), and always stop it: [(scenario, label, result)]."""
    port = harness.free_port()
    env = peer_env(peer, scratch, port)
    prepare(peer, scratch, env)
    argv, cwd = command(peer, scratch, port, workers)
    with (scratch / f"{peer.name}.log").open("wb") as log:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://{harness.LOOPBACK}:{port}"
    try:
        wait_ready(proc, token_request(base + peer.token_path))
        results = []
        for scenario in (s for s in peer.scenarios if s in wanted):
            label, request = scenario_request(peer, base, scenario)
            check_once(f"{peer.name} {scenario}", request)
            results.append((scenario, label, loadgen.run(gen, request, settings)))
        return results
    finally:
        harness.stop_process_group(proc)


def run_all(
    gen: loadgen.Generator,
    settings: loadgen.LoadSettings,
    workers: int,
    host: report.Machine,
    names: list[str] | None = None,
    scratch: Path = SCRATCH,
    source: Path | None = None,
    scenarios: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Every selected peer, one after another, for every wanted scenario it serves (default
    client_credentials only); a failing peer is reported, not fatal."""
    wanted = tuple(scenarios) if scenarios is not None else ("client_credentials",)
    chosen = [p for p in PEERS if (not names or p.name in names) and set(p.scenarios) & set(wanted)]
    scratch = scratch_dir(scratch)
    install(scratch, source or peers_dir(), {p.kind for p in chosen})
    print(f"\n# peers: {', '.join(wanted)} (HTTP Basic), installed under {scratch}")
    records: list[dict[str, Any]] = []
    for peer in chosen:
        peer_workers = 1 if peer.kind == "node" else workers
        ctx = report.Context(
            target=peer.name,
            workers=peer_workers,
            concurrency=settings.concurrency,
            duration_s=settings.duration_s,
            warmup_s=settings.warmup_s,
            load_generator=gen.describe(settings),
            database="sqlite" if peer.kind == "dot" else "none",
        )
        try:
            results = run_peer(peer, scratch, gen, settings, workers, wanted)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            print(f"\n== {peer.name}: FAILED: {exc}")
            records.append({"name": peer.name, "error": str(exc)})
            continue
        for scenario, label, result in results:
            report.print_result(f"{peer.name} {scenario}", label, ctx, host, result)
            records.append(
                {
                    "name": peer.name,
                    "scenario": scenario,
                    "label": label,
                    "workers": peer_workers,
                    **result.as_json(),
                }
            )
    return records


def main(argv: list[str] | None = None) -> int:
    import run

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    run.add_load_args(p)
    p.add_argument(
        "--peer",
        action="append",
        metavar="NAME",
        help=f"run only these (repeatable): {[x.name for x in PEERS]}",
    )
    p.add_argument(
        "--scenario",
        action="append",
        choices=PEER_SCENARIOS,
        help="peer scenarios to run (repeatable; default all that each peer serves)",
    )
    p.add_argument("--scratch", type=Path, default=SCRATCH, help=f"install dir ({SCRATCH})")
    p.add_argument(
        "--peers-dir",
        type=Path,
        default=None,
        help=f"sources (default: ${PEERS_DIR_ENV}, else {PEERS_SUBDIR} found above the repo)",
    )
    args = p.parse_args(argv)
    run.check_bounds(p, args)
    settings = run.load_settings(args)
    gen = loadgen.detect(args.load_generator)
    host = report.machine()
    stamp = datetime.now(UTC)
    with harness.signals_as_exit():
        records = run_all(
            gen,
            settings,
            args.workers,
            host,
            args.peer,
            args.scratch,
            args.peers_dir,
            scenarios=args.scenario or list(PEER_SCENARIOS),
        )
    if not args.no_save:
        payload = {
            "timestamp": stamp.isoformat(timespec="seconds"),
            "machine": host.as_json(),
            "settings": {
                **settings.__dict__,
                "workers": args.workers,
                "load_generator": gen.describe(settings),
            },
            "peers": records,
        }
        print(f"\nresults written to {report.write_json(stamp, payload, '-peers')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
