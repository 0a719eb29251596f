"""``/gatehouse/health``: Gatehouse's own endpoints live under ``/gatehouse/``.

``/gatehouse/health/live`` answers 200 while the process serves (restart it otherwise);
``/gatehouse/health/ready`` answers 200 only when the database answers and the signing keys
are loaded, else 503 (send it no traffic for now). Neither needs a token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gatehouse import __version__
from gatehouse.http.deps import RuntimeDep
from gatehouse.http.openapi.features import READY_RESPONSES, Liveness, Readiness
from gatehouse.http.openapi.models import Health
from gatehouse.storage.availability import round_trip

router = APIRouter(prefix="/gatehouse", tags=["Gatehouse"])


@router.get("/health", response_model=Health)
async def health(runtime: RuntimeDep) -> JSONResponse:
    async with runtime.db.read() as session:
        await round_trip(session)
    return JSONResponse({"Status": "ok", "Version": __version__})


@router.get("/health/live", response_model=Liveness)
async def live() -> JSONResponse:
    return JSONResponse({"Status": "live", "Version": __version__})


@router.get("/health/ready", response_model=Readiness, responses=READY_RESPONSES)
async def ready(request: Request, runtime: RuntimeDep) -> JSONResponse:
    is_ready, details = await request.app.state.readiness.check()
    body = {"Status": "ready" if is_ready else "unready", **details, "Version": __version__}
    headers = (
        None if is_ready else {"Retry-After": str(runtime.settings.outage_retry_after_seconds)}
    )
    return JSONResponse(body, 200 if is_ready else 503, headers)
