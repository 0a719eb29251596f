"""Authlib 1.x + Flask peer serving all three benchmarked paths from one process group:
``client_credentials`` and ``refresh_token`` at ``POST /token`` (HTTP Basic), and an
authenticated resource read at ``GET /me`` (a bearer JWT validated by Authlib's RFC 9068
resource protector, answering the token's subject). Written for this benchmark.

    AT_ALG=RS256 gunicorn --preload -w 2 -b 127.0.0.1:PORT authlib_app:app

The client, secret and token shape match /work/shared/bench-peers/authlib (JWT access
tokens per RFC 9068, 600 s, nothing stored per token). For the refresh grant one refresh
token (``REFRESH_TOKEN``) of one user exists in memory, made at import so every
``--preload`` worker holds it; like Gatehouse's it is not rotated and not consumed, so the
bench can replay one value. Gatehouse instead looks its refresh tokens up in the database
(hashed) and re-checks client, user and company, so this peer is the cheaper bound.
``GET /me`` verifies the signature and claims only; Gatehouse's ``GET /v1/me`` also reads
the user's row.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator, JWTBearerTokenValidator
from flask import Flask
from joserfc.jwk import ECKey, RSAKey

PORT = os.environ.get("PORT", "8001")
ISSUER = f"http://127.0.0.1:{PORT}"
AUDIENCE = "urn:bench:api"
ALG = os.environ.get("AT_ALG", "RS256")
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
REFRESH_TOKEN = "bench-refresh-0123456789abcdef0123456789abcdef"
if ALG == "RS256":
    KEY: Any = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
elif ALG == "ES256":
    KEY = ECKey.generate_key("P-256", parameters={"kid": "k1", "use": "sig"})
else:
    raise SystemExit(f"unsupported AT_ALG {ALG}")


class Client(ClientMixin):
    def __init__(self, client_id: str, secret: str, scopes: list[str]) -> None:
        self.client_id = client_id
        self.secret = secret
        self.scopes = set(scopes)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        return " ".join(s for s in scope.split() if s in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("client_credentials", "refresh_token")


class User:
    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    def get_user_id(self) -> str:
        return self.user_id


class StoredRefreshToken:
    """What Authlib's refresh grant asks of a stored refresh token."""

    def __init__(self, client_id: str, user: User, scope: str) -> None:
        self.client_id = client_id
        self.user = user
        self.scope = scope

    def check_client(self, client: Client) -> bool:
        return bool(client.get_client_id() == self.client_id)

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return False

    def is_revoked(self) -> bool:
        return False


CLIENTS = {CLIENT_ID: Client(CLIENT_ID, CLIENT_SECRET, ["read", "write"])}
REFRESH_TOKENS = {REFRESH_TOKEN: StoredRefreshToken(CLIENT_ID, User("bench-user"), "read")}


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

    def authenticate_refresh_token(self, refresh_token: str) -> StoredRefreshToken | None:
        return REFRESH_TOKENS.get(refresh_token)

    def authenticate_user(self, refresh_token: StoredRefreshToken) -> User:
        return refresh_token.user

    def revoke_old_credential(self, refresh_token: StoredRefreshToken) -> None:
        """Not rotated, not consumed: the same value keeps working (as in Gatehouse)."""


class TokenGenerator(JWTBearerTokenGenerator):
    def get_jwks(self) -> Any:
        return KEY

    def get_audiences(self, client: Client, user: User | None, scope: str) -> str:
        return AUDIENCE


class TokenValidator(JWTBearerTokenValidator):
    def get_jwks(self) -> Any:
        return KEY


app = Flask(__name__)
server = AuthorizationServer(app, query_client=CLIENTS.get, save_token=lambda token, request: None)
server.register_grant(grants.ClientCredentialsGrant)
server.register_grant(RefreshTokenGrant)
server.register_token_generator(
    "default", TokenGenerator(ISSUER, alg=ALG, expires_generator=lambda client, grant_type: 600)
)
require_oauth = ResourceProtector()
require_oauth.register_token_validator(TokenValidator(ISSUER, AUDIENCE))


@app.post("/token")
def token() -> Any:
    return server.create_token_response()


@app.get("/me")
@require_oauth()
def me() -> dict[str, Any]:
    claims = current_token
    return {"sub": claims["sub"], "client_id": claims["client_id"], "scope": claims.get("scope")}
