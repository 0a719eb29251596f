"""Issue 10 item 10: several server processes on one database, as behind a load balancer.

- First start: nodes starting at once on an empty database create one marketplace and one
  signing key between them.
- Key rotation: publish first, sign later. Every token either node issues carries a kid that
  the other node already publishes (``/oauth/certs/{kid}``, JWKS) and accepts, through the
  whole rotation, and neither signs with the new key before the time ``keys rotate`` gave.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import text

from gatehouse.settings import Settings
from gatehouse.storage.db import create_engine
from tests.support.server import free_port, gatehouse, login, server, stop

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
PASSWORD = "B00tstrapPassword"
REFRESH = "2"
ACTIVATE_IN = "8"
ENV = {
    "GATEHOUSE_BASE_URL": "http://gatehouse.test",
    "GATEHOUSE_BOOTSTRAP_USERNAME": "admin",
    "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD,
    "GATEHOUSE_KEY_REFRESH_SECONDS": REFRESH,
}


@contextmanager
def _started_together(url: str, count: int) -> Iterator[list[tuple[str, str]]]:
    """``count`` servers launched at the same instant; yields (base URL, output) once all
    are healthy and stopped."""
    processes = []
    for _ in range(count):
        port = free_port()
        command = [sys.executable, "-m", "gatehouse", "serve", "--port", str(port),
                   "--database-url", url]  # fmt: skip
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **ENV}, start_new_session=True,
        )  # fmt: skip
        processes.append((f"http://127.0.0.1:{port}", process))
    try:
        for base, process in processes:
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, stop(process)
                try:
                    if httpx.get(f"{base}/gatehouse/health/ready", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "not ready"
                time.sleep(0.2)
        yield [(base, "") for base, _ in processes]
    finally:
        for _, process in processes:
            stop(process)


_COUNTS = {
    "marketplaces": "SELECT count(*) FROM marketplaces",
    "signing_keys": "SELECT count(*) FROM signing_keys",
}


async def _count(url: str, table: str) -> int:
    engine = create_engine(Settings(database_url=url).effective_database_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(_COUNTS[table]))).scalar_one())
    finally:
        await engine.dispose()


async def test_nodes_starting_together_bootstrap_once(fresh_database_url: str) -> None:
    with _started_together(fresh_database_url, 3):
        pass
    assert await _count(fresh_database_url, "marketplaces") == 1
    assert await _count(fresh_database_url, "signing_keys") == 1


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def _check_across(issuer: str, verifier: str, client_id: str) -> dict[str, Any]:
    """A token from ``issuer``, then what ``verifier`` says of its kid and of the token."""
    token = login(issuer, client_id, "n", PASSWORD).json()["access_token"]
    kid = _kid(token)
    jwks = httpx.get(f"{verifier}/.well-known/jwks.json").json()
    return {
        "at": datetime.now(UTC),
        "issuer": issuer,
        "kid": kid,
        "certs": httpx.get(f"{verifier}/oauth/certs/{kid}").status_code,
        "jwks": kid in {key["kid"] for key in jwks["keys"]},
        "me": httpx.get(
            f"{verifier}/v1/me", headers={"Authorization": f"Bearer {token}"}
        ).status_code,
    }


def _jwks_kids(base: str) -> set[str]:
    return {key["kid"] for key in httpx.get(f"{base}/.well-known/jwks.json").json()["keys"]}


async def test_key_rotation_publishes_on_every_node_before_any_signs(
    fresh_database_url: str,
) -> None:
    with ExitStack() as stack:
        a, _ = stack.enter_context(server(fresh_database_url, env=ENV))
        b, _ = stack.enter_context(server(fresh_database_url, env=ENV))
        created = gatehouse(
            "marketplace", "create", "--name", "N", "--admin-username", "n",
            "--admin-password", PASSWORD, "--json", "--database-url", fresh_database_url,
        )  # fmt: skip
        client_id = json.loads(created.stdout)["ApiClientID"]
        old_kid = _kid(login(a, client_id, "n", PASSWORD).json()["access_token"])
        for base in (a, b):  # both nodes have loaded the key set just now
            assert _jwks_kids(base) == {old_kid}
        command_at = datetime.now(UTC)
        rotated = gatehouse(
            "keys", "rotate", "--activate-in", ACTIVATE_IN, "--database-url", fresh_database_url,
            env={"GATEHOUSE_KEY_REFRESH_SECONDS": REFRESH},
        )  # fmt: skip
        assert rotated.returncode == 0, rotated.stderr
        new_kid = rotated.stdout.splitlines()[0].rsplit(" ", 1)[-1]
        signs_from = datetime.fromisoformat(rotated.stdout.split("signs from ", 1)[1].split(" ")[0])
        time.sleep(float(REFRESH) + 0.5)  # every node has re-read the keys by now...
        assert (signs_from - datetime.now(UTC)).total_seconds() > 1, "machine too slow"
        published_early = all(new_kid in _jwks_kids(base) for base in (a, b))
        checks = []
        switched: set[str] = set()
        while len(switched) < 2 and (datetime.now(UTC) - signs_from).total_seconds() < 15:
            for issuer, verifier in ((a, b), (b, a)):
                check = _check_across(issuer, verifier, client_id)
                checks.append(check)
                if check["kid"] == new_kid:
                    switched.add(issuer)
    failures = [c for c in checks if c["certs"] != 200 or not c["jwks"] or c["me"] != 200]
    early = [c for c in checks if c["kid"] == new_kid and c["at"] < signs_from]
    first_new = [c["at"] for c in checks if c["kid"] == new_kid]
    print(
        f"rotation: activation announced {(signs_from - command_at).total_seconds():.1f} s "
        f"after the command; new kid on both JWKS before it: {published_early}; "
        f"{len(checks)} cross-node checks, {len(failures)} failures; first new-kid token "
        f"{(min(first_new) - signs_from).total_seconds():.1f} s after the announced time"
    )
    assert published_early  # ...so the new kid is published everywhere before it signs
    assert failures == [] and early == []
    assert switched == {a, b}
    assert {c["kid"] for c in checks} <= {old_kid, new_kid}
