"""The configuration review's browser rule: browser-facing clients (IsAnonBuyer, or no
secret) that allow every origin on a deployment open to every origin."""

from __future__ import annotations

import dataclasses
from typing import cast

import pytest

from gatehouse.domain.review import ReviewThresholds, Risk, Severity, review_client
from tests.factories.review import NOW, facts

OPEN = ReviewThresholds(deployment_allows_any_origin=True)
NARROWED = ReviewThresholds(deployment_allows_any_origin=False)


def browser_findings(thresholds: ReviewThresholds, **fields: object) -> list[Severity]:
    origins = cast(tuple[str, ...], fields.pop("allowed_origins", ()))
    serves = cast(bool, fields.pop("serves_companies", True))
    item = dataclasses.replace(facts(**fields), allowed_origins=origins, serves_companies=serves)
    return [
        f.severity
        for f in review_client(item, thresholds, NOW)
        if f.risk is Risk.BROWSER_CLIENT_ANY_ORIGIN
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, [Severity.LOW]),
        ({"serves_companies": False}, []),
        ({"is_anon_buyer": True, "serves_companies": False}, [Severity.MEDIUM]),
        ({"is_anon_buyer": True}, [Severity.MEDIUM]),
        ({"is_anon_buyer": True, "client_secret": "s"}, [Severity.MEDIUM]),
        ({"client_secret": "s"}, []),
        ({"named_secret_count": 1}, []),
        ({"allowed_origins": ("https://shop.example",)}, []),
        ({"is_anon_buyer": True, "allowed_origins": ("https://shop.example",)}, []),
    ],
)
def test_on_a_deployment_open_to_every_origin(
    fields: dict[str, object], expected: list[Severity]
) -> None:
    assert browser_findings(OPEN, **fields) == expected


def test_a_narrowed_deployment_already_bounds_every_client() -> None:
    assert browser_findings(NARROWED, is_anon_buyer=True) == []
    assert browser_findings(NARROWED) == []


def test_the_finding_says_how_to_fix_it() -> None:
    found = next(
        f
        for f in review_client(facts(is_anon_buyer=True), OPEN, NOW)
        if f.risk is Risk.BROWSER_CLIENT_ANY_ORIGIN
    )
    assert "/gatehouse/apiclients/{id}/origins" in found.fix
    assert "GATEHOUSE_CORS_ORIGINS" in found.fix


def test_a_secret_less_seller_only_client_is_not_flagged() -> None:
    """Admin tools (the bootstrap client, the console's): ``browser_client_any_origin``."""
    item = dataclasses.replace(facts(allow_seller=True), serves_companies=False)
    assert not [
        f for f in review_client(item, OPEN, NOW) if f.risk is Risk.BROWSER_CLIENT_ANY_ORIGIN
    ]
