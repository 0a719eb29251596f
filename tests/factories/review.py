"""Facts for the configuration review's rules (``domain.review``), with a fixed now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.review import (
    ClientFacts,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def facts(**fields: object) -> ClientFacts:
    client_fields = {
        k: fields.pop(k)
        for k in list(fields)
        if k
        not in {"created_at", "named_secret_count", "reachable_roles", "dcu_roles", "last_used"}
    }
    client = ApiClient(
        **{"id": "c1", "app_name": "App", "access_token_duration": 60, **client_fields}  # type: ignore[arg-type]
    )
    values: dict[str, object] = {"created_at": NOW - timedelta(days=1), **fields}
    return ClientFacts(client=client, **values)  # type: ignore[arg-type]
