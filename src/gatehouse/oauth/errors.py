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


def invalid_client_id() -> InvalidClientError:
    return InvalidClientError("ApiClient.InvalidClientID", "Invalid Client ID.")


def invalid_client_secret() -> InvalidClientError:
    return InvalidClientError("Auth.InvalidClientSecret", "invalid client secret")


def invalid_credentials() -> InvalidGrantError:
    return InvalidGrantError("Auth.InvalidUsernameOrPassword", "Invalid username or password.")
