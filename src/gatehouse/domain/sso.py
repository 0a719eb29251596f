"""The SSO flow's pure rules (ordercloud-sso.md §3, §7; decisions.md "Single sign-on"): the
IdP authorization URL, which ``customParams`` may be added, the safe ``appstartpath`` check,
the ``AppStartUrl`` / ``CustomErrorUrl`` templating, the ``X-oc-hash`` signature and the
legacy email rule. No HTTP, no SQL."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from gatehouse.domain.errors import InvalidInputError

DEFAULT_SCOPES = ("openid", "profile", "email")
PROTECTED_PARAMS = frozenset(
    {
        "client_id",
        "redirect_uri",
        "state",
        "nonce",
        "response_type",
        "scope",
        "code_challenge",
        "code_challenge_method",
    }
)
"""Parameters Gatehouse sets itself: a ``customParams`` pair naming one is refused."""
MAX_CUSTOM_PARAMS = 20
MAX_PATH = 2000
TOKEN_VALIDATION_FAILED = "error validating token with authority"
"""The one error text OrderCloud is known to show for a failed ID token (spec §3.5)."""


class SsoFlowError(InvalidInputError):
    """A refusal inside the browser flow; its message is what the user is shown (through
    ``CustomErrorUrl`` or Gatehouse's error page)."""


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    nonce: str
    code_challenge: str | None
    custom_params: tuple[tuple[str, str], ...] = ()


def parse_custom_params(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Each ``customParams`` value is a URL-encoded ``name=value`` pair (spec §3.1). One that
    would set a protocol parameter is refused rather than dropped, so a mistake is visible."""
    pairs: list[tuple[str, str]] = []
    for raw in values:
        for name, value in parse_qsl(raw, keep_blank_values=True):
            if name.strip().lower() in PROTECTED_PARAMS:
                raise SsoFlowError(
                    "OpenIdConnect.ProtectedParameter",
                    f"customParams may not set the {name.strip().lower()} parameter.",
                )
            pairs.append((name, value))
    if len(pairs) > MAX_CUSTOM_PARAMS:
        raise SsoFlowError("OpenIdConnect.TooManyParameters", "Too many customParams.")
    return tuple(pairs)


def scopes_for(additional: Iterable[str]) -> tuple[str, ...]:
    """``openid profile email`` plus ``AdditionalIdpScopes``, deduplicated, in order."""
    found: list[str] = []
    for scope in (*DEFAULT_SCOPES, *additional):
        for word in scope.split():
            if word not in found:
                found.append(word)
    return tuple(found)


def authorization_url(endpoint: str, request: AuthorizationRequest) -> str:
    """The IdP redirect: a query already in ``AuthorizationEndpoint`` is kept (the docs once
    suggested ``?response_mode=form_post`` there), then the protocol parameters, then the
    custom pairs."""
    parts = urlsplit(endpoint)
    existing = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in PROTECTED_PARAMS
    ]
    params: list[tuple[str, str]] = [
        ("response_type", "code"),
        ("client_id", request.client_id),
        ("redirect_uri", request.redirect_uri),
        ("scope", " ".join(request.scopes)),
        ("state", request.state),
        ("nonce", request.nonce),
    ]
    if request.code_challenge is not None:
        params += [("code_challenge", request.code_challenge), ("code_challenge_method", "S256")]
    query = urlencode([*existing, *params, *request.custom_params], quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def safe_app_start_path(path: str | None) -> str:
    """``appstartpath`` goes into ``{2}`` decoded, so it must be a same-site path: one leading
    ``/`` (not ``//``), no backslash, no control character, no scheme. Otherwise
    ``https://app.com{2}`` with ``@evil.example`` or ``//evil.example`` would leave the app."""
    if not path:
        return ""
    bad = (
        len(path) > MAX_PATH
        or not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path)
        or urlsplit(path).scheme != ""
        or urlsplit(path).netloc != ""
    )
    if bad:
        raise SsoFlowError(
            "OpenIdConnect.InvalidAppStartPath", "appstartpath must be a path starting with /."
        )
    return path


def render_app_start_url(template: str, values: Mapping[str, str | None], path: str) -> str:
    """``{0}`` OrderCloud token (and ``{token}``), ``{1}`` IdP access token, ``{2}`` the safe
    path (decoded), ``{3}`` OrderCloud refresh token, ``{4}`` IdP refresh token. Token values
    are percent-encoded; a missing one becomes the empty string (clients test truthiness)."""

    def enc(key: str) -> str:
        return quote(values.get(key) or "", safe="")

    replacements = {
        "{token}": enc("0"),
        "{0}": enc("0"),
        "{1}": enc("1"),
        "{2}": path,
        "{3}": enc("3"),
        "{4}": enc("4"),
    }
    return _substitute(template, replacements)


def render_error_url(template: str, message: str) -> str:
    return _substitute(template, {"{0}": quote(message, safe="")})


def _substitute(template: str, replacements: Mapping[str, str]) -> str:
    """One pass, so a substituted value containing ``{1}`` is never substituted again."""
    out: list[str] = []
    index = 0
    while index < len(template):
        for placeholder, value in replacements.items():
            if template.startswith(placeholder, index):
                out.append(value)
                index += len(placeholder)
                break
        else:
            out.append(template[index])
            index += 1
    return "".join(out)


def oc_hash(body: bytes, hash_key: str) -> str:
    """``X-oc-hash``: Base64(HMAC-SHA256(key = UTF-8 ``HashKey``, message = the raw body))."""
    return base64.b64encode(hmac.new(hash_key.encode(), body, hashlib.sha256).digest()).decode()


def legacy_username(claims: Mapping[str, Any]) -> str:
    """Legacy configs (no IntegrationEventID) with the switch on: the user whose ``Username``
    is the ID token's ``email``, only when the IdP says the email is verified."""
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str) or not email:
        raise SsoFlowError(
            "OpenIdConnect.EmailNotVerified",
            "The identity provider did not return a verified email for this user.",
        )
    return email


def parse_roles(raw: str | None) -> str | None:
    """``roles`` as sent: ``+``, ``%20`` and raw spaces all separate words; empty is absent."""
    if raw is None:
        return None
    words = raw.replace("+", " ").split()
    return " ".join(words) or None
