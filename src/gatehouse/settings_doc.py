"""README's settings table, generated from the ``Settings`` model so the two cannot drift.

    python -m gatehouse.settings_doc          # rewrite the block in README.md
    python -m gatehouse.settings_doc --check  # exit 1 when README.md is out of date

The block sits between ``<!-- settings-table:start -->`` and ``<!-- settings-table:end -->``;
``tests/unit/test_settings_doc.py`` fails when it differs from what this renders, so adding a
setting (with its ``Field(description=...)``) means re-running this command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from gatehouse.settings import Settings

START = "<!-- settings-table:start -->"
END = "<!-- settings-table:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def serve_flags() -> dict[str, str]:
    """The setting each ``gatehouse serve`` flag sets (by parameter name), plus ``--config``."""
    from gatehouse.cli import app

    command: Any = typer.main.get_command(app)
    flags = {"config": "--config"}
    serve = command.commands["serve"]
    for param in serve.params:
        if param.name in Settings.model_fields and param.opts:
            flags[param.name] = param.opts[0]
    return flags


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    value = field.default
    if value in ("", None):
        return "unset"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def render() -> str:
    flags = serve_flags()
    lines = [
        "| setting | environment | flag | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        flag = f"`{flags[name]}`" if name in flags else ""
        # Docstring descriptions may wrap and use reStructuredText's ``literals``.
        text = " ".join((field.description or "").split()).replace("``", "`")
        description = text.replace("|", "\\|")
        lines.append(
            f"| `{name}` | `GATEHOUSE_{name.upper()}` | {flag} | {_default(name)} | {description} |"
        )
    return "\n".join(lines)


def rewrite(text: str) -> str:
    """``text`` with the block between the markers replaced by the rendered table."""
    head, found, rest = text.partition(START)
    _, found_end, tail = rest.partition(END)
    if not found or not found_end:
        raise ValueError(f"README.md lacks the {START} ... {END} markers")
    return f"{head}{START}\n{render()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    wanted = rewrite(current)
    if "--check" in argv:
        if wanted != current:
            print("README.md's settings table is stale: run python -m gatehouse.settings_doc")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
