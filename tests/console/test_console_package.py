"""What ships is the source (issue 9): the console has no build step, so the wheel must hold
every file of ``src/gatehouse/console`` and ``src/gatehouse/swagger`` byte for byte, and
nothing else under those folders. Also: databases made before the console existed get a
console client by migration, and ``gatehouse serve`` prints the console's URL."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.db import Database
from tests.support.server import server, stop

ROOT = Path(__file__).parents[2]
SHIPPED = ("src/gatehouse/console", "src/gatehouse/swagger")


def source_files() -> dict[str, bytes]:
    found = {}
    for folder in SHIPPED:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                found[str(path.relative_to(ROOT / "src"))] = path.read_bytes()
    return found


@pytest.mark.slow
def test_the_wheel_ships_the_console_source_unchanged(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("gatehouse-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith(("gatehouse/console/", "gatehouse/swagger/"))
        }
    source = source_files()
    assert set(shipped) == set(source)
    assert all(shipped[name] == source[name] for name in source)
    assert "gatehouse/console/js/app.js" in shipped


@pytest.mark.asyncio
async def test_existing_marketplaces_get_a_console_client_by_migration(
    fresh_database_url: str,
) -> None:
    url = Settings(database_url=fresh_database_url).effective_database_url
    await migrate.upgrade(url, "0009")
    db = Database(url)
    try:
        async with db.write() as session:
            await session.execute(
                text(
                    "INSERT INTO marketplaces (id, name, active, created_at) "
                    "VALUES ('old-one', 'Old', true, CURRENT_TIMESTAMP)"
                )
            )
        await migrate.upgrade(url)
        async with db.read() as session:
            rows = (
                await session.execute(
                    text(
                        "SELECT c.app_name, c.allow_seller, c.active, c.client_secret "
                        "FROM console_clients k JOIN api_clients c ON c.id = k.api_client_id "
                        "WHERE k.marketplace_id = 'old-one'"
                    )
                )
            ).all()
        assert [tuple(r) for r in rows] == [("Gatehouse Console", True, True, None)]
        await migrate.downgrade(url, "0009")
        await migrate.upgrade(url)
    finally:
        await db.dispose()


@pytest.mark.slow
@pytest.mark.asyncio
async def test_serve_prints_the_console_url(fresh_database_url: str) -> None:
    with server(fresh_database_url) as (base, process):
        pass
    output = stop(process)
    assert f"Console: {base}/gatehouse/console" in output
    assert "Password: " in output
