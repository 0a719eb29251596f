"""OAuth errors for ``/oauth/token``: each renders RFC 6749's ``error``/``error_description``
*and* OrderCloud's ``Errors[]`` (the .NET SDK reads the first, the JS SDK the second).

Status and ``error`` follow decisions.md's table: 400 for ``invalid_request``,
``unsupported_grant_type`` and ``invalid_grant``; 401 for ``invalid_client``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class OAuthError(Exception):
    error: ClassVar[str] = "invalid_request"
    status_code: ClassVar[int] = 400

    def __init__(self, code: str, description: str, data: Any = None) -> None:
        super().__init__(f"{self.error}: {code}")
        self.code = code
        self.description = description
        self.data = data

    def body(self) -> dict[str, Any]:
        return {
            "error": self.error,
            "error_description": self.description,
            "Errors": [{"ErrorCode": self.code, "Message": self.description, "Data": self.data}],
        }

    def headers(self) -> dict[str, str]:
        return {"Cache-Control": "no-store", "Pragma": "no-cache"}


class InvalidRequestError(OAuthError):
    error = "invalid_request"


class UnsupportedGrantTypeError(OAuthError):
    error = "unsupported_grant_type"

    def __init__(self) -> None:
        super().__init__("Auth.UnsupportedGrantType", "The grant type is not supported.")


class InvalidClientError(OAuthError):
    error = "invalid_client"
    status_code = 401


class InvalidGrantError(OAuthError):
    error = "invalid_grant"


class BasicChallengeError(InvalidClientError):
    """A failed HTTP Basic client authentication (RFC 6749 §5.2): 401 ``invalid_client`` with
    a ``WWW-Authenticate: Basic`` challenge naming the scheme the client used."""

    @classmethod
    def of(cls, error: InvalidClientError) -> BasicChallengeError:
        return cls(error.code, error.description, error.data)

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "WWW-Authenticate": 'Basic realm="gatehouse"'}


def invalid_client_id() -> InvalidClientError:
    return InvalidClientError("ApiClient.InvalidClientID", "Invalid Client ID.")


def invalid_client_secret() -> InvalidClientError:
    return InvalidClientError("Auth.InvalidClientSecret", "invalid client secret")


def invalid_credentials() -> InvalidGrantError:
    return InvalidGrantError("Auth.InvalidUsernameOrPassword", "Invalid username or password.")


class SlowDownError(OAuthError):
    """429 from ``/oauth/token``: the client's token-endpoint bucket is empty
    (``RateLimit.Exceeded``) or the username has too many recent failed passwords
    (``Auth.TooManyFailedAttempts``). ``slow_down`` is the IANA-registered token endpoint error
    (RFC 8628) that says "retry later"; ``Retry-After`` says when."""

    error = "slow_down"
    status_code = 429

    def __init__(self, code: str, description: str, retry_after: int) -> None:
        super().__init__(code, description, {"RetryAfter": retry_after})
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "Retry-After": str(self.retry_after)}


def client_rate_limited(retry_after: int) -> SlowDownError:
    return SlowDownError(
        "RateLimit.Exceeded",
        "Too many token requests for this API client. Retry later.",
        retry_after,
    )


def too_many_failed_attempts(retry_after: int) -> SlowDownError:
    return SlowDownError(
        "Auth.TooManyFailedAttempts",
        "Too many failed password attempts for this username. Retry later.",
        retry_after,
    )


class UnauthorizedClientError(OAuthError):
    """RFC 6749 §5.2 ``unauthorized_client`` (400): the client may not be used this way."""

    error = "unauthorized_client"


def origin_not_allowed(origin: str) -> UnauthorizedClientError:
    """A browser request from an origin the client does not list (Gatehouse's own)."""
    return UnauthorizedClientError(
        "Auth.OriginNotAllowed",
        "This API client does not allow requests from this origin.",
        {"Origin": origin[:300]},
    )
