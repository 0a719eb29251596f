"""Per-process startup work that needs the database, and the readiness it gives.

A worker must start even when the database is down (uvicorn stops the whole server when a
replaced worker's lifespan fails), so the lifespan tries this work once and, if the database
is unreachable, retries it in the background: the worker answers 503 meanwhile and becomes
ready on its own when the database returns. A configuration error, such as a wrong
encryption key, still fails the start at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from gatehouse.oauth.keys import ensure_signing_key
from gatehouse.runtime import Runtime
from gatehouse.storage.availability import is_unavailable
from gatehouse.storage.sealing import prepare_secrets

log = logging.getLogger("gatehouse.startup")

RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)


class Readiness:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.prepared = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Prepare now, or (database unreachable) keep trying in the background."""
        try:
            await self._prepare()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self._runtime.db.outage.report(exc)
            log.warning("starting without the database; ready once it is reachable")
            self._task = asyncio.create_task(self._retry())

    async def _prepare(self) -> None:
        runtime = self._runtime
        await prepare_secrets(runtime.db)
        await ensure_signing_key(runtime.db, runtime.clock)
        await runtime.keys.load()
        self.prepared = True

    async def _retry(self) -> None:
        attempt = 0
        while not self.prepared:
            await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1
            try:
                await self._prepare()
            except Exception as exc:
                if not is_unavailable(exc):
                    log.error("startup cannot complete: %s", exc)
                    return
                self._runtime.db.outage.report(exc)
        self._runtime.db.outage.recovered()
        log.warning("startup completed after the database returned")

    async def check(self) -> tuple[bool, dict[str, Any]]:
        """``/gatehouse/health/ready``: the database answers and the signing keys are loaded."""
        runtime = self._runtime
        database = await runtime.db.outage.ping()
        keys = self.prepared and runtime.keys.loaded
        details: dict[str, Any] = {
            "Database": "ok" if database else "unreachable",
            "Keys": "loaded" if keys else "not loaded",
        }
        if runtime.listener is not None:
            details["Invalidation"] = "listening" if runtime.listener.connected else "reconnecting"
        return database and keys, details

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
