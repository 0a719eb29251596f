"""gatehouse/asgi.py, the factory each server worker calls, loads none of the operator
commands: the CLI package's ``__init__`` brings every command and Alembic (issue 12)."""

from __future__ import annotations

import subprocess
import sys


def test_a_worker_loads_neither_the_commands_nor_alembic() -> None:
    probe = (
        "import sys, gatehouse.asgi; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'typer', 'mako')"
        " or m.startswith('gatehouse.cli')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
