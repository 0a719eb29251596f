"""The admin web console (``/gatehouse/console``) and the offline Swagger UI
(``/gatehouse/docs``), both served from files inside the package (docs/console.md).

The console is plain JavaScript modules and CSS with no build step: the files under
``gatehouse/console/`` are exactly what the browser receives. Every page and asset carries a
strict Content-Security-Policy (scripts, styles and requests only from this origin, no inline
script, no framing), ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from gatehouse.domain.errors import NotFoundError
from gatehouse.http.assets import CONSOLE_ASSETS, DOCS_ASSETS, Asset, secure_headers
from gatehouse.http.deps import RuntimeDep
from gatehouse.http.openapi.errors import errors
from gatehouse.http.openapi.features import ConsoleConfig
from gatehouse.services.console import console_config

router = APIRouter(prefix="/gatehouse", tags=["Console"])


@router.get("/console/config", response_model=ConsoleConfig, responses=errors(404))
async def get_console_config(
    runtime: RuntimeDep,
    marketplace: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    """Public (no token): the API client ID the console signs in with for ``marketplace``
    (a marketplace ID; optional when the server holds exactly one). The console client is a
    public client, so its ID is no secret. 404 for an unknown or inactive marketplace, 400
    ``Console.MarketplaceRequired`` when the server holds several and none is given."""
    config = await console_config(runtime.db, marketplace)
    # No Cache-Control of its own: ``NoStoreByDefault`` adds it with ``Pragma: no-cache``
    # (a route that sets one is left alone, and this one once set it without the Pragma).
    return JSONResponse(
        {"MarketplaceID": config.marketplace_id, "ApiClientID": config.api_client_id},
        headers=secure_headers(),
    )


@router.get("/console", include_in_schema=False)
@router.get("/console/", include_in_schema=False)
async def console_page() -> Response:
    return _serve(CONSOLE_ASSETS.get("index.html"))


@router.get("/console/{asset:path}", include_in_schema=False)
async def console_asset(asset: str) -> Response:
    return _serve(CONSOLE_ASSETS.get(asset))


@router.get("/docs", include_in_schema=False)
async def docs_page() -> Response:
    return _serve(DOCS_ASSETS.get("index.html"))


@router.get("/docs/{asset}", include_in_schema=False)
async def docs_asset(asset: str) -> Response:
    return _serve(DOCS_ASSETS.get(asset))


def _serve(asset: Asset | None) -> Response:
    if asset is None:
        raise NotFoundError("File", None)
    return Response(
        asset.body,
        media_type=asset.media_type,
        headers={**secure_headers(), "Cache-Control": "no-cache", "ETag": asset.etag},
    )
