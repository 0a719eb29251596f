"""``gatehouse serve`` removes the ``gatehouse-metrics-*`` directories of servers that died
without cleaning up (``kill -9``), and only those (issue 10, item 8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gatehouse.cli.metrics_dir import OWNER_FILE, PREFIX, remove_stale
from tests.support.server import server

pytestmark = pytest.mark.slow

HOLD = """
import sys, time
from gatehouse.cli.metrics_dir import metrics_directory
with metrics_directory(2) as directory:
    print(directory, flush=True)
    time.sleep(600)
"""


def owner_process(tmp: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process that made and owns a metrics directory in ``tmp``, until it is killed."""
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        stdout=subprocess.PIPE,
        text=True,
        env={**env, "TMPDIR": str(tmp)},
    )
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_only_dead_owners_directories_are_removed(tmp_path: Path) -> None:
    alive, kept = owner_process(tmp_path)
    dead, stale = owner_process(tmp_path)
    dead.send_signal(signal.SIGKILL)
    dead.wait()
    foreign = tmp_path / f"{PREFIX}older-version"
    foreign.mkdir()
    (tmp_path / f"{PREFIX}file").write_text("not a directory")
    try:
        assert (stale / OWNER_FILE).exists() and (kept / OWNER_FILE).exists()
        assert remove_stale(tmp_path) == [stale]
        assert not stale.exists()
        assert kept.is_dir() and foreign.is_dir()
    finally:
        alive.kill()
        alive.wait()
    assert remove_stale(tmp_path) == [kept]


def metrics_dirs(tmp: Path) -> set[Path]:
    return {path for path in tmp.glob(PREFIX + "*") if path.is_dir()}


def test_a_server_start_removes_what_a_killed_server_left(tmp_path: Path) -> None:
    env = {"TMPDIR": str(tmp_path)}
    url = f"sqlite:///{tmp_path}/leftovers.db"
    with server(url, workers=2, env=env) as (_base, process):
        (left,) = metrics_dirs(tmp_path)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    time.sleep(0.5)  # the workers die with their group
    assert metrics_dirs(tmp_path) == {left}
    with server(url, workers=2, env=env):
        (current,) = metrics_dirs(tmp_path)
        assert current != left
    assert metrics_dirs(tmp_path) == set()
