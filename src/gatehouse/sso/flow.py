"""``/ocrplogin`` and ``/ocrpcode`` (ordercloud-sso.md §3; decisions.md "Single sign-on").

``begin``: the config is found by ``id`` in the marketplace of ``cid`` (config IDs are unique
per marketplace only, so ``cid`` is required); the client must be the config's and active;
``appstartpath`` must be a safe path and ``customParams`` may not set protocol parameters.
A state, a nonce and (by default) a PKCE verifier are stored server-side under the SHA-256 of
the state, bound to the browser by the SHA-256 of a cookie value, for ``sso_state_minutes``.

``complete``: the state is consumed (single use, even when the rest fails), the cookie must
match, an IdP ``error`` ends the flow, the code is exchanged, the ID token validated, the user
found (``identities``), the token issued, and the browser sent to ``AppStartUrl``.

Failures after the config is known go to ``CustomErrorUrl`` when it is set; otherwise (or
before the config is known) the router answers 400 with a small page. Every completion,
issued or refused, is recorded like a token request with grant type ``sso`` (audit trail with
the reason, per-client metrics).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from gatehouse.crypto import sha256_hex
from gatehouse.domain.errors import DomainError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.openid_connects import OpenIdConnect
from gatehouse.domain.sso import (
    AuthorizationRequest,
    SsoFlowError,
    authorization_url,
    parse_custom_params,
    parse_roles,
    pkce_challenge,
    render_app_start_url,
    render_error_url,
    safe_app_start_path,
    scopes_for,
)
from gatehouse.oauth.errors import InvalidGrantError, OAuthError
from gatehouse.oauth.grants.base import GrantContext
from gatehouse.oauth.server import TokenAttempt, TokenObserver, attempt_context
from gatehouse.oauth.sso import issue_sso_token
from gatehouse.oauth.store import TokenStore
from gatehouse.services.openid_connects import OpenIdConnects
from gatehouse.settings import Settings
from gatehouse.sso.identities import IdentityResolver
from gatehouse.sso.idp import IdpClient
from gatehouse.storage.db import Database
from gatehouse.storage.queries import api_clients
from gatehouse.storage.queries import sso as sso_q

GRANT = "sso"
CALLBACK_PATH = "/ocrpcode"
MAX_PARAM = 4000


@dataclass(frozen=True, slots=True)
class LoginRequest:
    config_id: str | None
    client_id: str | None
    roles: str | None
    app_start_path: str | None
    custom_params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Callback:
    state: str | None
    code: str | None
    error: str | None
    error_description: str | None


@dataclass(frozen=True, slots=True)
class Redirect:
    url: str
    browser: str | None = None
    """A new browser-binding cookie value to set, if any."""
    attempt: TokenAttempt | None = None


class SsoFailedError(Exception):
    """The flow ended: ``error`` is what went wrong (its message is shown), ``error_url`` the
    rendered ``CustomErrorUrl`` when the config is known and has one."""

    def __init__(
        self,
        error: DomainError | OAuthError,
        error_url: str | None,
        attempt: TokenAttempt | None = None,
    ) -> None:
        super().__init__(error.code)
        self.error = error
        self.error_url = error_url
        self.attempt = attempt

    @property
    def message(self) -> str:
        return self.error.description if isinstance(self.error, OAuthError) else self.error.message


@dataclass
class SsoFlow:
    db: Database
    settings: Settings
    ctx: GrantContext
    configs: OpenIdConnects
    idp: IdpClient
    identities: IdentityResolver
    store: TokenStore
    observers: tuple[TokenObserver, ...] = field(default_factory=tuple)

    @property
    def redirect_uri(self) -> str:
        return self.settings.effective_base_url + CALLBACK_PATH

    async def begin(self, login: LoginRequest, browser: str | None) -> Redirect:
        config, marketplace_id = await self._config_for_login(login)
        try:
            path = safe_app_start_path(login.app_start_path)
            custom = parse_custom_params(login.custom_params)
            client = await self._client(marketplace_id, config.api_client_id)
            if not client:
                raise SsoFlowError("Auth.ClientNotActive", "Client ID is not active.")
        except SsoFlowError as exc:
            raise SsoFailedError(exc, _error_url(config, exc.message)) from exc
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64) if self.settings.sso_pkce else None
        fresh = None if _valid_browser(browser) else secrets.token_urlsafe(32)
        pending = sso_q.PendingState(
            marketplace_id=marketplace_id,
            config_id=config.id,
            browser_sha256=sha256_hex(fresh or browser or ""),
            nonce=nonce,
            code_verifier=verifier,
            roles=parse_roles(login.roles),
            app_start_path=path,
            expires_at=self.ctx.clock.now() + timedelta(minutes=self.settings.sso_state_minutes),
        )
        async with self.db.write() as session:
            await sso_q.purge_states(session, self.ctx.clock.now())
            await sso_q.save_state(session, sha256_hex(state), pending)
        request = AuthorizationRequest(
            client_id=config.connect_client_id,
            redirect_uri=self.redirect_uri,
            scopes=scopes_for(config.additional_scopes),
            state=state,
            nonce=nonce,
            code_challenge=pkce_challenge(verifier) if verifier else None,
            custom_params=custom,
        )
        return Redirect(authorization_url(config.authorization_endpoint, request), fresh)

    async def _config_for_login(self, login: LoginRequest) -> tuple[OpenIdConnect, str]:
        if not login.config_id or not login.client_id:
            raise SsoFailedError(
                SsoFlowError("OpenIdConnect.InvalidLogin", "id and cid are required."), None
            )
        client_id = normalize_client_id(login.client_id)
        async with self.db.read() as session:
            found = await api_clients.get_any(session, client_id=client_id)
        config = None
        if found is not None:
            config = await self.configs.find(found[0], login.config_id)
        if found is None or config is None:
            raise SsoFailedError(
                SsoFlowError("NotFound", "No OpenIdConnect config with this id for this cid."),
                None,
            )
        if config.api_client_id != client_id:
            error = SsoFlowError("OpenIdConnect.ClientMismatch", "cid is not this config's client.")
            raise SsoFailedError(error, _error_url(config, error.message))
        return config, found[0]

    async def _client(self, marketplace_id: str, client_id: str) -> bool:
        async with self.db.read() as session:
            client = await api_clients.get(
                session, marketplace_id=marketplace_id, client_id=client_id
            )
        return client is not None and client.active

    async def complete(self, callback: Callback, browser: str | None) -> Redirect:
        pending = await self._consume(callback.state)
        attempt = TokenAttempt(grant_type=GRANT, marketplace_id=pending.marketplace_id)
        config = await self.configs.find(pending.marketplace_id, pending.config_id)
        if config is None:
            raise SsoFailedError(
                SsoFlowError("NotFound", "The OpenIdConnect config is gone."), None
            )
        attempt.client_id = config.api_client_id
        attempt.details["OpenIdConnectID"] = config.id
        with attempt_context(attempt):
            try:
                url = await self._complete(config, pending, callback, browser)
            except (DomainError, OAuthError) as exc:
                self._notify(attempt, exc)
                message = exc.description if isinstance(exc, OAuthError) else exc.message
                raise SsoFailedError(exc, _error_url(config, message), attempt) from exc
        self._notify(attempt, None)
        return Redirect(url, attempt=attempt)

    async def _consume(self, state: str | None) -> sso_q.PendingState:
        pending = None
        if state and len(state) <= MAX_PARAM:
            async with self.db.write() as session:
                pending = await sso_q.consume_state(session, sha256_hex(state))
        if pending is None or pending.expires_at <= self.ctx.clock.now():
            error = SsoFlowError(
                "OpenIdConnect.InvalidState",
                "This sign-in link is unknown, expired or already used. Please sign in again.",
            )
            raise SsoFailedError(error, None)
        return pending

    async def _complete(
        self,
        config: OpenIdConnect,
        pending: sso_q.PendingState,
        callback: Callback,
        browser: str | None,
    ) -> str:
        code = _checked_callback(pending, callback, browser)
        tokens = await self.idp.exchange_code(
            config, code, self.redirect_uri, pending.code_verifier
        )
        claims = await self.idp.validate(config, tokens.id_token, pending.nonce)
        user_id = await self.identities.user_for(pending.marketplace_id, config, claims, tokens)
        issued = await issue_sso_token(
            self.store,
            self.ctx,
            marketplace_id=pending.marketplace_id,
            client_id=config.api_client_id,
            user_internal_id=user_id,
            roles=pending.roles,
        )
        values = {
            "0": issued.access_token,
            "1": tokens.access_token,
            "3": issued.refresh_token,
            "4": tokens.refresh_token,
        }
        return render_app_start_url(config.app_start_url, values, pending.app_start_path)

    def _notify(self, attempt: TokenAttempt, error: DomainError | OAuthError | None) -> None:
        if isinstance(error, DomainError):
            reason = error.data.get("Reason") if isinstance(error.data, dict) else None
            attempt.details["Reason"] = str(reason or error.message)[:300]
            error = InvalidGrantError(error.code, error.message)
        elif error is not None:
            attempt.details["Reason"] = error.description[:300]
        for observer in self.observers:
            observer.observe(attempt, error)


def _checked_callback(pending: sso_q.PendingState, callback: Callback, browser: str | None) -> str:
    """The callback's code, once it is known to come from the browser that started the sign-in
    and to carry no IdP error."""
    if not _valid_browser(browser) or not hmac.compare_digest(
        sha256_hex(browser or ""), pending.browser_sha256
    ):
        raise SsoFlowError(
            "OpenIdConnect.InvalidState",
            "This sign-in was started in another browser. Please sign in again.",
            {"Reason": "browser binding cookie missing or different"},
        )
    if callback.error:
        detail = f"{callback.error}: {callback.error_description or ''}".strip(": ")
        raise SsoFlowError(
            "OpenIdConnect.IdpError",
            f"The identity provider refused the sign-in ({detail[:200]}).",
            {"Reason": f"IdP error {callback.error[:100]}"},
        )
    if not callback.code or len(callback.code) > MAX_PARAM:
        raise SsoFlowError("OpenIdConnect.CodeRequired", "The identity provider sent no code.")
    return callback.code


def _error_url(config: OpenIdConnect, message: str) -> str | None:
    if not config.custom_error_url:
        return None
    return render_error_url(config.custom_error_url, message)


def _valid_browser(value: str | None) -> bool:
    return value is not None and 40 <= len(value) <= 64 and value.isascii()
