"""``PasswordResetService`` called directly, without HTTP, against the real test database built by the
session fixtures (its storage is the user queries; a fake would re-implement them), built as
the runtime builds it (``Services.build``)."""

from __future__ import annotations

import pytest

from gatehouse.domain.errors import (
    NotFoundError,
)
from gatehouse.runtime import Runtime
from gatehouse.services.registry import Services
from gatehouse.storage.queries import users
from tests.factories.marketplaces import Marketplace


def services(runtime: Runtime) -> Services:
    return Services.build(runtime.db, runtime.clock, runtime.hasher)


async def _admin(runtime: Runtime, marketplace: Marketplace) -> tuple[int, str | None]:
    """The marketplace's admin: internal id and password hash."""
    async with runtime.db.read() as session:
        row = await users.find_by_username(
            session, marketplace_id=marketplace.id, username=marketplace.credentials.username
        )
    assert row is not None
    return row.id, row.password_hash


async def test_reset_generates_a_password_that_verifies(
    runtime: Runtime, marketplace: Marketplace
) -> None:
    reset = services(runtime).password_reset
    chosen = await reset.reset_password(marketplace.id, marketplace.credentials.username, None)
    _, stored = await _admin(runtime, marketplace)
    assert await runtime.hasher.verify(stored, chosen)
    with pytest.raises(NotFoundError):
        await reset.reset_password(marketplace.id, "nobody-at-all", None)
