"""The admin web console's own API client (issue 9; docs/console.md).

The console is an ordinary public API client of each marketplace (no secret, ``AllowSeller``):
it signs in through the normal password grant, so its traffic, audit events and usage show
separately from every other client's. ``GET /gatehouse/console/config`` tells the console which
client ID to use; this module answers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.errors import InvalidInputError, NotFoundError
from gatehouse.storage.db import Database
from gatehouse.storage.queries import console
from gatehouse.storage.queries.api_clients import insert as insert_client

CONSOLE_APP_NAME = "Gatehouse Console"
# Minutes; within the configuration review's default threshold. No refresh token: when the
# access token expires the console returns to its sign-in form.
CONSOLE_ACCESS_TOKEN_MINUTES = 60


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    marketplace_id: str
    api_client_id: str


def console_client(client_id: str) -> ApiClient:
    """The console client created with a marketplace."""
    return ApiClient(
        id=client_id,
        app_name=CONSOLE_APP_NAME,
        access_token_duration=CONSOLE_ACCESS_TOKEN_MINUTES,
        allow_seller=True,
        active=True,
    )


async def add_console_client(
    session: AsyncSession, *, marketplace_id: str, client_id: str, now: datetime
) -> None:
    """Insert the console client and remember it, inside the caller's transaction."""
    await insert_client(
        session, marketplace_id=marketplace_id, client=console_client(client_id), now=now
    )
    await console.insert(session, marketplace_id=marketplace_id, api_client_id=client_id)


async def console_config(db: Database, marketplace_id: str | None) -> ConsoleConfig:
    """The console client of ``marketplace_id``; without one, of the server's only marketplace.

    404 ``NotFound`` for an unknown or inactive marketplace, or one whose console client was
    deleted; 400 ``Console.MarketplaceRequired`` when the server holds several marketplaces.
    """
    async with db.read() as session:
        if marketplace_id is None or not marketplace_id.strip():
            marketplace_id = await console.only_marketplace(session)
            if marketplace_id is None:
                raise InvalidInputError(
                    "Console.MarketplaceRequired",
                    "This server holds several marketplaces: give the marketplace ID.",
                    {"Field": "marketplace"},
                )
        client_id = await console.client_of(session, marketplace_id.strip()[:100])
    if client_id is None:
        raise NotFoundError("Marketplace", marketplace_id)
    return ConsoleConfig(marketplace_id.strip(), client_id)
