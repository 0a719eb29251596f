"""The Prometheus side of per-client metrics, in one process: labels, outcomes of the token
context manager, and which requests feed the durable usage counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gatehouse.domain.clock import FrozenClock
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.usage import KIND_OUTCOME, KIND_STATUS
from gatehouse.http.metrics import Metrics
from gatehouse.oauth.errors import invalid_client_secret
from gatehouse.oauth.server import TokenAttempt

NOW = datetime(2026, 11, 28, 10, 30, 5, tzinfo=UTC)
MINUTE = NOW.replace(second=0)


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    registry = metrics._registry
    assert registry is not None
    return registry.get_sample_value(name, labels) or 0.0


def test_token_outcomes() -> None:
    metrics = Metrics(FrozenClock(NOW), multiprocess=False)
    known = TokenAttempt("client_credentials", "mp", "c1")
    with metrics.observe_token(known):
        pass
    with pytest.raises(type(invalid_client_secret())), metrics.observe_token(known):
        raise invalid_client_secret()
    with pytest.raises(NotFoundError), metrics.observe_token(known):
        raise NotFoundError("X", "y")
    with pytest.raises(RuntimeError), metrics.observe_token(TokenAttempt("nonsense")):
        raise RuntimeError
    total = "gatehouse_token_requests_total"
    assert (
        sample(metrics, total, client_id="c1", grant_type="client_credentials", outcome="issued")
        == 1
    )
    assert (
        sample(
            metrics,
            total,
            client_id="c1",
            grant_type="client_credentials",
            outcome="Auth.InvalidClientSecret",
        )
        == 1
    )
    assert (
        sample(metrics, total, client_id="c1", grant_type="client_credentials", outcome="NotFound")
        == 1
    )
    assert (
        sample(metrics, total, client_id="unknown", grant_type="other", outcome="ServerError") == 1
    )
    count = "gatehouse_token_request_duration_seconds_count"
    assert sample(metrics, count, grant_type="client_credentials") == 3
    usage = metrics.usage.drain()
    assert usage[("mp", "c1", MINUTE, KIND_OUTCOME, "issued")] == 1
    assert all(key[1] == "c1" for key in usage)  # the unknown client is not stored


def test_a_cancelled_token_request_is_not_counted() -> None:
    metrics = Metrics(FrozenClock(NOW), multiprocess=False)
    with pytest.raises(KeyboardInterrupt), metrics.observe_token(TokenAttempt("password")):
        raise KeyboardInterrupt
    assert len(metrics.usage) == 0
    count = "gatehouse_token_request_duration_seconds_count"
    assert sample(metrics, count, grant_type="password") == 0


def test_api_requests() -> None:
    metrics = Metrics(FrozenClock(NOW), multiprocess=False)
    metrics.request(("mp", "c1"), "/v1/me", "GET", 200, 0.001)
    metrics.request(None, "/v1/me", "BREW", 401, 0.001)
    total = "gatehouse_api_requests_total"
    assert sample(metrics, total, client_id="c1", route="/v1/me", method="GET", status="200") == 1
    assert (
        sample(metrics, total, client_id="unknown", route="/v1/me", method="other", status="401")
        == 1
    )
    assert metrics.usage.drain() == {("mp", "c1", MINUTE, KIND_STATUS, "200"): 1}
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    assert (
        b'gatehouse_api_request_duration_seconds_bucket{le="0.001",method="GET",route="/v1/me"} 1.0'
        in body
    )
