"""``/gatehouse/health``: Gatehouse's own endpoints live under ``/gatehouse/``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gatehouse import __version__
from gatehouse.http.deps import RuntimeDep
from gatehouse.http.openapi.models import Health

router = APIRouter(prefix="/gatehouse", tags=["Gatehouse"])


@router.get("/health", response_model=Health)
async def health(runtime: RuntimeDep) -> JSONResponse:
    async with runtime.db.read() as session:
        await session.execute(text("SELECT 1"))
    return JSONResponse({"Status": "ok", "Version": __version__})
