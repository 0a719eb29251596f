"""Drives a real server process through the official JavaScript SDK (``ordercloud-javascript-
sdk`` 12.0.0) and ``@ordercloud/catalyst`` (tests/e2e_js). The Node suite's own assertions
decide; this test fails when any of them fails."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gatehouse.settings import Settings
from gatehouse.storage.db import Database
from gatehouse.storage.models import BuyerRow
from tests.support.server import gatehouse, server

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e, pytest.mark.slow]
SUITE = Path(__file__).parents[1] / "e2e_js"
USERNAME, PASSWORD = "sdk-admin", "Sdk-Passw0rd-1"


def node_suite_ready() -> bool:
    return shutil.which("node") is not None and (SUITE / "node_modules").is_dir()


async def add_buyer(database_url: str, marketplace_id: str) -> str:
    db = Database(Settings(database_url=database_url).effective_database_url)
    try:
        async with db.write() as session:
            session.add(
                BuyerRow(
                    marketplace_id=marketplace_id,
                    id="sdk-buyer",
                    name="SDK Buyer",
                    active=True,
                    created_at=datetime.now(UTC),
                )
            )
    finally:
        await db.dispose()
    return "sdk-buyer"


async def test_official_javascript_sdk_and_catalyst(fresh_database_url: str) -> None:
    if not node_suite_ready():
        if os.environ.get("CI") == "true":
            pytest.fail("Node or tests/e2e_js/node_modules missing: run `npm ci` in tests/e2e_js")
        pytest.skip("Node suite not installed (npm ci in tests/e2e_js)")
    env = {"GATEHOUSE_BOOTSTRAP_USERNAME": USERNAME, "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD}
    with server(fresh_database_url, env=env) as (base, _process):
        created = gatehouse(
            "marketplace",
            "create",
            "--name",
            "SDK",
            "--admin-username",
            "sdk2",
            "--admin-password",
            PASSWORD,
            "--json",
            "--database-url",
            fresh_database_url,
        )
        creds = json.loads(created.stdout)
        buyer = await add_buyer(fresh_database_url, creds["MarketplaceID"])
        result = await asyncio.to_thread(
            subprocess.run,
            ["node", "--test", "--test-timeout=120000", "--test-reporter=spec"],
            cwd=SUITE,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
            env={
                **os.environ,
                "GATEHOUSE_URL": base,
                "GATEHOUSE_CLIENT_ID": creds["ApiClientID"],
                "GATEHOUSE_USERNAME": "sdk2",
                "GATEHOUSE_PASSWORD": PASSWORD,
                "GATEHOUSE_BUYER_ID": buyer,
            },
        )
    print(result.stdout[-20000:])
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    summary = dict(re.findall(r"^\S+ (tests|pass|fail|skipped|todo) (\d+)$", result.stdout, re.M))
    assert summary["fail"] == "0"
    assert summary["skipped"] == summary["todo"] == "0"  # every SDK test ran, none was skipped
    assert int(summary["pass"]) == int(summary["tests"]) > 0
