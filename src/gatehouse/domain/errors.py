"""Domain exceptions, each carrying a stable OrderCloud ``ErrorCode``.

The HTTP layer maps the *category* (the subclass) to a status code in one place
(``gatehouse.http.errors``); nothing below the HTTP layer knows about status codes.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with an OrderCloud error code, a message and optional data."""

    code: str = "ValidationFailure"
    default_message: str = "Model or property was invalid."

    def __init__(self, code: str | None = None, message: str | None = None, data: Any = None):
        self.code = code or type(self).code
        self.message = message or type(self).default_message
        self.data = data
        super().__init__(f"{self.code}: {self.message}")


class InvalidInputError(DomainError):
    """The request is malformed or breaks a validation rule (400)."""


class RequiredFieldError(InvalidInputError):
    code = "RequiredField"

    def __init__(self, field: str):
        super().__init__(message=f"Field {field} is required", data={"Field": field})


class ListQueryError(InvalidInputError):
    """Bad page, pageSize, sortBy, searchOn or filter in a list request (400)."""


class NotFoundError(DomainError):
    """A referenced object does not exist in the caller's marketplace (404).

    NOTE: the JS SDK builds its message from ``Data.ObjectType``/``Data.ObjectID`` and throws a
    TypeError if ``Data`` is missing, so this error always carries both.
    """

    code = "NotFound"

    def __init__(self, object_type: str, object_id: str | None):
        super().__init__(
            message=f"{object_type} not found: {object_id}",
            data={"ObjectType": object_type, "ObjectID": object_id},
        )


class ConflictError(DomainError):
    """The change conflicts with existing state (409), e.g. a duplicate ID."""

    code = "Conflict"


class IdExistsError(ConflictError):
    code = "IdExists"

    def __init__(self, object_type: str, object_id: str):
        super().__init__(
            message=f"{object_type} already exists: {object_id}",
            data={"ObjectType": object_type, "ObjectID": object_id},
        )


class UnauthenticatedError(DomainError):
    """The bearer token is missing, malformed, badly signed, wrong-audience or expired (401)."""

    code = "InvalidToken"
    default_message = "Access token is invalid or expired."


class TokenRevokedError(UnauthenticatedError):
    """The token was issued before its user revoked their tokens (401, spec §3.11)."""

    code = "Auth.TokenRevoked"
    default_message = "The provided token has been revoked. Please re-authenticate."


class ForbiddenError(DomainError):
    """The caller is authenticated but may not do this (403)."""

    code = "Auth.InsufficientRoles"
    default_message = "User does not have role(s) required to perform this action."


class AnonUserProhibitedError(ForbiddenError):
    """Anonymous (temporary) users may not do this (403, spec §6.2, decisions.md)."""

    code = "Auth.AnonUserProhibited"
    default_message = "Anonymous users are prohibited from performing these actions"


class PayloadTooLargeError(InvalidInputError):
    code = "Request.TooLarge"
    default_message = "Request body is too large."
