"""The token endpoint: parse the form, pick the grant by ``grant_type``, run it.

Adding a grant means one module in ``grants/`` and one entry in ``TokenEndpoint(grants=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from gatehouse.oauth.errors import InvalidRequestError, OAuthError, UnsupportedGrantTypeError

FORM_FIELDS = (
    "grant_type",
    "client_id",
    "client_secret",
    "username",
    "password",
    "scope",
    "refresh_token",
    "anonuserid",
)
MAX_FIELD_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """The form fields the SDKs send. An empty value counts as absent (the Python SDK always
    sends ``client_secret=``, the .NET SDK always sends ``scope``)."""

    grant_type: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    username: str | None = None
    password: str | None = None
    scope: str | None = None
    refresh_token: str | None = None
    anonuserid: str | None = None
    basic_secret_as_sent: str | None = None
    """The Basic secret before RFC 6749's form-decoding, when that changed it: most clients
    (authlib, requests-oauthlib, curl) skip the encoding step (``oauth.client_auth``)."""

    origin: str | None = None
    """Not a form field: the ``Origin`` of a cross-origin browser request (set by the HTTP
    layer), checked against the client's allowed origins."""

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> TokenRequest:
        values: dict[str, str] = {}
        for key, value in pairs:
            if key in FORM_FIELDS and value != "" and key not in values:
                if len(value) > MAX_FIELD_LENGTH:
                    raise InvalidRequestError(
                        "Request.FieldTooLong", f"The {key} field is too long."
                    )
                if "\x00" in value:
                    raise InvalidRequestError(
                        "Request.InvalidCharacters", f"The {key} field contains a NUL character."
                    )
                values[key] = value
        return cls(**values)


@dataclass(frozen=True, slots=True)
class TokenResponse:
    access_token: str
    expires_in: int
    refresh_token: str | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
        }
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        return body


class Grant(Protocol):
    grant_type: str

    async def issue(self, request: TokenRequest) -> TokenResponse: ...


@dataclass(slots=True)
class TokenAttempt:
    """What one token request has established so far (filled in by the grants as they find
    the client and the user), for the audit trail and metrics. Never holds a secret."""

    grant_type: str = ""
    marketplace_id: str | None = None
    client_id: str | None = None
    user_internal_id: int | None = None
    username: str | None = None
    user_type: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    """Extra audit details (the SSO flow's config ID and failure reason); never a secret."""


_ATTEMPT: ContextVar[TokenAttempt | None] = ContextVar("gatehouse_token_attempt", default=None)


def current_attempt() -> TokenAttempt | None:
    """The token request being handled in this task, if any."""
    return _ATTEMPT.get()


@contextmanager
def attempt_context(attempt: TokenAttempt) -> Iterator[TokenAttempt]:
    """Run a token issuance outside ``TokenEndpoint`` (the SSO flow) with ``attempt`` as the
    request's attempt, so the grants' helpers note its client and user."""
    reset = _ATTEMPT.set(attempt)
    try:
        yield attempt
    finally:
        _ATTEMPT.reset(reset)


class TokenObserver(Protocol):
    def observe(self, attempt: TokenAttempt, error: OAuthError | None) -> None:
        """Called once per request with a known grant type; must not block or raise."""
        ...


class TokenEndpoint:
    def __init__(self, grants: Sequence[Grant], observers: Sequence[TokenObserver] = ()) -> None:
        self._grants = {grant.grant_type: grant for grant in grants}
        self._observers = tuple(observers)

    async def handle(
        self, request: TokenRequest, attempt: TokenAttempt | None = None
    ) -> TokenResponse:
        """Run the grant. ``attempt`` (the caller's, for metrics) learns which client and user
        the request was for; observers (the audit trail) see it with the outcome."""
        grant = self._grants.get(request.grant_type or "")
        if grant is None:
            raise UnsupportedGrantTypeError()
        attempt = attempt if attempt is not None else TokenAttempt()
        attempt.grant_type = grant.grant_type
        reset = _ATTEMPT.set(attempt)
        try:
            response = await grant.issue(request)
        except OAuthError as exc:
            self._notify(attempt, exc)
            raise
        finally:
            _ATTEMPT.reset(reset)
        self._notify(attempt, None)
        return response

    def _notify(self, attempt: TokenAttempt, error: OAuthError | None) -> None:
        for observer in self._observers:
            observer.observe(attempt, error)
