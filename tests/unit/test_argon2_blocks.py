"""argon2id through libargon2's allocation callbacks: the same hashes as argon2-cffi, one kept
block per hashing thread, and nothing left to glibc's heuristics."""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from typing import Any

import argon2
import pytest
from argon2.low_level import Type, hash_secret

from gatehouse import argon2_blocks
from gatehouse.argon2_blocks import Cost, hash_password, held_block_bytes, verify_password

SMALL = Cost(memory_kib=256, time_cost=1)


@pytest.mark.parametrize(
    ("memory_kib", "time_cost", "lanes"), [(256, 1, 1), (1024, 2, 1), (512, 1, 2)]
)
def test_hashes_match_argon2_cffi_both_ways(memory_kib: int, time_cost: int, lanes: int) -> None:
    cffi = argon2.PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=lanes)
    ours = hash_password("correct horse", Cost(memory_kib, time_cost, lanes))
    assert ours.startswith(f"$argon2id$v=19$m={memory_kib},t={time_cost},p={lanes}$")
    assert cffi.verify(ours, "correct horse")
    assert verify_password(cffi.hash("correct horse"), "correct horse")
    assert not verify_password(cffi.hash("correct horse"), "correct horsf")


@pytest.mark.parametrize("kind", [Type.I, Type.D, Type.ID])
@pytest.mark.parametrize("version", [0x10, 0x13])
def test_other_variants_and_versions_verify(kind: Type, version: int) -> None:
    encoded = hash_secret(b"pw", b"sixteen byte sal", 1, 64, 1, 32, kind, version).decode()
    assert verify_password(encoded, "pw")
    assert not verify_password(encoded, "pw2")


@pytest.mark.parametrize("password", ["", "é ü 漢字", "x" * 4096, "lone \ud800 surrogate"])
def test_any_password_round_trips(password: str) -> None:
    encoded = hash_password(password, SMALL)
    assert verify_password(encoded, password)
    assert not verify_password(encoded, password + "!")


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=256,t=1,p=1$c2FsdHNhbHQ",  # no hash part
        "$argon2id$v=19$m=256,t=1,p=1$!!!!$AAAA",  # not base64
        "$argon2id$v=19$m=256,t=1,p=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",  # salt under 8 bytes
        "$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA",  # m below 8 per lane
        "$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA",  # 1 TB
        "$argon2id$v=19$m=256,t=999999,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA",
        "$argon2x$v=19$m=256,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA",
        "$2b$12$abcdefghijklmnopqrstuu5h5p6h5p6h5p6h5p6h5p6h5p6h5p6",  # bcrypt
    ],
)
def test_a_malformed_or_absurd_hash_is_a_mismatch(encoded: str) -> None:
    assert verify_password(encoded, "pw") is False


def _in_thread(work: Callable[[], Any]) -> Any:
    found: list[Any] = []
    thread = threading.Thread(target=lambda: found.append(work()))
    thread.start()
    thread.join()
    return found[0]


def test_a_hashing_thread_keeps_exactly_one_block() -> None:
    def hashing_thread() -> tuple[int, int, int]:
        argon2_blocks.hold_blocks(SMALL)
        before = held_block_bytes()
        encoded = hash_password("pw", SMALL)
        for _ in range(5):
            assert verify_password(encoded, "pw")
        after_many = held_block_bytes()
        # A hash stored at a higher cost gets a block of its own, and the kept one stays.
        assert verify_password(hash_password("pw", Cost(1024, 1)), "pw")
        return before, after_many, held_block_bytes()

    assert _in_thread(hashing_thread) == (0, 256 * 1024, 256 * 1024)


def test_another_thread_keeps_nothing() -> None:
    def one_hash() -> tuple[int, int]:
        assert verify_password(hash_password("pw", SMALL), "pw")
        return held_block_bytes(), len(argon2_blocks._blocks.lent)

    assert _in_thread(one_hash) == (0, 0)


def test_a_block_that_cannot_be_mapped_fails_the_hash_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoded = hash_password("pw", SMALL)

    def no_memory(*args: Any, **kwargs: Any) -> mmap.mmap:
        raise MemoryError

    monkeypatch.setattr(mmap, "mmap", no_memory)
    with pytest.raises(ValueError, match=r"[Mm]emory"):
        hash_password("pw", Cost(512, 1))
    assert verify_password(encoded, "pw") is False  # refused, never a crash


_THRESHOLD_PROBE = textwrap.dedent(
    """
    import ctypes, sys

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    if sys.argv[1] == "blocks":
        from gatehouse.argon2_blocks import Cost, hash_password
        hash_password("pw", Cost(19456, 1))
    else:
        import argon2
        argon2.PasswordHasher(time_cost=1, memory_cost=19456, parallelism=1).hash("pw")
    before = libc.mallinfo2().hblkhd
    block = libc.malloc(4 * 1024 * 1024)
    print(libc.mallinfo2().hblkhd - before)
    """
)


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or ctypes.util.find_library("c") is None,
    reason="glibc's mallinfo2",
)
def test_a_hash_leaves_the_mmap_threshold_alone() -> None:
    """After one argon2-cffi hash, glibc serves every allocation under 19 MiB from its heaps
    (the freed block raised the mmap threshold); after ours a 4 MiB buffer is still mapped on
    its own, and returned to the system when freed."""

    def mapped_after(kind: str) -> int:
        run = [sys.executable, "-c", _THRESHOLD_PROBE, kind]
        return int(subprocess.run(run, capture_output=True, text=True, check=True).stdout)

    assert mapped_after("blocks") >= 4 * 1024 * 1024
    assert mapped_after("argon2-cffi") == 0  # what the probe would see without argon2_blocks
