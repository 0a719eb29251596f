"""The keys a write invalidates in every process's caches (``storage.invalidation``).

One typed key for every producer (the services, ``WATCHED_TABLES``, the revocation list) and
every consumer (``storage.cache.InvalidatedCache`` and its subclasses): a kind and its parts,
instead of strings built in one place and split in five others.

NOTE: ``encode()`` is the wire format of the PostgreSQL ``NOTIFY`` payload, which processes of
two releases share during a rolling deploy: kinds and the order of parts must not change. A key
this release cannot decode (a newer release's) invalidates everything: dropping too much only
costs a reload, missing an invalidation would serve stale state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SEPARATOR = "|"
ALL = "*"


class KeyKind(StrEnum):
    CLIENT = "c"
    """One API client (``client_key``): its state, secrets, origins."""
    USER = "u"
    """One user (``user_key``)."""
    COMPANY = "o"
    """One buyer or supplier (``company_key``)."""
    REVOKED_TOKENS = "t"
    """The set of access tokens revoked one by one (``REVOKED_TOKENS``)."""
    CLIENT_LIMITS = "rl"
    """One client's own rate limits (``client_limits_key``)."""
    MARKETPLACE_LIMITS = "rlm"
    """A marketplace's default rate limits (``marketplace_limits_key``)."""
    ROLES = "r"
    """Every user's available roles (``ROLES``)."""
    IDENTITIES = "i"
    """Every user as the token endpoint finds them (``IDENTITIES``)."""
    REFRESH_TOKENS = "rt"
    """Every stored refresh token (``REFRESH_TOKENS``)."""
    EVERYTHING = ALL
    """Every cached entry of every cache (``EVERYTHING``)."""


@dataclass(frozen=True, slots=True)
class CacheKey:
    kind: KeyKind
    parts: tuple[str, ...] = ()

    def encode(self) -> str:
        return SEPARATOR.join((self.kind.value, *self.parts))

    @classmethod
    def decode(cls, text: str) -> CacheKey:
        """The key ``encode`` wrote; ``EVERYTHING`` for one this release does not know."""
        name, _, rest = text.partition(SEPARATOR)
        try:
            kind = KeyKind(name)
        except ValueError:
            return EVERYTHING
        arity = _ARITY[kind]
        # The last part takes the rest: an ID containing the separator still decodes.
        parts = tuple(rest.split(SEPARATOR, arity - 1)) if arity else ()
        if len(parts) != arity or (kind is KeyKind.USER and not parts[1].isdigit()):
            return EVERYTHING
        return cls(kind, parts)

    @property
    def user_internal_id(self) -> int:
        """The internal id of a ``USER`` key's user."""
        return int(self.parts[1])


_ARITY = {
    KeyKind.CLIENT: 1,
    KeyKind.USER: 2,
    KeyKind.COMPANY: 3,
    KeyKind.REVOKED_TOKENS: 1,
    KeyKind.CLIENT_LIMITS: 1,
    KeyKind.MARKETPLACE_LIMITS: 1,
    KeyKind.ROLES: 1,
    KeyKind.IDENTITIES: 1,
    KeyKind.REFRESH_TOKENS: 1,
    KeyKind.EVERYTHING: 0,
}

EVERYTHING = CacheKey(KeyKind.EVERYTHING)
ROLES = CacheKey(KeyKind.ROLES, (ALL,))
"""Every user's available roles: profiles, profile assignments, groups and memberships."""
IDENTITIES = CacheKey(KeyKind.IDENTITIES, (ALL,))
"""Every user as the token endpoint finds them (state, company state, revocation threshold)."""
REFRESH_TOKENS = CacheKey(KeyKind.REFRESH_TOKENS, (ALL,))
"""Every stored refresh token: one was revoked or deleted (``oauth.refresh_records``)."""
REVOKED_TOKENS = CacheKey(KeyKind.REVOKED_TOKENS, ("revoked",))
"""The live revoked ``jti``s (``oauth.revoked`` reloads on it, and on ``EVERYTHING``)."""


def client_key(client_id: str) -> CacheKey:
    """Client IDs are stored lowercase; so is their key, whatever spelling the caller has."""
    return CacheKey(KeyKind.CLIENT, (client_id.lower(),))


def user_key(marketplace_id: str, internal_id: int) -> CacheKey:
    return CacheKey(KeyKind.USER, (marketplace_id, str(internal_id)))


def company_key(marketplace_id: str, user_type: str, company_id: str) -> CacheKey:
    return CacheKey(KeyKind.COMPANY, (marketplace_id, user_type, company_id))


def client_limits_key(client_id: str) -> CacheKey:
    """One client's own limits."""
    return CacheKey(KeyKind.CLIENT_LIMITS, (client_id.lower(),))


def marketplace_limits_key(marketplace_id: str) -> CacheKey:
    """A marketplace's default limits (every client of it may change)."""
    return CacheKey(KeyKind.MARKETPLACE_LIMITS, (marketplace_id,))
