"""A real HTTP identity provider in a thread, for the faults node-oidc-provider will not
produce on demand (an ID token signed by another key, a wrong audience, a wrong nonce, an
error answer) and to see exactly what Gatehouse sends to the token endpoint. It serves a
discovery document, a JWKS and a token endpoint; the tests play the browser's part at the
authorization endpoint by minting codes directly."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    sub: str
    nonce: str | None
    challenge: str | None
    claims: dict[str, Any]


@dataclass
class FakeIdp:
    client_id: str = "gatehouse-at-idp"
    client_secret: str = "idp-secret-0123456789"
    key: rsa.RSAPrivateKey = field(default_factory=_key)
    other_key: rsa.RSAPrivateKey = field(default_factory=_key)
    kid: str = "idp-key-1"
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    discovery_hits: int = 0
    sign_with_other_key: bool = False
    token_status: int = 200
    _server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeIdp:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    idp.discovery_hits += 1
                    self._json(200, idp.discovery())
                elif self.path == "/jwks":
                    self._json(200, idp.jwks())
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = idp.token(dict(self.headers), raw)
                self._json(status, body)

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def issue_code(
        self, *, sub: str, nonce: str | None, challenge: str | None, **claims: Any
    ) -> str:
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(sub, nonce, challenge, claims)
        return code

    def token(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        content_type = headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            params = json.loads(raw)
            basic = headers.get("Authorization", "").removeprefix("Basic ")
            client_id, _, secret = base64.b64decode(basic).decode().partition(":")
        else:
            params = dict(parse_qsl(raw.decode()))
            client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
        self.token_requests.append({"content_type": content_type, "params": params})
        if self.token_status != 200:
            return self.token_status, {"error": "server_error"}
        if (client_id, secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = self.grants.pop(params.get("code", ""), None)
        if grant is None:
            return 400, {"error": "invalid_grant"}
        if grant.challenge is not None:
            verifier = params.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        return 200, {
            "id_token": self.id_token(grant),
            "access_token": "idp-access-" + secrets.token_hex(8),
            "refresh_token": "idp-refresh-" + secrets.token_hex(8),
            "token_type": "Bearer",
        }

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.sub,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        claims.update(grant.claims)
        key = self.other_key if self.sign_with_other_key else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})
