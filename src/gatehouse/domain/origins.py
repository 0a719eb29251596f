"""Browser origins: the deployment's CORS policy and the per-client allowed origins
(decisions.md "Browsers (CORS)"; docs/behaviour.md "Browsers and CORS").

An origin is what a browser sends in the ``Origin`` header: ``scheme://host[:port]``, host in
lowercase, the scheme's default port left out. Stored and configured origins are normalised to
that form, so comparing them with a request's ``Origin`` is a plain string comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from gatehouse.domain.errors import ForbiddenError, InvalidInputError

MAX_ORIGINS = 100
MAX_ORIGIN_LENGTH = 300
ANY = "*"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{0,30}$")
_HOST = re.compile(r"^(\[[0-9a-f:.]+\]|[a-z0-9_]([a-z0-9_-]{0,62})?(\.[a-z0-9_-]{1,63})*)$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class OriginNotAllowedError(ForbiddenError):
    """A browser request from an origin the token's API client does not list (403)."""

    code = "Auth.OriginNotAllowed"
    default_message = "This API client does not allow requests from this origin."


def invalid_origin(value: str) -> InvalidInputError:
    return InvalidInputError(
        "ApiClient.InvalidOrigin",
        "An origin is scheme://host[:port], without a path, query or trailing slash.",
        {"Field": "AllowedOrigins", "Value": value[:MAX_ORIGIN_LENGTH]},
    )


def normalize_origin(value: str) -> str:
    """``value`` in the form browsers send it; ``InvalidInputError`` when it is no origin.

    ``*`` and ``null`` (what sandboxed pages and ``file:`` URLs send) are refused: a list
    names real origins, and "any origin" is an empty list.
    """
    text = value.strip()
    if not text or len(text) > MAX_ORIGIN_LENGTH or not text.isascii():
        raise invalid_origin(value)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise invalid_origin(value) from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if "[" in parts.netloc:
        host = f"[{host}]"
    if (
        not _SCHEME.match(scheme)
        or not _HOST.match(host)
        or parts.username is not None
        or parts.password is not None
        or parts.path
        or parts.query
        or parts.fragment
        or text.endswith(("?", "#", ":"))
    ):
        raise invalid_origin(value)
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def validate_origins(values: Iterable[str]) -> tuple[str, ...]:
    """A client's list, normalised, without duplicates, in the order given."""
    found: dict[str, None] = {}
    for value in values:
        found[normalize_origin(value)] = None
        if len(found) > MAX_ORIGINS:
            raise InvalidInputError(
                "ApiClient.TooManyOrigins",
                f"An API client may list at most {MAX_ORIGINS} origins.",
                {"Field": "AllowedOrigins", "Max": MAX_ORIGINS},
            )
    return tuple(found)


def client_allows(allowed: Iterable[str], origin: str | None) -> bool:
    """Whether a client with ``allowed`` origins may serve a request from ``origin``.

    ``origin`` is ``None`` for requests that are not cross-origin browser requests (no
    ``Origin`` header: servers, curl; or the server's own origin). An empty list allows every
    origin the deployment allows.
    """
    if origin is None:
        return True
    allowed = tuple(allowed)
    return not allowed or origin in allowed


@dataclass(frozen=True, slots=True)
class OriginPolicy:
    """``GATEHOUSE_CORS_ORIGINS``: ``*`` (any origin, the default), a list, or empty (off)."""

    any_origin: bool
    origins: frozenset[str] = frozenset()

    @property
    def enabled(self) -> bool:
        return self.any_origin or bool(self.origins)

    def allows(self, origin: str) -> bool:
        return self.any_origin or origin in self.origins

    @classmethod
    def parse(cls, setting: str) -> OriginPolicy:
        """Origins separated by commas or spaces; ``*`` alone means any; ``ValueError`` on
        anything else (settings report it at startup)."""
        items = [item for item in re.split(r"[,\s]+", setting.strip()) if item]
        if items == [ANY]:
            return cls(any_origin=True)
        if ANY in items:
            raise ValueError("GATEHOUSE_CORS_ORIGINS: '*' cannot be mixed with origins")
        try:
            return cls(any_origin=False, origins=frozenset(validate_origins(items)))
        except InvalidInputError as exc:
            value = exc.data.get("Value") if isinstance(exc.data, dict) else None
            about = f"{value!r}: " if value is not None else ""
            raise ValueError(f"GATEHOUSE_CORS_ORIGINS: {about}{exc.message}") from exc
