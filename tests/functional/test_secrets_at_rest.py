"""Issue 10 item 6: signing private keys and legacy ``ClientSecret``s are encrypted at rest
with a key kept outside the database; the API still returns and accepts the secret; the
``ClientSecret`` list filter is refused (it would be a guessing oracle)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from gatehouse.crypto_at_rest import UndecryptableSecretError
from gatehouse.runtime import Runtime
from gatehouse.storage.db import create_engine
from gatehouse.storage.sealing import client_secret_purpose
from tests.conftest import backend
from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio
LEGACY = "legacy-s3cret-value-at-rest"
_SECRET_SQL = "SELECT client_secret FROM api_clients WHERE id = :id"


async def _raw(runtime: Runtime, sql: str, **params: str) -> list[str]:
    engine = create_engine(runtime.db.url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text(sql), params)).all()
            return [str(v) for (v,) in rows if v is not None]
    finally:
        await engine.dispose()


def _file_bytes(path: Path) -> bytes:
    """The file's bytes, read by another process: closing a descriptor of a SQLite file drops
    every POSIX lock this process holds on it, the app's included, and a CLI process started
    later then recovered the WAL under the app's feet (its writes were invisible outside)."""
    code = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, check=True
    ).stdout


async def _new_client(client: httpx.AsyncClient, shop: Marketplace) -> str:
    body = {
        "AppName": "Legacy",
        "AccessTokenDuration": 60,
        "AllowSeller": True,
        "ClientSecret": LEGACY,
        "DefaultContextUserName": shop.credentials.username,
    }
    response = await client.post("/v1/apiclients", json=body, headers=shop.auth)
    assert response.status_code == 201, response.text
    client_id: str = response.json()["ID"]
    return client_id


async def test_rows_hold_no_plaintext_but_the_api_still_works(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    client_id = await _new_client(client, marketplace)
    got = await client.get(f"/v1/apiclients/{client_id}", headers=marketplace.auth)
    assert got.json()["ClientSecret"] == LEGACY  # OrderCloud returns it on GET

    token = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": LEGACY},
    )
    assert token.status_code == 200, token.text
    me = await client.get(
        "/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.status_code == 200  # signed with the decrypted key, verified with the public one

    secrets = await _raw(runtime, _SECRET_SQL, id=client_id)
    assert secrets and all(s.startswith("enc:v1:") and LEGACY not in s for s in secrets)
    pems = await _raw(runtime, "SELECT private_key_pem FROM signing_keys")
    assert pems and all(p.startswith("enc:v1:") and "PRIVATE KEY" not in p for p in pems)
    if backend() == "sqlite":
        database = Path(runtime.db.url.split(":///", 1)[1])
        for path in (database, Path(f"{database}-wal")):
            if path.exists():
                raw = _file_bytes(path)
                assert LEGACY.encode() not in raw and b"BEGIN PRIVATE KEY" not in raw


async def test_a_ciphertext_moved_to_another_row_does_not_decrypt(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    first, second = await _new_client(client, marketplace), await _new_client(client, marketplace)
    (stored,) = await _raw(runtime, _SECRET_SQL, id=first)
    assert runtime.secret_box.decrypt(stored, purpose=client_secret_purpose(first)) == LEGACY
    with pytest.raises(UndecryptableSecretError):
        runtime.secret_box.decrypt(stored, purpose=client_secret_purpose(second))


@pytest.mark.parametrize("value", [LEGACY, "legacy*", "", "!x"])
async def test_the_client_secret_filter_is_refused(
    client: httpx.AsyncClient, marketplace: Marketplace, value: str
) -> None:
    await _new_client(client, marketplace)
    response = await client.get(
        "/v1/apiclients", params={"ClientSecret": value}, headers=marketplace.auth
    )
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == "List.InvalidProperty"
