"""Drive load from a separate process: wrk when installed, else ``pyload.py``.

The load generator always runs in its own process so that its CPU use is visible
and never shares an event loop or GIL with the server under test.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scenarios import Request

BENCH_DIR = Path(__file__).resolve().parent
WRK_DIR = BENCH_DIR / "wrk"
MARKER = "BENCH_JSON "
"""Prefix of the one summary line the wrk scripts and pyload.py print."""


@dataclass(frozen=True)
class LoadSettings:
    """The knobs every scenario (and every peer) is run with."""

    concurrency: int
    duration_s: float
    warmup_s: float
    wrk_threads: int = 1
    timeout_s: float = 10.0
    repeat: int = 1
    """Measured runs per scenario (each after its own warm-up); reports give their median."""


@dataclass(frozen=True)
class LoadResult:
    """One measured run, normalised so wrk and pyload results compare directly."""

    requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    socket_errors: int
    """Connect, read, write and timeout errors: requests that got no response."""
    non_2xx: int
    first_non_2xx_status: int
    repeats: int = 1
    """How many measured runs this result summarises (``--repeat``): every latency and rate
    above is then the median over the runs, and the error counts are their sums."""
    runs_requests_per_s: tuple[float, ...] = ()
    """Each run's requests/s, to show the spread behind the median."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Generator:
    """Which load generator is used, and how it reports itself."""

    kind: str
    """``wrk`` or ``pyload``."""
    version: str
    path: str

    def describe(self, settings: LoadSettings) -> str:
        if self.kind == "wrk":
            return f"{self.version} (-t{settings.wrk_threads} -c{settings.concurrency} --latency)"
        return f"{self.version} (built-in raw asyncio, own process, {settings.concurrency} conns)"


def detect(prefer: str) -> Generator:
    """Use wrk unless absent or ``prefer == 'python'``; the fallback is always available."""
    wrk = shutil.which("wrk")
    if prefer == "wrk" and wrk is None:
        raise SystemExit("--load-generator wrk: wrk is not installed (apt-get install -y wrk)")
    if wrk is not None and prefer in ("auto", "wrk"):
        return Generator("wrk", _wrk_version(wrk), wrk)
    version = f"pyload (Python {sys.version.split()[0]})"
    return Generator("pyload", version, str(BENCH_DIR / "pyload.py"))


def _wrk_version(wrk: str) -> str:
    # `wrk -v` prints its banner and exits non-zero; that is expected.
    proc = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)
    banner = (proc.stdout or proc.stderr).strip().splitlines()
    return banner[0].split(" Copyright")[0] if banner else "wrk (unknown version)"


def run(gen: Generator, request: Request, settings: LoadSettings) -> LoadResult:
    """``settings.repeat`` measured runs, summarised by their median (one run: itself)."""
    runs = [run_once(gen, request, settings) for _ in range(max(1, settings.repeat))]
    return median_result(runs)


def median_result(runs: list[LoadResult]) -> LoadResult:
    """Per-field medians of the runs; errors are summed so that none hides behind a median."""
    if len(runs) == 1:
        return runs[0]

    def med(name: str) -> float:
        values: list[float] = [getattr(r, name) for r in runs]
        return round(statistics.median(values), 2)

    return LoadResult(
        requests=round(statistics.median(r.requests for r in runs)),
        duration_s=med("duration_s"),
        requests_per_s=med("requests_per_s"),
        p50_ms=med("p50_ms"),
        p90_ms=med("p90_ms"),
        p99_ms=med("p99_ms"),
        max_ms=med("max_ms"),
        mean_ms=med("mean_ms"),
        socket_errors=sum(r.socket_errors for r in runs),
        non_2xx=sum(r.non_2xx for r in runs),
        first_non_2xx_status=next((r.first_non_2xx_status for r in runs if r.non_2xx), 0),
        repeats=len(runs),
        runs_requests_per_s=tuple(r.requests_per_s for r in runs),
    )


def run_once(gen: Generator, request: Request, settings: LoadSettings) -> LoadResult:
    """Warm up (results discarded), then measure once; drain after each run."""
    _check_loopback(request.url)
    if gen.kind == "wrk":
        if settings.warmup_s > 0:
            _drain(_parse(_run_wrk(gen.path, request, settings, settings.warmup_s)), settings)
        result = _parse(_run_wrk(gen.path, request, settings, settings.duration_s))
    else:
        result = _parse(_run_pyload(gen.path, request, settings))
    _drain(result, settings)
    return result


def _drain(result: LoadResult, settings: LoadSettings) -> None:
    """Wait out the requests the generator abandoned when it stopped.

    wrk stops with up to ``concurrency`` requests in flight; a slow endpoint (the
    password grant's argon2id) keeps working on them, and that work would otherwise be
    charged to the next run. They finish within about one worst-case latency (the
    generator's timeout when nothing completed at all, e.g. DOT's PBKDF2 secrets).
    """
    worst_s = settings.timeout_s if result.requests == 0 else result.max_ms / 1000
    time.sleep(min(worst_s, settings.timeout_s) + 0.5)


def _check_loopback(url: str) -> None:
    """The bench must never send load anywhere but this machine."""
    if urlsplit(url).hostname != "127.0.0.1":
        raise SystemExit(f"refusing to load a non-loopback URL: {url}")


def _wrk_env(request: Request) -> dict[str, str]:
    return {**os.environ, "BENCH_METHOD": request.method, "BENCH_BODY": request.body}


def _run_wrk(wrk: str, request: Request, settings: LoadSettings, seconds: float) -> str:
    argv = [
        wrk,
        f"-t{settings.wrk_threads}",
        f"-c{settings.concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        f"--timeout={round(settings.timeout_s)}s",
        "-s",
        str(WRK_DIR / request.wrk_script),
    ]
    for name, value in request.headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(request.url)
    return _check_output(argv, _wrk_env(request), seconds + settings.timeout_s + 30)


def _run_pyload(script: str, request: Request, settings: LoadSettings) -> str:
    spec = {"request": asdict(request), "settings": asdict(settings)}
    argv = [sys.executable, script, json.dumps(spec)]
    budget = settings.warmup_s + settings.duration_s + settings.timeout_s + 30
    return _check_output(argv, dict(os.environ), budget)


def _check_output(argv: list[str], env: dict[str, str], timeout: float) -> str:
    """Run the generator with a hard time limit so a stuck run cannot hang the bench."""
    proc = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return proc.stdout


def _parse(output: str) -> LoadResult:
    """Read the summary line; both generators print the same wrk-shaped JSON."""
    lines = [ln for ln in output.splitlines() if ln.startswith(MARKER)]
    if not lines:
        raise RuntimeError(f"no {MARKER.strip()} line in load generator output:\n{output}")
    raw: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
    errors: dict[str, int] = raw["errors"]
    lat: dict[str, float] = raw["latency_us"]
    duration_s = raw["duration_us"] / 1e6
    return LoadResult(
        requests=raw["requests"],
        duration_s=round(duration_s, 3),
        requests_per_s=round(raw["requests"] / duration_s, 1) if duration_s else 0.0,
        p50_ms=round(lat["p50"] / 1000, 2),
        p90_ms=round(lat["p90"] / 1000, 2),
        p99_ms=round(lat["p99"] / 1000, 2),
        max_ms=round(lat["max"] / 1000, 2),
        mean_ms=round(lat["mean"] / 1000, 2),
        socket_errors=sum(errors[k] for k in ("connect", "read", "write", "timeout")),
        non_2xx=raw["non_2xx"],
        first_non_2xx_status=raw["first_non_2xx_status"],
    )
