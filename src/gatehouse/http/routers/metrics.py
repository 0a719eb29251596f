"""``/metrics`` (Prometheus text) and ``/gatehouse/apiclients/{apiClientID}/usage`` (JSON).

``/metrics`` needs ``Authorization: Bearer <GATEHOUSE_METRICS_TOKEN>`` when that is set;
without it, it is served only on a loopback-bound server or with ``GATEHOUSE_METRICS_PUBLIC``
(``http.metrics_access``). It carries client IDs, counts, error codes
and timings, never a secret or a token. It is also served at ``/gatehouse/metrics`` (Gatehouse's
own endpoints live under ``/gatehouse/``; ``/metrics`` is where Prometheus looks by default).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.crypto import constant_time_equals
from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.usage import UsageReport, parse_window
from gatehouse.http.deps import Caller, RuntimeDep, require
from gatehouse.http.metrics import PROMETHEUS_TEXT, Metrics
from gatehouse.http.metrics_access import MetricsAccess, MetricsDisabledError, metrics_access
from gatehouse.http.openapi.errors import errors
from gatehouse.http.openapi.operations import ClientUsage
from gatehouse.services import usage as service
from gatehouse.settings import Settings

router = APIRouter(tags=["Gatehouse"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]


class PrometheusText(Response):
    """The Prometheus text exposition format, version 0.0.4 (what every scraper reads)."""

    media_type = PROMETHEUS_TEXT


# Public unless GATEHOUSE_METRICS_TOKEN is set: either no credentials or that bearer.
EXPOSITION = {
    "response_class": PrometheusText,
    "responses": errors(401, 403),
    "openapi_extra": {"security": [{}, {"metricsToken": []}]},
}


@router.get("/metrics", **EXPOSITION)  # type: ignore[arg-type]
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    return _exposition(request, runtime.settings)


@router.get("/gatehouse/metrics", **EXPOSITION)  # type: ignore[arg-type]
async def gatehouse_metrics(request: Request, runtime: RuntimeDep) -> Response:
    """Prometheus text exposition of the per-client metrics (docs/operations.md)."""
    return _exposition(request, runtime.settings)


def _exposition(request: Request, settings: Settings) -> Response:
    access = metrics_access(settings)
    if access is MetricsAccess.CLOSED:
        raise MetricsDisabledError()
    expected = settings.metrics_token
    if expected is not None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not constant_time_equals(presented.strip(), expected):
            raise UnauthenticatedError()
    collected: Metrics = request.app.state.metrics
    body, content_type = collected.render()
    return PrometheusText(body, media_type=content_type)  # no-store: http.cache_control


@router.get("/gatehouse/apiclients/{apiClientID}/usage", response_model=ClientUsage)
async def client_usage(
    request: Request, runtime: RuntimeDep, caller: Reader, apiClientID: str
) -> JSONResponse:
    """The client's token and API requests over the last ``minutes`` (1–1440, default 60)
    minutes: totals by grant type, outcome and status, counts per minute, and when it was last
    used. Counts of other processes reach it within ``GATEHOUSE_USAGE_FLUSH_SECONDS``."""
    minutes = parse_window(request.query_params.get("minutes"))
    await request.app.state.usage_flusher.flush()  # this process's counts, up to now
    report = await service.client_usage(
        runtime.db, runtime.clock, caller.marketplace_id, apiClientID, minutes
    )
    return JSONResponse(usage_out(report))


def usage_out(report: UsageReport) -> dict[str, object]:
    return {
        "ClientID": report.client_id,
        "From": report.start.isoformat(),
        "To": report.end.isoformat(),
        "LastUsed": report.last_used.isoformat() if report.last_used else None,
        "Tokens": {"ByGrantType": report.by_grant_type, "ByOutcome": report.by_outcome},
        "Requests": {"ByStatus": report.by_status},
        "PerMinute": [
            {
                "Minute": m.minute.isoformat(),
                "Tokens": m.tokens,
                "TokenFailures": m.token_failures,
                "Requests": m.requests,
            }
            for m in report.per_minute
        ],
    }
