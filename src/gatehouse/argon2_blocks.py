"""argon2id hashing and verification on one reused memory block per hashing thread.

Why not argon2-cffi's ``PasswordHasher``: it lets libargon2 ``malloc`` each hash's 19 MiB and
``free`` it after, and what glibc then does with those 19 MiB depends on its heuristics.
The first free of such a block raises the process's mmap threshold to 19 MiB, so from then on
every allocation under 19 MiB, on any thread, comes from the malloc arenas, and a block that a
later small allocation splits stays resident beside the next one. Worker RSS was 137 MB in one
bench run and 159 MB in the next, one hash block apart (issue 12).

Here libargon2 takes its memory from allocation callbacks instead (``argon2_context``'s
``allocate_cbk``/``free_cbk``):

- a thread that hashes for a living (``hold_blocks``, set by ``crypto.HashThreads``) keeps one
  anonymous ``mmap`` of the configured size for its life: hash after hash reuses it, with no
  page faults and no malloc at all, so a worker holds exactly one block per hashing thread;
- any other thread (the dummy hash at start-up, the CLI) maps a block for one hash and unmaps
  it after, so nothing stays behind and glibc's thresholds never move;
- a stored hash that needs more memory than the configured cost (made at a higher cost) gets a
  block of its own for that hash, never kept.

The encoded form is the reference one (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``, unpadded
base64), so hashes made here verify with argon2-cffi and the other way round
(``tests/unit/test_argon2_blocks.py``). The memory is not wiped after a hash, as it was not
when glibc kept it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import mmap
import os
import re
import threading
from dataclasses import dataclass
from typing import Any

from _argon2_cffi_bindings import ffi, lib
from argon2.low_level import ARGON2_VERSION, Type

SALT_BYTES = 16
HASH_BYTES = 32
_TYPES = {"argon2id": Type.ID, "argon2i": Type.I, "argon2d": Type.D}
_ENCODED = re.compile(
    r"\$(argon2id|argon2i|argon2d)(?:\$v=(\d+))?\$m=(\d+),t=(\d+),p=(\d+)"
    r"\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)"
)
_MAX_MEMORY_KIB = 4 * 1024 * 1024  # a stored hash naming more is refused, not attempted
_MAX_TIME_COST = 64
_MAX_LANES = 64


@dataclass(frozen=True, slots=True)
class Cost:
    memory_kib: int
    time_cost: int
    parallelism: int = 1


class _Blocks(threading.local):
    """This thread's memory for libargon2: its kept block, or the one mapped for one hash."""

    def __init__(self) -> None:
        self.keep_bytes = 0  # hold_blocks(): blocks up to this size stay for the next hash
        self.kept: mmap.mmap | None = None
        self.kept_view: Any = None
        self.lent: list[tuple[mmap.mmap, Any]] = []


_blocks = _Blocks()


def hold_blocks(cost: Cost) -> None:
    """Keep this thread's block between hashes: for threads that do nothing but hash."""
    _blocks.keep_bytes = cost.memory_kib * 1024


def held_block_bytes() -> int:
    """The size of the block this thread keeps (0: none), for tests and diagnostics."""
    return len(_blocks.kept) if _blocks.kept is not None else 0


def _allocate(memory: Any, size: int) -> int:
    """libargon2's ``allocate_cbk``: point ``memory[0]`` at ``size`` bytes (module docstring)."""
    try:
        memory[0] = _block_for(size)
    except (MemoryError, OSError):  # the hash fails with ARGON2_MEMORY_ALLOCATION_ERROR
        return int(lib.ARGON2_MEMORY_ALLOCATION_ERROR)
    return int(lib.ARGON2_OK)


def _block_for(size: int) -> Any:
    if size <= _blocks.keep_bytes:
        if _blocks.kept is None or len(_blocks.kept) < size:
            _release_kept()
            _blocks.kept = mmap.mmap(-1, _blocks.keep_bytes)
            _blocks.kept_view = ffi.from_buffer("uint8_t[]", _blocks.kept)
        return _blocks.kept_view
    block = mmap.mmap(-1, size)
    view = ffi.from_buffer("uint8_t[]", block)
    _blocks.lent.append((block, view))
    return view


def _free(memory: Any, size: int) -> None:
    for i, (block, view) in enumerate(_blocks.lent):
        if view == memory:
            del _blocks.lent[i]
            ffi.release(view)
            block.close()
            return


def _release_kept() -> None:
    if _blocks.kept is not None:
        ffi.release(_blocks.kept_view)
        _blocks.kept.close()
        _blocks.kept, _blocks.kept_view = None, None


def _callbacks() -> tuple[Any, Any]:
    """The C callbacks libargon2 calls, or NULLs where this platform refuses the executable
    memory ``ffi.callback`` needs (some hardened kernels): libargon2 then mallocs as it does
    under argon2-cffi, and only the memory guarantees of this module are lost."""
    try:
        allocate = ffi.callback(
            "int(uint8_t **, size_t)", _allocate, error=lib.ARGON2_MEMORY_ALLOCATION_ERROR
        )
        free = ffi.callback("void(uint8_t *, size_t)", _free)
    except (MemoryError, OSError, RuntimeError):  # pragma: no cover - platform dependent
        return ffi.NULL, ffi.NULL
    return allocate, free


_ALLOCATE, _FREE = _callbacks()


def _derive(password: bytes, salt: bytes, cost: Cost, kind: Type, version: int, size: int) -> bytes:
    out = ffi.new("uint8_t[]", size)
    pwd = ffi.new("uint8_t[]", password)
    salt_buf = ffi.new("uint8_t[]", salt)
    context = ffi.new(
        "argon2_context *",
        {
            "out": out,
            "outlen": size,
            "pwd": pwd,
            "pwdlen": len(password),
            "salt": salt_buf,
            "saltlen": len(salt),
            "secret": ffi.NULL,
            "secretlen": 0,
            "ad": ffi.NULL,
            "adlen": 0,
            "t_cost": cost.time_cost,
            "m_cost": cost.memory_kib,
            "lanes": cost.parallelism,
            "threads": cost.parallelism,
            "version": version,
            "allocate_cbk": _ALLOCATE,
            "free_cbk": _FREE,
            "flags": lib.ARGON2_DEFAULT_FLAGS,
        },
    )
    status = lib.argon2_ctx(context, kind.value)
    if status != lib.ARGON2_OK:
        raise ValueError(ffi.string(lib.argon2_error_message(status)).decode())
    return bytes(ffi.buffer(out, size))


def hash_password(password: str, cost: Cost) -> str:
    """A new argon2id hash of ``password`` at ``cost``, in the reference encoding."""
    salt = os.urandom(SALT_BYTES)
    raw = _derive(_utf8(password), salt, cost, Type.ID, ARGON2_VERSION, HASH_BYTES)
    return (
        f"$argon2id$v={ARGON2_VERSION}$m={cost.memory_kib},t={cost.time_cost},"
        f"p={cost.parallelism}${_b64(salt)}${_b64(raw)}"
    )


def verify_password(encoded: str, password: str) -> bool:
    """Whether ``password`` matches ``encoded`` (any argon2 variant and version argon2-cffi
    accepts); False for a malformed hash, as for a wrong password."""
    found = _ENCODED.fullmatch(encoded)
    if found is None:
        return False
    kind, version, memory, time_cost, lanes, salt, expected = found.groups()
    try:
        cost = Cost(int(memory), int(time_cost), int(lanes))
        salt_bytes, expected_bytes = _unb64(salt), _unb64(expected)
    except (ValueError, binascii.Error):
        return False
    if (
        cost.memory_kib > _MAX_MEMORY_KIB
        or cost.time_cost > _MAX_TIME_COST
        or cost.parallelism > 64
    ):
        return False
    try:
        raw = _derive(
            _utf8(password),
            salt_bytes,
            cost,
            _TYPES[kind],
            int(version) if version else 0x10,
            len(expected_bytes),
        )
    except ValueError:  # parameters libargon2 refuses: not a hash it could have made
        return False
    return hmac.compare_digest(raw, expected_bytes)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _utf8(password: str) -> bytes:
    """UTF-8, a lone surrogate (JSON lets ``"\\ud800"`` through) kept as its own bytes rather
    than failing the hash: the same bytes at hashing and at every verification."""
    return password.encode("utf-8", "surrogatepass")
