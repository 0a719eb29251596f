"""What the bench reads from /proc about the server it started: its processes (the server's
own process group), their memory and CPU time, and the sockets listening on its port."""

from __future__ import annotations

import os
import time
from pathlib import Path


def process_group(pgid: int) -> list[int]:
    """Live processes whose process group is ``pgid`` (the server runs in its own session)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def is_helper(pid: int) -> bool:
    """multiprocessing's resource tracker is not a worker."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


def rss_of(pid: int) -> float:
    """VmRSS from /proc, in MB (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def cpu_of(pid: int) -> float:
    """utime + stime from /proc/<pid>/stat, in seconds (0 if the process is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def context_switches(pid: int) -> int:
    """Voluntary + involuntary context switches of ``pid`` (0 if the process is gone): each
    wake-up of a sleeping peer on a busy machine can cost the waker its CPU."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    lines = status.splitlines()
    return sum(
        int(line.split()[1]) for line in lines if line.split(":")[0].endswith("ctxt_switches")
    )


def wait_listening(port: int, sockets: int, timeout_s: float) -> None:
    """Wait until ``sockets`` sockets listen on ``port``: with one SO_REUSEPORT socket per
    worker, connections opened while a worker is still starting would all go to the others
    and stay there (keep-alive), skewing every scenario."""
    deadline = time.monotonic() + timeout_s
    while listening_sockets(port) < sockets:
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {sockets} sockets listen on port {port}")
        time.sleep(0.2)


def listening_sockets(port: int) -> int:
    """TCP sockets in LISTEN state on ``port`` (/proc/net/tcp, IPv4 loopback here)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
            count += 1
    return count
