"""Client authentication methods (RFC 6749 §2.3.1; decisions.md "Standard OAuth").

- ``client_secret_basic``: ``Authorization: Basic base64(urlencode(id) ":" urlencode(secret))``.
  RFC 6749 says the id and secret are form-urlencoded *before* base64, so a secret containing
  ``:``, ``%`` or ``+`` arrives intact. Most clients skip that step (authlib 1.9,
  requests-oauthlib, ``curl -u``) and some encode the text as Latin-1, so the secret as sent is
  also tried when form-decoding changed it, and bytes that are not UTF-8 are read as Latin-1.
  Gatehouse's generated secrets are URL-safe, where both readings agree.
- ``client_secret_post``: ``client_id`` and ``client_secret`` in the form (OrderCloud's way).
- ``none``: ``client_id`` alone in the form, for clients without a secret (OrderCloud's SDKs).

Both Basic credentials and a form ``client_secret`` in one request → 400 ``invalid_request``
(RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request"). A form
``client_id`` beside Basic credentials is allowed when it names the same client (oauthlib sends
it). Basic credentials are merged into the ``TokenRequest``, so every grant and the revocation
and introspection endpoints authenticate the client the same way (``authenticate_client``); a
failure then gets ``WWW-Authenticate: Basic`` (``BasicChallengeError``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from urllib.parse import unquote_plus

from gatehouse.domain.ids import normalize_client_id
from gatehouse.oauth.errors import BasicChallengeError, InvalidClientError, InvalidRequestError
from gatehouse.oauth.server import MAX_FIELD_LENGTH, TokenRequest

MAX_BASIC_LENGTH = 4 * MAX_FIELD_LENGTH
CLIENT_SECRET_BASIC = "client_secret_basic"
CLIENT_SECRET_POST = "client_secret_post"
NONE = "none"


def _malformed() -> BasicChallengeError:
    return BasicChallengeError(
        "Auth.InvalidBasicCredentials", "The Basic client credentials are malformed."
    )


def basic_credentials(authorization: str | None) -> tuple[str, str, str] | None:
    """The (client_id, client_secret, secret as sent) of a Basic ``Authorization`` header,
    decoded as RFC 6749 §2.3.1 says; ``None`` when the header is absent or another scheme."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    value = value.strip()
    if not value or len(value) > MAX_BASIC_LENGTH:
        raise _malformed()
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise _malformed() from exc
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("latin-1")
    raw_id, colon, raw_secret = decoded.partition(":")
    client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
    if not colon or not client_id or "\x00" in client_id + secret:
        raise _malformed()
    if max(len(client_id), len(secret)) > MAX_FIELD_LENGTH:
        raise _malformed()
    return client_id, secret, raw_secret


def with_client_auth(request: TokenRequest, authorization: str | None) -> tuple[TokenRequest, str]:
    """The request with its client's credentials from wherever they came, and the method."""
    basic = basic_credentials(authorization)
    if basic is None:
        return request, CLIENT_SECRET_POST if request.client_secret else NONE
    client_id, secret, as_sent = basic
    if request.client_secret is not None:
        raise _two_methods()
    if request.client_id is not None and normalize_client_id(
        request.client_id
    ) != normalize_client_id(client_id):
        raise _two_methods()
    merged = replace(
        request,
        client_id=client_id,
        client_secret=secret or None,
        basic_secret_as_sent=as_sent if as_sent != secret else None,
    )
    return merged, CLIENT_SECRET_BASIC


def _two_methods() -> InvalidRequestError:
    return InvalidRequestError(
        "Auth.MultipleClientAuthentication",
        "Use one client authentication method: Basic credentials or client_secret in the form.",
    )


def challenge(error: InvalidClientError, method: str) -> InvalidClientError:
    """A failed client authentication, with a ``WWW-Authenticate: Basic`` challenge when the
    client tried Basic (RFC 6749 §5.2)."""
    if method == CLIENT_SECRET_BASIC and not isinstance(error, BasicChallengeError):
        return BasicChallengeError.of(error)
    return error
