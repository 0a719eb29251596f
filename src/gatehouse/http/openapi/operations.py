"""Response models of Gatehouse's own endpoints (``/gatehouse/…``), for the OpenAPI document:
audit events, usage, explain, review, rate limits and secret rotation."""

from __future__ import annotations

from typing import Any

from gatehouse.http.openapi.models import ApiClientSecretCreateResponse, WireOut


class AuditActor(WireOut):
    Type: str
    Username: str | None
    UserType: str | None
    ClientID: str | None


class AuditUser(WireOut):
    Username: str | None
    UserType: str | None


class AuditEvent(WireOut):
    ID: int
    Time: str | None
    EventType: str
    ClientID: str | None
    Actor: AuditActor
    User: AuditUser | None
    Details: dict[str, Any]


class UsageTokens(WireOut):
    ByGrantType: dict[str, int]
    ByOutcome: dict[str, int]


class UsageRequests(WireOut):
    ByStatus: dict[str, int]


class UsageMinute(WireOut):
    Minute: str
    Tokens: int
    TokenFailures: int
    Requests: int


class ClientUsage(WireOut):
    ClientID: str
    From: str
    To: str
    LastUsed: str | None
    Tokens: UsageTokens
    Requests: UsageRequests
    PerMinute: list[UsageMinute]


class ExplainCheck(WireOut):
    Rule: str
    Passed: bool | None
    Decisive: bool
    Detail: str
    ErrorCode: str | None


class DroppedRole(WireOut):
    Role: str
    Reason: str


class ExplainRoles(WireOut):
    Granted: list[str]
    Dropped: list[DroppedRole]
    MissingMinimum: list[str]


class Explanation(WireOut):
    ClientID: str
    Username: str | None
    GrantType: str
    WouldIssue: bool
    Checks: list[ExplainCheck]
    Roles: ExplainRoles


class Finding(WireOut):
    ClientID: str
    AppName: str | None
    Risk: str
    Severity: str
    Reason: str
    Fix: str


class Review(WireOut):
    Items: list[Finding]


class RateLimits(WireOut):
    TokenRequestsPerMinute: int | None
    TokenBurst: int | None
    ApiRequestsPerMinute: int | None
    ApiBurst: int | None


class ClientRateLimits(RateLimits):
    Source: str
    """``ApiClient`` (the client's own limits) or ``Marketplace`` (the default)."""


class SecretRotation(WireOut):
    Secret: ApiClientSecretCreateResponse
    OldSecretsExpire: str | None
    ReplacedSecrets: int
    LegacyClientSecretSet: bool
