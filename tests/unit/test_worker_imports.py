"""What a worker process loads (issue 12: RSS per worker): an SQLite server never imports the
PostgreSQL driver, and a PostgreSQL one still maps asyncpg's errors to 503; httpx (and the
command-line extras it drags in) waits for the first SSO sign-in."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROBE = textwrap.dedent(
    """
    import sys
    from gatehouse.app import create_app
    from gatehouse.settings import Settings

    app = create_app(Settings(database_url=sys.argv[1]))
    loaded = "asyncpg" in sys.modules
    handled = loaded and sys.modules["asyncpg"].InterfaceError in app.exception_handlers
    print(loaded, handled, "httpx" in sys.modules, "rich" in sys.modules)
    """
)


def _probe(url: str) -> str:
    run = [sys.executable, "-c", PROBE, url]
    return subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip()


def test_an_sqlite_worker_never_loads_asyncpg(tmp_path: Path) -> None:
    assert _probe(f"sqlite:///{tmp_path / 'g.db'}") == "False False False False"


def test_a_postgresql_worker_maps_asyncpg_errors() -> None:
    assert _probe("postgresql://postgres@127.0.0.1:5432/test") == "True True False False"
