"""The SQLite epoch file processes share, and notification payloads."""

from __future__ import annotations

from pathlib import Path

from gatehouse.storage.invalidation import EVERYTHING, SqliteEpoch, parse_payload


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
    assert writers[0] is not None and writers[0]._value() == 100


def test_in_memory_databases_have_no_epoch() -> None:
    assert SqliteEpoch.for_url("sqlite+aiosqlite://") is None
    assert SqliteEpoch.for_url("sqlite+aiosqlite:///:memory:") is None


def test_payload_round_trip() -> None:
    assert parse_payload("c|x\nu|m|1\n") == {"c|x", "u|m|1"}
    assert parse_payload(EVERYTHING) == {EVERYTHING}
