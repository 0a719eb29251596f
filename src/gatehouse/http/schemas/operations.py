"""Wire models of the Gatehouse-only operations endpoints: explain and review."""

from __future__ import annotations

from typing import Any

from pydantic import StrictStr

from gatehouse.domain.explain import Explanation
from gatehouse.domain.review import Finding
from gatehouse.http.schemas.common import WireModel


class ExplainIn(WireModel):
    """``POST /gatehouse/explain``. Lengths are checked by the service (400 with the field)."""

    ClientID: StrictStr
    Username: StrictStr | None = None
    Scope: StrictStr | None = None
    GrantType: StrictStr | None = None


def explanation_out(
    explanation: Explanation, client_id: str, username: str | None
) -> dict[str, Any]:
    return {
        "ClientID": client_id,
        "Username": username,
        "GrantType": explanation.grant_type.value,
        "WouldIssue": explanation.would_issue,
        "Checks": [
            {
                "Rule": check.rule,
                "Passed": check.passed,
                "Decisive": check.decisive,
                "Detail": check.detail,
                "ErrorCode": check.error_code,
            }
            for check in explanation.checks
        ],
        "Roles": {
            "Granted": list(explanation.roles.granted),
            "Dropped": [
                {"Role": role, "Reason": reason.value} for role, reason in explanation.roles.dropped
            ],
            "MissingMinimum": list(explanation.roles.missing_minimum),
        },
    }


def finding_out(finding: Finding) -> dict[str, Any]:
    return {
        "ClientID": finding.client_id or None,  # None: a marketplace-wide finding
        "AppName": finding.app_name,
        "Risk": finding.risk.value,
        "Severity": finding.severity.value,
        "Reason": finding.reason,
        "Fix": finding.fix,
    }
