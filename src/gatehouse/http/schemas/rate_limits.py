"""Rate limits on the wire (Gatehouse's own, under ``/gatehouse/``)."""

from __future__ import annotations

from typing import Any

from pydantic import StrictInt

from gatehouse.domain.rate_limits import RateLimits
from gatehouse.http.schemas.common import WireModel


class RateLimitsIn(WireModel):
    """PUT body: the whole configuration; an omitted or null rate means unlimited, an omitted
    burst means one minute's worth. Range checks are the domain's (``validate_limits``)."""

    TokenRequestsPerMinute: StrictInt | None = None
    TokenBurst: StrictInt | None = None
    ApiRequestsPerMinute: StrictInt | None = None
    ApiBurst: StrictInt | None = None

    def domain(self) -> RateLimits:
        return RateLimits(
            token_per_minute=self.TokenRequestsPerMinute,
            token_burst=self.TokenBurst,
            api_per_minute=self.ApiRequestsPerMinute,
            api_burst=self.ApiBurst,
        )


def limits_out(limits: RateLimits) -> dict[str, Any]:
    return {
        "TokenRequestsPerMinute": limits.token_per_minute,
        "TokenBurst": limits.token_burst,
        "ApiRequestsPerMinute": limits.api_per_minute,
        "ApiBurst": limits.api_burst,
    }
