"""Waiting for what another process learns asynchronously (a PostgreSQL notice), without a
fixed sleep: poll until it shows, or give up after a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def eventually(predicate: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> bool:
    """Whether ``predicate`` came true within ``seconds`` (checked every 10 ms)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.01)
    return False
