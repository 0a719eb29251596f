"""A real ``gatehouse serve --workers 2``: the per-client counts add up exactly across both
worker processes, in ``/metrics`` (prometheus_client multiprocess mode, whichever worker
answers the scrape) and in the JSON usage (each worker's flushes into ``client_usage``)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.support.server import gatehouse, server

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
PASSWORD = "B00tstrapPassword"
REQUESTS = 20


@pytest.fixture
def two_workers(fresh_database_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A 2-worker server; ``serve`` makes its metrics directory under ``TMPDIR`` (here
    ``tmp_path/tmp``), and removes it when it stops."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        "GATEHOUSE_BOOTSTRAP_USERNAME": "admin",
        "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD,
        "GATEHOUSE_USAGE_FLUSH_SECONDS": "0.2",
        "TMPDIR": str(temp),
    }
    with server(fresh_database_url, workers=2, env=env) as (base, _process):
        created = gatehouse(
            "marketplace", "create", "--name", "Workers", "--admin-username", "w",
            "--admin-password", PASSWORD, "--json", "--database-url", fresh_database_url,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        [directory] = temp.glob("gatehouse-metrics-*")
        yield base, json.loads(created.stdout)
        assert len(list(directory.glob("counter_*.db"))) == 2
    assert not directory.exists()


def scrape(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = httpx.get(f"{base}/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def token(base: str, client_id: str, password: str) -> httpx.Response:
    # A new connection each time, so the kernel spreads the requests over both workers.
    with httpx.Client(headers={"Connection": "close"}) as http:
        return http.post(
            f"{base}/oauth/token",
            data={
                "grant_type": "password",
                "client_id": client_id,
                "username": "w",
                "password": password,
            },
        )


def outcomes(base: str, client_id: str) -> list[bool]:
    """``REQUESTS`` password logins, every fourth with a wrong password (a right one clears
    the failure count, so nobody is locked out); whether each was issued."""
    issued = []
    for i in range(REQUESTS):
        response = token(base, client_id, PASSWORD if i % 4 else "Wr0ngPassword!")
        assert response.status_code in (200, 400), response.text
        issued.append(response.status_code == 200)
    return issued


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


async def test_counts_from_both_workers_add_up(two_workers: tuple[str, dict[str, str]]) -> None:
    base, marketplace = two_workers
    client_id = marketplace["ApiClientID"]
    issued = sum(outcomes(base, client_id))
    ok = labels(client_id=client_id, grant_type="password", outcome="issued")
    refused = labels(
        client_id=client_id, grant_type="password", outcome="Auth.InvalidUsernameOrPassword"
    )
    for _ in range(10):  # scrapes land on either worker: each must see every count
        samples = scrape(base)
        assert samples[("gatehouse_token_requests_total", ok)] == issued
        assert samples[("gatehouse_token_requests_total", refused)] == REQUESTS - issued
        count = ("gatehouse_token_request_duration_seconds_count", labels(grant_type="password"))
        assert samples[count] == REQUESTS

    admin = token(base, client_id, PASSWORD).json()["access_token"]
    deadline = time.monotonic() + 10
    while True:  # each worker flushes its counts every 0.2 s
        usage = httpx.get(
            f"{base}/gatehouse/apiclients/{client_id}/usage",
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert usage.status_code == 200, usage.text
        by_outcome = usage.json()["Tokens"]["ByOutcome"]
        if sum(by_outcome.values()) >= REQUESTS + 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert by_outcome == {
        "issued": issued + 1,
        "Auth.InvalidUsernameOrPassword": REQUESTS - issued,
    }
    assert usage.json()["Tokens"]["ByGrantType"] == {"password": REQUESTS + 1}


def issued_per_worker(directory: Path, scratch: Path, client_id: str) -> list[float]:
    """Each worker's own count of issued password tokens, read from its file alone."""
    found = []
    for file in sorted(directory.glob("counter_*.db")):
        alone = scratch / file.stem
        alone.mkdir(parents=True)
        shutil.copy(file, alone / file.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
        value = registry.get_sample_value(
            "gatehouse_token_requests_total",
            {"client_id": client_id, "grant_type": "password", "outcome": "issued"},
        )
        found.append(value or 0.0)
    return found


async def test_both_workers_served_and_each_counted_its_own(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """With the operator's own ``PROMETHEUS_MULTIPROC_DIR`` the per-process files can be read
    one by one: both workers served some of the requests, and their counts sum to all."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {
        "GATEHOUSE_BOOTSTRAP_USERNAME": "admin",
        "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
    }
    with server(fresh_database_url, workers=2, env=env) as (base, _process):
        created = gatehouse(
            "marketplace", "create", "--name", "Workers", "--admin-username", "w",
            "--admin-password", PASSWORD, "--json", "--database-url", fresh_database_url,
        )  # fmt: skip
        client_id = json.loads(created.stdout)["ApiClientID"]
        issued = sum(outcomes(base, client_id))
        # Which worker accepts a connection is the kernel's choice: keep sending (new
        # connections each time) until both have issued some, as they will.
        for attempt in range(10):  # 5 wrong passwords a round: stays under 100 an hour
            per_worker = issued_per_worker(directory, tmp_path / f"read-{attempt}", client_id)
            if len(per_worker) == 2 and all(value > 0 for value in per_worker):
                break
            issued += sum(outcomes(base, client_id))
        total = scrape(base)
    per_worker = issued_per_worker(directory, tmp_path / "final", client_id)
    assert len(per_worker) == 2
    assert all(value > 0 for value in per_worker), per_worker
    assert sum(per_worker) == issued
    ok = labels(client_id=client_id, grant_type="password", outcome="issued")
    assert total[("gatehouse_token_requests_total", ok)] == issued
