"""RFC 8414 authorization server metadata (``/.well-known/oauth-authorization-server``).

No authorization endpoint: Gatehouse has no browser-redirect grant, so ``response_types_supported``
(required by RFC 8414) is empty. ``scopes_supported`` lists the OrderCloud API roles: a
``scope`` is a space-separated list of roles (spec §3.3). Bearer tokens are also accepted at
the introspection endpoint, but RFC 8414's auth-method lists name only registered client
authentication methods, so they say ``client_secret_basic`` and ``client_secret_post`` there.
"""

from __future__ import annotations

from typing import Any

from gatehouse.domain.roles import ApiRole

CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


def authorization_server_metadata(base: str) -> dict[str, Any]:
    return {
        "issuer": base,
        "token_endpoint": f"{base}/oauth/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "grant_types_supported": ["password", "client_credentials", "refresh_token"],
        "response_types_supported": [],
        "scopes_supported": [role.value for role in ApiRole],
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint": f"{base}/oauth/revoke",
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint": f"{base}/oauth/introspect",
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS[:2],
    }
