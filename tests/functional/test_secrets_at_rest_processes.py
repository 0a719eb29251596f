"""Issue 10 item 6 with real processes: a wrong key is a clear startup error, ``gatehouse
keys rewrap`` moves every secret to a new key in one go, the SQLite default creates its key
file (mode 0600) and says so, and PostgreSQL without a key is warned loudly and encrypted at
the first start with one."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from gatehouse.crypto_at_rest import generate_key
from gatehouse.settings import Settings
from gatehouse.storage.db import create_engine
from tests.conftest import backend
from tests.support.server import free_port, gatehouse, login, server, stop

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
PASSWORD = "B00tstrapPassword"
LEGACY = "legacy-s3cret-for-rewrap"
ONE_ISSUER = {"GATEHOUSE_BASE_URL": "http://gatehouse.test"}  # tokens outlive one server


def _marketplace(url: str, env: dict[str, str]) -> dict[str, Any]:
    created = gatehouse(
        "marketplace", "create", "--name", "K", "--admin-username", "k",
        "--admin-password", PASSWORD, "--json", "--database-url", url, env=env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    result: dict[str, Any] = json.loads(created.stdout)
    return result


def _legacy_client(base: str, token: str) -> str:
    body = {"AppName": "L", "AccessTokenDuration": 60, "AllowSeller": True, "ClientSecret": LEGACY}
    response = httpx.post(
        f"{base}/v1/apiclients", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    client_id: str = response.json()["ID"]
    return client_id


async def _stored(url: str) -> list[str]:
    engine = create_engine(Settings(database_url=url).effective_database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT private_key_pem FROM signing_keys UNION ALL "
                    "SELECT client_secret FROM api_clients WHERE client_secret <> ''"
                )
            )
            return [str(v) for (v,) in rows.all() if v is not None]
    finally:
        await engine.dispose()


def _serve_once(url: str, env: dict[str, str]) -> tuple[int, str]:
    result = gatehouse("serve", "--port", str(free_port()), "--database-url", url, env=env)
    return result.returncode, result.stdout + result.stderr


async def test_wrong_key_refused_then_rewrap_moves_everything(fresh_database_url: str) -> None:
    old, new = generate_key(), generate_key()
    env = {"GATEHOUSE_ENCRYPTION_KEY": old, **ONE_ISSUER}
    with server(fresh_database_url, env=env) as (base, _):
        creds = _marketplace(fresh_database_url, env)
        token = login(base, creds["ApiClientID"], "k", PASSWORD).json()["access_token"]
        client_id = _legacy_client(base, token)
    before = await _stored(fresh_database_url)

    code, output = _serve_once(fresh_database_url, {"GATEHOUSE_ENCRYPTION_KEY": new})
    assert code == 1
    assert "cannot start" in output and "encrypted with key" in output
    # An operator command run with another key refuses before it writes anything (a signing
    # key sealed with the wrong key would break every server at its next key reload).
    rotate = gatehouse(
        "keys", "rotate", "--database-url", fresh_database_url,
        env={"GATEHOUSE_ENCRYPTION_KEY": new},
    )  # fmt: skip
    assert rotate.returncode == 4 and "wrong encryption key" in rotate.stderr
    assert await _stored(fresh_database_url) == before
    assert "Traceback" not in output

    wrong = gatehouse(
        "keys", "rewrap", "--database-url", fresh_database_url,
        env={"GATEHOUSE_ENCRYPTION_KEY": new, "GATEHOUSE_OLD_ENCRYPTION_KEY": generate_key()},
    )  # fmt: skip
    assert wrong.returncode == 4 and "nothing changed" in wrong.stderr
    assert await _stored(fresh_database_url) == before  # one transaction: all or nothing

    rewrapped = gatehouse(
        "keys", "rewrap", "--database-url", fresh_database_url,
        env={"GATEHOUSE_ENCRYPTION_KEY": new, "GATEHOUSE_OLD_ENCRYPTION_KEY": old},
    )  # fmt: skip
    assert rewrapped.returncode == 0, rewrapped.stderr
    assert f"re-encrypted {len(before)} stored secret(s)" in rewrapped.stdout
    after = await _stored(fresh_database_url)
    assert len(after) == len(before) and not set(after) & set(before)

    with server(fresh_database_url, env={"GATEHOUSE_ENCRYPTION_KEY": new, **ONE_ISSUER}) as (
        base,
        _,
    ):
        auth = {"Authorization": f"Bearer {token}"}  # signed before the rewrap: still valid
        got = httpx.get(f"{base}/v1/apiclients/{client_id}", headers=auth)
        assert got.status_code == 200 and got.json()["ClientSecret"] == LEGACY
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": LEGACY}
        assert httpx.post(f"{base}/oauth/token", data=form).status_code == 400  # no context user
        assert login(base, creds["ApiClientID"], "k", PASSWORD).status_code == 200


@pytest.mark.skipif(backend() != "sqlite", reason="the key file is the embedded default's")
async def test_sqlite_default_creates_a_private_key_file_and_says_so(
    fresh_database_url: str,
) -> None:
    env = {"GATEHOUSE_ENCRYPTION_KEY": ""}
    key_file = Path(fresh_database_url.split(":///", 1)[1] + ".key")
    with server(fresh_database_url, env=env) as (base, process):
        creds = _marketplace(fresh_database_url, env)
        token = login(base, creds["ApiClientID"], "k", PASSWORD).json()["access_token"]
        _legacy_client(base, token)
        output = stop(process)
    assert f"created the encryption key file {key_file}" in output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert all(v.startswith("enc:v1:") for v in await _stored(fresh_database_url))
    with server(fresh_database_url, env=env) as (base, process):
        assert login(base, creds["ApiClientID"], "k", PASSWORD).status_code == 200
        assert "created the encryption key file" not in stop(process)


@pytest.mark.skipif(backend() != "postgresql", reason="PostgreSQL has no default key")
async def test_postgresql_without_a_key_is_warned_then_sealed_by_a_keyed_start(
    fresh_database_url: str,
) -> None:
    with server(fresh_database_url, env={"GATEHOUSE_ENCRYPTION_KEY": ""}) as (base, process):
        creds = _marketplace(fresh_database_url, {"GATEHOUSE_ENCRYPTION_KEY": ""})
        token = login(base, creds["ApiClientID"], "k", PASSWORD).json()["access_token"]
        _legacy_client(base, token)
        output = stop(process)
    assert "NO ENCRYPTION KEY" in output
    assert all(v.startswith("plain:") for v in await _stored(fresh_database_url))
    key = generate_key()
    with server(fresh_database_url, env={"GATEHOUSE_ENCRYPTION_KEY": key}) as (base, _):
        assert login(base, creds["ApiClientID"], "k", PASSWORD).status_code == 200
    assert all(v.startswith("enc:v1:") for v in await _stored(fresh_database_url))
