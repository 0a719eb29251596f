"""A shared epoch for the processes serving one SQLite file (see ``storage.invalidation``), and
the same kind of counter for the lockout generation (``storage.lockout_signal``)."""

from __future__ import annotations

import fcntl
import mmap
import os

from sqlalchemy.engine import make_url


class SqliteEpoch:
    """A counter in a shared memory-mapped file, incremented after every invalidating commit.

    Each process holds one writer (``Database.epoch``) and one reader per cache
    (``reader()``). A reader reports a change once; the writer moves its own process's
    readers past its own increments, so a process does not drop caches it has already
    invalidated precisely. Increments take an exclusive ``flock``, so two processes never
    write the same value (a reader would miss the second change).
    """

    SIZE = 8

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < self.SIZE:
            os.ftruncate(self._fd, self.SIZE)
        self._map = mmap.mmap(self._fd, self.SIZE)
        self._seen = self.value()
        self._readers: list[SqliteEpoch] = []

    @classmethod
    def for_url(cls, url: str, *, suffix: str = "epoch") -> SqliteEpoch | None:
        """The epoch file beside a SQLite database file (``<database>-gatehouse-<suffix>``: one
        file per signal); ``None`` for in-memory databases, which only one process can open
        anyway."""
        database = make_url(url).database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        if not os.path.isdir(os.path.dirname(os.path.abspath(database))):
            return None  # SQLite cannot open this database either, and will say so on use
        return cls(f"{database}-gatehouse-{suffix}")

    def value(self) -> int:
        """The counter as every process sees it now (a memory read), for readers that compare
        it to the value they saw last instead of asking ``changed()``."""
        return int.from_bytes(self._map[: self.SIZE], "little")

    def reader(self) -> SqliteEpoch:
        """A reader of the same file that this writer keeps past its own increments."""
        found = SqliteEpoch(self.path)
        self._readers.append(found)
        return found

    def bump(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            before = self.value()
            after = (before + 1) % (1 << 64)
            self._map[: self.SIZE] = after.to_bytes(self.SIZE, "little")
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        for found in self._readers:
            if found._seen == before:  # nothing but this increment happened since it looked
                found._seen = after

    def changed(self) -> bool:
        """Whether the epoch moved since the last call, other than by this process's own
        increments (which already invalidated this process's caches precisely)."""
        current = self.value()
        if current == self._seen:
            return False
        self._seen = current
        return True

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)
