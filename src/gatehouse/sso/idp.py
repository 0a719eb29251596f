"""The identity provider side: the code exchange at ``TokenEndpoint`` (ordercloud-sso.md §3.4)
and the ID token check (§3.5, decisions.md: fully validated).

The ID token's signature is checked with keys found through its issuer's discovery document
(``{iss}/.well-known/openid-configuration`` → ``jwks_uri``); ``iss`` must equal the document's
``issuer``, ``aud`` must contain ``ConnectClientID`` (and ``azp`` name it when there are
several audiences), ``exp``/``iat`` must be present and current, and ``nonce`` must be the one
sent. Discovery documents and key sets are cached per config and issuer for an hour; a config
change (any field the cache depends on) starts afresh, and an unknown ``kid`` refetches the key
set at most once a minute (the IdP rotated its keys).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jwt

from gatehouse.domain.openid_connects import OpenIdConnect
from gatehouse.domain.sso import TOKEN_VALIDATION_FAILED, SsoFlowError
from gatehouse.sso.http_client import SsoHttp

if TYPE_CHECKING:
    import httpx

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
"""Asymmetric only: never ``none`` nor an HMAC keyed with something public."""
METADATA_TTL_SECONDS = 3600.0
KEY_REFETCH_SECONDS = 60.0
LEEWAY_SECONDS = 60
MAX_RESPONSE_BYTES = 1_000_000
MAX_CACHED_ISSUERS = 1000
"""One entry per (client, config, issuer); a config change replaces its entry in place."""


@dataclass(frozen=True, slots=True)
class IdpTokens:
    id_token: str
    access_token: str | None
    refresh_token: str | None


@dataclass(slots=True)
class _Issuer:
    fingerprint: tuple[str, ...]
    jwks_uri: str
    keys: dict[str, jwt.PyJWK]
    fetched: float
    keys_fetched: float


def token_failure(reason: str) -> SsoFlowError:
    """What the user sees is OrderCloud's one known text; the reason goes to the audit trail."""
    return SsoFlowError("OpenIdConnect.InvalidIdToken", TOKEN_VALIDATION_FAILED, {"Reason": reason})


@dataclass
class IdpClient:
    http: SsoHttp
    _cache: dict[tuple[str, str, str], _Issuer] = field(default_factory=dict)

    async def exchange_code(
        self, config: OpenIdConnect, code: str, redirect_uri: str, verifier: str | None
    ) -> IdpTokens:
        """``UrlEncoded`` true: a form with the client credentials in it; false: HTTP Basic
        plus a JSON body (spec §3.4)."""
        params = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if verifier is not None:
            params["code_verifier"] = verifier
        import httpx  # loaded with the first sign-in (sso/http_client.py)

        http = self.http.client()
        try:
            if config.url_encoded:
                form = params | {
                    "client_id": config.connect_client_id,
                    "client_secret": config.connect_client_secret,
                }
                response = await http.post(config.token_endpoint, data=form)
            else:
                auth = (config.connect_client_id, config.connect_client_secret)
                response = await http.post(config.token_endpoint, json=params, auth=auth)
        except httpx.HTTPError as exc:
            raise token_failure(f"token endpoint unreachable: {type(exc).__name__}") from exc
        return _tokens_from(response)

    async def validate(self, config: OpenIdConnect, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
            unverified = jwt.decode(id_token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise token_failure("ID token is not a JWT") from exc
        issuer, alg = unverified.get("iss"), header.get("alg")
        if not isinstance(issuer, str) or not issuer.startswith(("https://", "http://")):
            raise token_failure("ID token has no usable iss")
        if alg not in ALGORITHMS:
            raise token_failure(f"ID token algorithm {alg!r} is not allowed")
        key = await self._key(config, issuer, header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=[alg],
                audience=config.connect_client_id,
                issuer=issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise token_failure(f"ID token rejected: {exc}") from exc
        _check_nonce_and_azp(claims, nonce, config.connect_client_id)
        return claims

    async def _key(self, config: OpenIdConnect, issuer: str, kid: Any) -> jwt.PyJWK:
        now = time.monotonic()
        cache_key = (config.api_client_id, config.id, issuer)
        entry = self._cache.get(cache_key)
        stale = entry is None or now - entry.fetched > METADATA_TTL_SECONDS
        if entry is None or stale or entry.fingerprint != config.fingerprint():
            if len(self._cache) >= MAX_CACHED_ISSUERS:
                self._cache.clear()
            entry = await self._discover(config.fingerprint(), issuer, now)
            self._cache[cache_key] = entry
        found = _pick(entry.keys, kid)
        if found is None and now - entry.keys_fetched > KEY_REFETCH_SECONDS:
            entry.keys, entry.keys_fetched = await self._jwks(entry.jwks_uri), now
            found = _pick(entry.keys, kid)
        if found is None:
            raise token_failure("no key of the issuer matches the ID token's kid")
        return found

    async def _discover(self, fingerprint: tuple[str, ...], issuer: str, now: float) -> _Issuer:
        document = await self._get_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        if document.get("issuer") != issuer or not isinstance(document.get("jwks_uri"), str):
            raise token_failure("the issuer's discovery document does not match the ID token")
        jwks_uri = document["jwks_uri"]
        return _Issuer(fingerprint, jwks_uri, await self._jwks(jwks_uri), now, now)

    async def _jwks(self, uri: str) -> dict[str, jwt.PyJWK]:
        document = await self._get_json(uri)
        keys: dict[str, jwt.PyJWK] = {}
        for index, jwk in enumerate(document.get("keys") or []):
            if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[str(jwk.get("kid", f"#{index}"))] = jwt.PyJWK(jwk)
            except jwt.PyJWTError:
                continue  # a key type this server does not use for ID tokens
        return keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        import httpx  # loaded with the first sign-in (sso/http_client.py)

        try:
            response = await self.http.client().get(url)
        except httpx.HTTPError as exc:
            raise token_failure(f"{url} unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200 or len(response.content) > MAX_RESPONSE_BYTES:
            raise token_failure(f"{url} answered {response.status_code}")
        try:
            document = response.json()
        except ValueError as exc:
            raise token_failure(f"{url} is not JSON") from exc
        if not isinstance(document, dict):
            raise token_failure(f"{url} is not a JSON object")
        return document


def _pick(keys: dict[str, jwt.PyJWK], kid: Any) -> jwt.PyJWK | None:
    if kid is not None:
        return keys.get(str(kid))
    return next(iter(keys.values())) if len(keys) == 1 else None


def _check_nonce_and_azp(claims: dict[str, Any], nonce: str, client_id: str) -> None:
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise token_failure("nonce mismatch")
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise token_failure("azp does not name the client")


def _tokens_from(response: httpx.Response) -> IdpTokens:
    """A non-2xx answer or one without ``id_token`` ends the flow (spec §7.6)."""
    if not 200 <= response.status_code < 300:
        error = ""
        try:
            body = response.json()
            error = str(body.get("error", ""))[:100] if isinstance(body, dict) else ""
        except ValueError:
            pass
        raise token_failure(f"token endpoint answered {response.status_code} {error}".strip())
    try:
        body = response.json()
    except ValueError as exc:
        raise token_failure("token endpoint answer is not JSON") from exc
    id_token = body.get("id_token") if isinstance(body, dict) else None
    if not isinstance(id_token, str):
        raise token_failure("token endpoint answer has no id_token")
    access, refresh = body.get("access_token"), body.get("refresh_token")
    return IdpTokens(
        id_token,
        access if isinstance(access, str) else None,
        refresh if isinstance(refresh, str) else None,
    )
