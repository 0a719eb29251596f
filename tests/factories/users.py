"""Users made through the services in unit tests of the user services."""

from __future__ import annotations

import secrets
from typing import Any

from gatehouse.runtime import Runtime
from gatehouse.services.registry import Services


def services(runtime: Runtime) -> Services:
    return Services.build(runtime.db, runtime.clock, runtime.hasher)


def fields(**extra: Any) -> dict[str, Any]:
    name = f"u-{secrets.token_hex(4)}"
    return {
        "id": name,
        "username": name,
        "first_name": "F",
        "last_name": "L",
        "email": "e@example.com",
        "active": True,
        **extra,
    }
