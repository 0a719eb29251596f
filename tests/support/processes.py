"""What a running ``gatehouse serve`` looks like from /proc: its workers and whose connections
are whose (issue 12: no test-only header names the worker that answered)."""

from __future__ import annotations

import os
import time
from pathlib import Path

ESTABLISHED = "01"
LISTEN = "0A"


def children(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (all its threads' children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return sorted(found)


def workers(pid: int, count: int, timeout: float = 60) -> list[int]:
    """The supervisor's ``count`` ready worker processes. Spawn adds a resource tracker child,
    which has no socket; a worker binds its socket first and listens only once its app has
    started, so only children with a socket in the LISTEN state count: a worker still starting
    is not one yet (killing it then is a failed start, which stops the server)."""
    deadline = time.monotonic() + timeout
    while True:
        listening_now = _inodes_in_state(LISTEN)
        listening = [child for child in children(pid) if _socket_inodes(child) & listening_now]
        if len(listening) == count or time.monotonic() > deadline:
            return listening
        time.sleep(0.1)


def established_on(port: int, pids: list[int]) -> dict[int, int]:
    """For each pid, how many established TCP connections to ``port`` it holds."""
    inodes = _established_inodes(port)
    return {pid: len(_socket_inodes(pid) & inodes) for pid in pids}


def _established_inodes(port: int) -> set[str]:
    return _inodes_in_state(ESTABLISHED, port)


def _inodes_in_state(state: str, port: int | None = None) -> set[str]:
    """The inodes of the TCP sockets in ``state`` (on local ``port``, or any)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if (port is None or local_port == port) and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes
