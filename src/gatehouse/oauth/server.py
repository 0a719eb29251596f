"""The token endpoint: parse the form, pick the grant by ``grant_type``, run it.

Adding a grant means one module in ``grants/`` and one entry in ``TokenEndpoint(grants=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from gatehouse.oauth.errors import InvalidRequestError, UnsupportedGrantTypeError

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


@dataclass(slots=True)
class TokenAttempt:
    """What one token request turned out to be about, for the per-client metrics: the grant
    type asked for, and the client once its ID resolved to an existing client (``None`` while
    it has not, so unknown client IDs never become metric labels)."""

    grant_type: str | None = None
    marketplace_id: str | None = None
    client_id: str | None = None


_ATTEMPT: ContextVar[TokenAttempt | None] = ContextVar("gatehouse_token_attempt", default=None)


def note_client(marketplace_id: str, client_id: str) -> None:
    """Called by client authentication once the client ID resolved (any later refusal is
    then attributed to this client)."""
    attempt = _ATTEMPT.get()
    if attempt is not None:
        attempt.marketplace_id = marketplace_id
        attempt.client_id = client_id


class Grant(Protocol):
    grant_type: str

    async def issue(self, request: TokenRequest) -> TokenResponse: ...


class TokenEndpoint:
    def __init__(self, grants: Sequence[Grant]) -> None:
        self._grants = {grant.grant_type: grant for grant in grants}

    async def handle(
        self, request: TokenRequest, attempt: TokenAttempt | None = None
    ) -> TokenResponse:
        """Run the grant; ``attempt`` (when given) learns which client the request was for."""
        if attempt is not None:
            attempt.grant_type = request.grant_type
        grant = self._grants.get(request.grant_type or "")
        if grant is None:
            raise UnsupportedGrantTypeError()
        token = _ATTEMPT.set(attempt)
        try:
            return await grant.issue(request)
        finally:
            _ATTEMPT.reset(token)
