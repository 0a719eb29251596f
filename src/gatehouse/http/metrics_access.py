"""Who may read ``/metrics``: safe by default (issue 10, item 9).

The exposition lists every marketplace's client IDs. It used to be public unless
``GATEHOUSE_METRICS_TOKEN`` was set, so a server listening on a public address published them.
Now, without a token it is served only when the server is bound to a loopback address
(``127.0.0.1``, ``::1``, ``localhost``: nothing outside the machine can reach it) or the
operator says so with ``GATEHOUSE_METRICS_PUBLIC=true`` (a network that only lets Prometheus
in). Otherwise it answers 403 and ``gatehouse serve`` says at start how to enable it.
"""

from __future__ import annotations

import ipaddress
from enum import Enum

from gatehouse.domain.errors import ForbiddenError
from gatehouse.settings import Settings

HINT = (
    "/metrics is disabled: the server is not bound to loopback and GATEHOUSE_METRICS_TOKEN is "
    "not set. Set GATEHOUSE_METRICS_TOKEN (Prometheus sends it as a bearer token), or "
    "GATEHOUSE_METRICS_PUBLIC=true if only your monitoring can reach this address."
)


class MetricsAccess(Enum):
    TOKEN = "token"  # a bearer token is required
    OPEN = "open"
    CLOSED = "closed"


def metrics_access(settings: Settings) -> MetricsAccess:
    if settings.metrics_token is not None:
        return MetricsAccess.TOKEN
    if settings.metrics_public or is_loopback(settings.host):
        return MetricsAccess.OPEN
    return MetricsAccess.CLOSED


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


class MetricsDisabledError(ForbiddenError):
    code = "Metrics.Disabled"
    default_message = HINT
