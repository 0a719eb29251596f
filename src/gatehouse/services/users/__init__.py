"""Admin, buyer and supplier users: reads and writes (``service``), the rules of a written
user (``fields``), password policy and hashing (``passwords``), token revocation
(``tokens``) and the in-transaction checks they share (``lookups``)."""

from gatehouse.services.users.fields import UserScope, UserView
from gatehouse.services.users.passwords import hash_meeting_policy
from gatehouse.services.users.service import UserService
from gatehouse.services.users.tokens import UserTokenService

__all__ = ["UserScope", "UserService", "UserTokenService", "UserView", "hash_meeting_policy"]
