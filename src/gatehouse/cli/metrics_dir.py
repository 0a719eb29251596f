"""The directory several workers share their Prometheus values through, and its leftovers.

``gatehouse serve --workers N`` (N > 1) makes a fresh ``gatehouse-metrics-*`` directory in the
temporary directory and points ``PROMETHEUS_MULTIPROC_DIR`` at it (prometheus_client's
multiprocess mode); it removes it when the server stops. A server killed with ``kill -9``
cannot, so every start also removes the leftovers of dead servers (issue 10, item 8).

Whose is a directory? Its ``owner.lock`` file is held under ``flock`` by the serving process
for its whole life; the kernel releases the lock when that process dies, however it dies, so a
lock that can be taken means a dead owner (a reused PID cannot fool it). The lock is taken
before the file gets its final name, so a directory being created is never mistaken for a
stale one. Directories without ``owner.lock`` (from older versions, or not ours) are left
alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "gatehouse-metrics-"
OWNER_FILE = "owner.lock"


@contextmanager
def metrics_directory(workers: int) -> Iterator[Path | None]:
    """A fresh owned directory for the workers (they inherit the variable), after removing
    dead servers' leftovers. An operator's own ``PROMETHEUS_MULTIPROC_DIR`` is used as it is."""
    if workers <= 1 or os.environ.get(MULTIPROC_ENV):
        yield None
        return
    parent = Path(tempfile.gettempdir())
    remove_stale(parent)
    directory, owner = _create_owned(parent)
    os.environ[MULTIPROC_ENV] = str(directory)
    try:
        yield directory
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)
        owner.close()


def remove_stale(parent: Path) -> list[Path]:
    """Remove the ``gatehouse-metrics-*`` directories in ``parent`` whose owner is dead."""
    removed = []
    for candidate in sorted(parent.glob(PREFIX + "*")):
        if candidate.is_symlink() or not candidate.is_dir():
            continue
        try:
            handle = (candidate / OWNER_FILE).open("rb")
        except OSError:
            continue  # no owner file: not ours to judge
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its server is alive
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed


def _create_owned(parent: Path) -> tuple[Path, IO[bytes]]:
    directory = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    pending = directory / f".{OWNER_FILE}.pending"
    owner = pending.open("wb")
    try:
        fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
        owner.write(f"{os.getpid()}\n".encode())
        owner.flush()
        pending.rename(directory / OWNER_FILE)
    except OSError:
        owner.close()
        with contextlib.suppress(OSError):
            shutil.rmtree(directory)
        raise
    return directory, owner
