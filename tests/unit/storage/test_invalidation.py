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


def test_in_memory_databases_have_no_epoch() -> None:
    assert SqliteEpoch.for_url("sqlite+aiosqlite://") is None
    assert SqliteEpoch.for_url("sqlite+aiosqlite:///:memory:") is None


def test_payload_round_trip() -> None:
    assert parse_payload("c|x\nu|m|1\n") == {"c|x", "u|m|1"}
    assert parse_payload(EVERYTHING) == {EVERYTHING}
