"""Fallback load generator used when wrk is not installed: raw asyncio HTTP/1.1.

Run by ``loadgen.py`` as its own process (``python bench/pyload.py '<json spec>'``).
It speaks just enough HTTP/1.1 over keep-alive connections (Content-Length or chunked
responses) to stay much cheaper per request than a full client such as httpx; on a
small machine a heavier client would measure itself rather than the server. It prints
one ``BENCH_JSON`` line shaped like the wrk scripts' summary.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Stats:
    """Shared by all connection tasks (one event loop, so no locking)."""

    latencies_us: list[float] = field(default_factory=list)
    bytes: int = 0
    connect: int = 0
    read: int = 0
    write: int = 0
    timeout: int = 0
    non_2xx: int = 0
    first_non_2xx_status: int = 0


@dataclass(frozen=True)
class Plan:
    """Where to send what, and the measurement window on the monotonic clock."""

    host: str
    port: int
    payload: bytes
    measure_from: float
    stop_at: float
    timeout_s: float


def build_payload(method: str, url: str, headers: dict[str, str], body: str) -> bytes:
    """Encode the request once: every request on every connection is identical."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target or '/'} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    data = body.encode()
    if data or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


async def read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Return (status, bytes read, keep-alive) for one response."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    size = len(head)
    if "content-length" in headers:
        size += len(await reader.readexactly(int(headers["content-length"])))
    elif headers.get("transfer-encoding") == "chunked":
        size += await read_chunked(reader)
    else:
        size += len(await reader.read())
        return status, size, False
    return status, size, headers.get("connection") != "close"


async def read_chunked(reader: asyncio.StreamReader) -> int:
    """Consume a chunked body; only its size matters here."""
    total = 0
    while True:
        length = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        total += len(await reader.readexactly(length + 2))
        if length == 0:
            return total


def record(stats: Stats, plan: Plan, started: float, status: int, size: int) -> None:
    """Count a response sent after warm-up and completed inside the window, as wrk does."""
    finished = time.monotonic()
    if started < plan.measure_from or finished > plan.stop_at:
        return
    stats.latencies_us.append((finished - started) * 1e6)
    stats.bytes += size
    if not 200 <= status <= 299:
        stats.non_2xx += 1
        stats.first_non_2xx_status = stats.first_non_2xx_status or status


async def connection(plan: Plan, stats: Stats) -> None:
    """One keep-alive connection sending requests back to back, like a wrk connection."""
    while time.monotonic() < plan.stop_at:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(plan.host, plan.port), plan.timeout_s
            )
        except (OSError, TimeoutError):
            stats.connect += 1
            await asyncio.sleep(0.01)
            continue
        try:
            await _requests(reader, writer, plan, stats)
        finally:
            writer.close()


async def _requests(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, plan: Plan, stats: Stats
) -> None:
    keep_alive = True
    while keep_alive and time.monotonic() < plan.stop_at:
        started = time.monotonic()
        try:
            writer.write(plan.payload)
            await writer.drain()
        except OSError:
            stats.write += 1
            return
        try:
            status, size, keep_alive = await asyncio.wait_for(read_response(reader), plan.timeout_s)
        except TimeoutError:
            stats.timeout += 1
            return
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            stats.read += 1
            return
        record(stats, plan, started, status, size)


def percentile(sorted_us: list[float], pct: float) -> float:
    if not sorted_us:
        return 0.0
    return sorted_us[min(len(sorted_us) - 1, int(len(sorted_us) * pct / 100))]


def summary(stats: Stats, measured_s: float) -> dict[str, Any]:
    """Shape the result exactly like common.lua's ``done()`` output."""
    lat = sorted(stats.latencies_us)
    mean = sum(lat) / len(lat) if lat else 0.0
    stdev = (sum((x - mean) ** 2 for x in lat) / len(lat)) ** 0.5 if lat else 0.0
    return {
        "requests": len(lat),
        "duration_us": int(measured_s * 1e6),
        "bytes": stats.bytes,
        "errors": {
            "connect": stats.connect,
            "read": stats.read,
            "write": stats.write,
            "status": stats.non_2xx,
            "timeout": stats.timeout,
        },
        "non_2xx": stats.non_2xx,
        "first_non_2xx_status": stats.first_non_2xx_status,
        "latency_us": {
            "p50": percentile(lat, 50),
            "p90": percentile(lat, 90),
            "p99": percentile(lat, 99),
            "max": lat[-1] if lat else 0.0,
            "mean": mean,
            "stdev": stdev,
        },
    }


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    req, cfg = spec["request"], spec["settings"]
    parts = urlsplit(req["url"])
    if parts.hostname != "127.0.0.1":
        raise SystemExit(f"refusing to load a non-loopback URL: {req['url']}")
    now = time.monotonic()
    plan = Plan(
        host=parts.hostname,
        port=parts.port or 80,
        payload=build_payload(req["method"], req["url"], req["headers"], req["body"]),
        measure_from=now + cfg["warmup_s"],
        stop_at=now + cfg["warmup_s"] + cfg["duration_s"],
        timeout_s=cfg["timeout_s"],
    )
    stats = Stats()
    tasks = [asyncio.create_task(connection(plan, stats)) for _ in range(cfg["concurrency"])]
    await asyncio.sleep(max(0.0, plan.stop_at - time.monotonic()))
    # Like wrk: stop at the deadline and drop what is still in flight.
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return summary(stats, plan.stop_at - plan.measure_from)


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Use uvloop when present: the generator should cost as little CPU as possible."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main(spec))
    return uvloop.run(main(spec))


if __name__ == "__main__":
    print("BENCH_JSON " + json.dumps(run(json.loads(sys.argv[1]))), flush=True)
