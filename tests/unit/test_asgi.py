"""gatehouse/asgi.py, the factory each server worker calls: it fixes glibc's mmap threshold
before the app (and its decoy hash) is built, and it loads none of the operator commands."""

from __future__ import annotations

import gc
import subprocess
import sys
from typing import Any

import pytest

from gatehouse import asgi


def test_the_worker_returns_hash_memory_before_building_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    app = object()

    def create_app(settings: Any) -> Any:
        calls.append("create_app")
        return app

    monkeypatch.setattr(asgi, "return_large_blocks_to_the_os", lambda: calls.append("malloc"))
    monkeypatch.setattr(asgi, "create_app", create_app)
    monkeypatch.setattr(asgi, "configure_logging", lambda log_format: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # the test process stays collectable
    assert asgi.create_app_from_env() is app
    assert calls == ["malloc", "create_app"]


def test_a_worker_loads_neither_the_commands_nor_alembic() -> None:
    """The CLI package's ``__init__`` loads every command and Alembic: about 20 MB a worker
    never uses (issue 12)."""
    probe = (
        "import sys, gatehouse.asgi; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'typer', 'mako')"
        " or m.startswith('gatehouse.cli')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
