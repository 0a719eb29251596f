"""Explain's checks of the API client: its secret, active state, client credentials' default
context user and single sign-on configs, in the token endpoint's order."""

from __future__ import annotations

from datetime import datetime

from gatehouse.domain.access import (
    client_credentials_refusal,
)
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.explain.model import (
    Check,
    ExplainClient,
    GrantType,
    fail_check,
    pass_check,
    refusal_check,
)


def sso_check(client: ExplainClient) -> Check:
    ids = client.openid_connect_ids
    if not ids:
        return fail_check(
            "OpenIdConnect",
            "the client has no OpenIdConnect config: /ocrplogin refuses",
            "NotFound",
        )
    return pass_check("OpenIdConnect", f"OpenIdConnect config(s): {', '.join(ids)}")


def secret_check(grant_type: GrantType, client: ExplainClient, now: datetime) -> Check:
    """The secret is never shown or checked (none is given); only whether the client has one
    and whether any could still match."""
    if grant_type is GrantType.SSO:
        return Check("ClientSecret", None, "not applicable: the SSO flow sends no client_secret")
    if not client.has_secret and grant_type is GrantType.ANONYMOUS:
        return pass_check(
            "ClientSecret",
            "the client has no secret, as an anonymous-buyer client should: shoppers send none",
        )
    if not client.has_secret:
        needed = (
            "; the client credentials grant needs one"
            if grant_type is GrantType.CLIENT_CREDENTIALS
            else ""
        )
        return pass_check(
            "ClientSecret", f"the client has no secret: no client_secret is checked{needed}"
        )
    live = client.live_named_secrets(now)
    kinds = []
    if client.client.has_legacy_secret:
        kinds.append("a legacy ClientSecret")
    if client.named_secrets:
        kinds.append(f"{len(client.named_secrets)} named secret(s), {live} unexpired")
    has = " and ".join(kinds)
    if not client.client.has_legacy_secret and live == 0:
        return fail_check(
            "ClientSecret",
            f"the client has {has}: every named secret has expired, so no client_secret can match",
            "Auth.InvalidClientSecret",
        )
    return pass_check(
        "ClientSecret", f"the client has {has}: requests must send a matching client_secret"
    )


def client_active(client: ApiClient) -> Check:
    if client.active:
        return pass_check("ClientActive", "the client is active")
    return fail_check(
        "ClientActive", "the client is inactive (Active false)", "Auth.ClientNotActive"
    )


def client_credentials_check(grant_type: GrantType, client: ExplainClient) -> Check:
    refusal = client_credentials_refusal(
        is_anon_buyer=client.client.is_anon_buyer,
        has_secret=client.has_secret,
        default_context_username=client.client.default_context_username,
    )
    if grant_type is GrantType.ANONYMOUS:
        return refusal_check(
            "AnonymousGrantAllowed",
            refusal.message if refusal else "",
            refusal,
            "the anonymous grant: each token is a new temporary shopper made from the template "
            f"user {client.client.default_context_username!r}, valid for AnonymousTokenDuration "
            f"({client.client.anonymous_token_duration} minutes)",
        )
    return refusal_check(
        "ClientCredentialsAllowed",
        refusal.message if refusal else "",
        refusal,
        f"the client has a secret and a default context user "
        f"({client.client.default_context_username!r})",
    )
