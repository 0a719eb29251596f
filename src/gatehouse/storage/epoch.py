"""A shared epoch for the processes serving one SQLite file (see ``storage.invalidation``)."""

from __future__ import annotations

import mmap
import os
import secrets

from sqlalchemy.engine import make_url


class SqliteEpoch:
    """An 8-byte value in a shared memory-mapped file, changed after every invalidating commit.

    Random values rather than a counter: concurrent writers need no lock, and any change is
    noticed (a reader that saw one value and later sees another reloads what it cached).
    """

    SIZE = 8

    def __init__(self, path: str) -> None:
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < self.SIZE:
                os.ftruncate(fd, self.SIZE)
            self._map = mmap.mmap(fd, self.SIZE)
        finally:
            os.close(fd)
        self._seen = self._map[: self.SIZE]

    @classmethod
    def for_url(cls, url: str) -> SqliteEpoch | None:
        """The epoch file beside a SQLite database file; ``None`` for in-memory databases,
        which only one process can open anyway."""
        database = make_url(url).database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        if not os.path.isdir(os.path.dirname(os.path.abspath(database))):
            return None  # SQLite cannot open this database either, and will say so on use
        return cls(f"{database}-gatehouse-epoch")

    def bump(self) -> None:
        self._map[: self.SIZE] = secrets.token_bytes(self.SIZE)

    def changed(self) -> bool:
        """Whether another process (or this one) bumped it since the last call."""
        current = self._map[: self.SIZE]
        if current == self._seen:
            return False
        self._seen = current
        return True

    def close(self) -> None:
        self._map.close()
