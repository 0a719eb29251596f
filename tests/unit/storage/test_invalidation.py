"""The SQLite epoch file processes share, and notification payloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatehouse.storage.cache_keys import (
    EVERYTHING,
    IDENTITIES,
    REFRESH_TOKENS,
    REVOKED_TOKENS,
    ROLES,
    CacheKey,
    client_key,
    client_limits_key,
    company_key,
    marketplace_limits_key,
    user_key,
)
from gatehouse.storage.invalidation import (
    SqliteEpoch,
    changed_keys,
    encode_payload,
    parse_payload,
)


def test_a_bump_is_seen_once_by_every_other_mapping(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/g.db"
    writer, reader, other = (SqliteEpoch.for_url(url) for _ in range(3))
    assert writer is not None and reader is not None and other is not None
    assert not reader.changed()
    writer.bump()
    assert reader.changed()
    assert not reader.changed()  # seen
    assert other.changed()
    writer.bump()
    writer.bump()
    assert reader.changed()


def test_a_process_skips_its_own_increments_but_not_others(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/g.db"
    mine, theirs = SqliteEpoch.for_url(url), SqliteEpoch.for_url(url)
    assert mine is not None and theirs is not None
    reader = mine.reader()
    mine.bump()
    assert not reader.changed()  # this process already invalidated precisely
    theirs.bump()
    assert reader.changed()
    theirs.bump()
    mine.bump()  # the other process's change is still pending for this reader
    assert reader.changed()
    assert not reader.changed()


def test_concurrent_increments_are_never_lost(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/g.db"
    writers = [SqliteEpoch.for_url(url) for _ in range(4)]
    for _ in range(25):
        for writer in writers:
            assert writer is not None
            writer.bump()
    assert writers[0] is not None and writers[0].value() == 100


def test_in_memory_databases_have_no_epoch() -> None:
    assert SqliteEpoch.for_url("sqlite+aiosqlite://") is None
    assert SqliteEpoch.for_url("sqlite+aiosqlite:///:memory:") is None


def test_payload_round_trip() -> None:
    assert parse_payload("c|x\nu|m|1\n") == {client_key("x"), user_key("m", 1)}
    assert parse_payload(EVERYTHING.encode()) == {EVERYTHING}
    keys = {client_key("X"), company_key("m", "buyer", "b"), ROLES, IDENTITIES}
    assert parse_payload(encode_payload(keys)) == keys


def test_the_payload_format_is_the_previous_releases() -> None:
    """Processes of two releases share notices during a rolling deploy."""
    assert encode_payload({client_key("AbC"), user_key("m", 7)}) == "c|abc\nu|m|7"
    assert company_key("m", "supplier", "s").encode() == "o|m|supplier|s"
    assert [key.encode() for key in (ROLES, IDENTITIES, EVERYTHING)] == ["r|*", "i|*", "*"]
    assert REVOKED_TOKENS.encode() == "t|revoked"
    assert client_limits_key("Cid").encode() == "rl|cid"
    assert marketplace_limits_key("m").encode() == "rlm|m"


def test_an_id_may_contain_the_separator() -> None:
    key = company_key("m", "buyer", "a|b")
    assert CacheKey.decode(key.encode()) == key


@pytest.mark.parametrize("text", ["x|1", "u|m|one", "u|m", "o|m|buyer"])
def test_a_key_this_release_cannot_read_invalidates_everything(text: str) -> None:
    """Dropping too much costs a reload; missing an invalidation would serve stale state."""
    assert CacheKey.decode(text) == EVERYTHING


def test_a_payload_too_long_for_notify_invalidates_everything() -> None:
    keys = {client_key(f"client-{n:05}") for n in range(1000)}
    assert encode_payload(keys) == EVERYTHING.encode()


def test_the_refresh_token_key() -> None:
    """A new kind: a previous release decodes it as ``EVERYTHING`` (``CacheKey.decode``)."""
    assert REFRESH_TOKENS.encode() == "rt|*"
    assert parse_payload("rt|*") == {REFRESH_TOKENS}


def test_refresh_tokens_invalidate_on_update_and_delete_only() -> None:
    """Every login inserts one, and a new token cannot make a cached one stale."""
    assert changed_keys("refresh_tokens", inserted=True) == ()
    assert changed_keys("refresh_tokens", inserted=False) == (REFRESH_TOKENS,)
    assert changed_keys("users", inserted=True) == (ROLES, IDENTITIES)
    assert changed_keys("users", inserted=False) == (ROLES, IDENTITIES)
    assert changed_keys("orders", inserted=False) == ()
    assert changed_keys(None, inserted=False) == ()
