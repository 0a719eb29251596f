"""Every ``gatehouse`` command path, for tests that must cover each one."""

from __future__ import annotations

from typing import Any

import typer

from gatehouse.cli import app


def command_paths(group: Any = None, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    group = group or typer.main.get_command(app)
    found: set[tuple[str, ...]] = set()
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= command_paths(command, (*prefix, name))
        else:
            found.add((*prefix, name))
    return found
