"""Issue 10 item 1, as a property over interleavings: whatever the order of logins, user and
client revocations, company and marketplace deactivations and clock steps (many of them
within one second, or one microsecond), every revocation ends every token issued before the
revoking call returned, and no token issued after it; no token is ever dated in the future.

The revoking call is modelled as the services run it: threshold from the clock, written,
then a wait until the threshold has passed (``seconds_until``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gatehouse.domain.token_standing import ClientState, Standing, UserState, token_standing
from gatehouse.domain.tokens import (
    MICROS,
    TokenSubject,
    access_token_claims,
    micros,
    revocation_threshold,
    seconds_until,
    token_times,
)
from gatehouse.domain.users import UserType

START = datetime(2026, 12, 7, 4, 0, 0, 999_000, tzinfo=UTC)  # 1 ms before a second ends
USERS = (1, 2)
CLIENTS = ("c1", "c2")


@dataclass
class World:
    now: datetime = START
    users: dict[int, UserState] = field(default_factory=dict)
    clients: dict[str, ClientState] = field(default_factory=dict)
    company_active: bool = True
    tokens: list[tuple[dict[str, Any], bool]] = field(default_factory=list)
    """Each token with whether it must still stand (by the order of the calls alone)."""

    def __post_init__(self) -> None:
        for user in USERS:
            self.users[user] = UserState(user, "m", f"u{user}", UserType.BUYER, "b", True, 0)
        for client in CLIENTS:
            self.clients[client] = ClientState(client, "m", True, True)

    def login(self, user: int, client: str) -> None:
        subject = TokenSubject(f"u{user}", client, UserType.BUYER, user, {"Shopper"})
        claims = access_token_claims(subject, token_times(self.now, 60), "iss")
        assert claims["iat"] <= self.now.timestamp()  # never in the future
        self.tokens.append((claims, True))

    def revoke(self, user: int | None, client: str | None) -> None:
        if user is not None:
            state = self.users[user]
            threshold = revocation_threshold(self.now, state.tokens_valid_from)
            self.users[user] = replace(state, tokens_valid_from=threshold)
        else:
            assert client is not None
            found = self.clients[client]
            threshold = revocation_threshold(self.now, found.tokens_valid_from)
            self.clients[client] = replace(found, tokens_valid_from=threshold)
        self.now += timedelta(seconds=seconds_until(threshold, self.now))  # the call returns
        self.tokens = [
            (claims, alive and not _names(claims, user, client)) for claims, alive in self.tokens
        ]

    def check(self) -> None:
        for claims, alive in self.tokens:
            client = self.clients[claims["cid"]]
            user = self.users[int(claims["u"])]
            standing = token_standing(claims, client, user, self.company_active)
            if not self.company_active or not client.marketplace_active:
                assert standing is Standing.INVALID
            else:
                assert standing is (Standing.VALID if alive else Standing.REVOKED), claims

    def deactivate_marketplace(self, active: bool) -> None:
        for name, client in self.clients.items():
            self.clients[name] = replace(client, marketplace_active=active)


def _names(claims: dict[str, Any], user: int | None, client: str | None) -> bool:
    return bool(claims["u"] == str(user) or claims["cid"] == client)


STEP = st.one_of(
    st.tuples(st.just("login"), st.sampled_from(USERS), st.sampled_from(CLIENTS)),
    st.tuples(st.just("user"), st.sampled_from(USERS)),
    st.tuples(st.just("client"), st.sampled_from(CLIENTS)),
    st.tuples(st.just("company"), st.booleans()),
    st.tuples(st.just("marketplace"), st.booleans()),
    # Mostly nothing or a few microseconds; sometimes across a second.
    st.tuples(st.just("tick"), st.sampled_from([0, 0, 1, 2, 500, 999_999, MICROS, 1_500_000])),
)


@settings(max_examples=600)
@given(st.lists(STEP, max_size=30))
def test_every_revocation_ends_exactly_the_tokens_issued_before_it_returned(
    steps: list[tuple[Any, ...]],
) -> None:
    world = World()
    for step in steps:
        kind = step[0]
        if kind == "login":
            world.login(step[1], step[2])
        elif kind == "user":
            world.revoke(step[1], None)
        elif kind == "client":
            world.revoke(None, step[1])
        elif kind == "company":
            world.company_active = step[1]
        elif kind == "marketplace":
            world.deactivate_marketplace(step[1])
        else:
            world.now += timedelta(microseconds=step[1])
        world.check()


def test_the_issue_case_user_then_client_in_one_second() -> None:
    """The case the issue reports, spelled out: user revoked, new login, client revoked, all
    within one second; whole-second thresholds let the new token survive."""
    world = World(now=START - timedelta(milliseconds=900))
    world.revoke(1, None)
    world.login(1, "c1")
    world.revoke(None, "c1")
    assert int(world.now.timestamp()) == int(START.timestamp())
    world.check()
    assert world.tokens[0][1] is False
    assert micros(world.now) >= world.clients["c1"].tokens_valid_from
