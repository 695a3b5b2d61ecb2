"""MurmurHash3 x86 32-bit over UTF-8, and the bucketing built on it.

Lone surrogates are encoded as U+FFFD, exactly like JavaScript's ``TextEncoder``, so every SDK
hashes the same bytes. No Unicode normalisation.
"""
from __future__ import annotations

import struct

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Callable, Dict, Tuple

_M = 0xFFFFFFFF
_C1 = 0xCC9E2D51
_C2 = 0x1B873593

#: Rollout weights are thousandths of a percent: 100000 buckets.
BUCKET_COUNT = 100_000

_BLOCK_UNPACKERS: Dict[int, Callable[[bytes], Tuple[int, ...]]] = {
    n: struct.Struct("<%dI" % n).unpack_from for n in range(0, 65)
}


def _unpack_blocks(count: int) -> Callable[[bytes], Tuple[int, ...]]:
    """``struct.unpack_from`` of ``count`` little-endian 32-bit blocks."""
    found = _BLOCK_UNPACKERS.get(count)
    return found if found is not None else struct.Struct("<%dI" % count).unpack_from


def utf8(text: str) -> bytes:
    """UTF-8 bytes of ``text`` as ``TextEncoder`` produces them (lone surrogates become U+FFFD)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Join surrogate pairs given as two code points, replace lone ones with U+FFFD.
        fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return fixed.encode("utf-8")


def hash_bytes(state: int, data: bytes, consumed: int) -> int:
    """Hashes ``data`` continuing from ``state`` (``consumed`` bytes already hashed): unsigned 32-bit.

    The block step is written with rotations folded into multiplications, which is the same
    arithmetic modulo 2^32 with fewer interpreter operations:
    ``rotl(x, 15) * C2 == x * (C2 << 15) + (x >> 17) * C2`` and
    ``rotl(g, 13) * 5 == g * (5 << 13) + (g >> 19) * 5`` (mod 2^32).
    """
    length = len(data)
    h = state
    for k in _unpack_blocks(length >> 2)(data):
        x = (k * 0xCC9E2D51) & 0xFFFFFFFF
        g = (h ^ (x * 0x9AC98000 + (x >> 17) * 0x1B873593)) & 0xFFFFFFFF
        h = (g * 40960 + (g >> 19) * 5 + 0xE6546B64) & 0xFFFFFFFF
    rest = length & 3
    if rest:
        x = (int.from_bytes(data[length - rest:], "little") * 0xCC9E2D51) & 0xFFFFFFFF
        h = (h ^ (x * 0x9AC98000 + (x >> 17) * 0x1B873593)) & 0xFFFFFFFF
    h ^= consumed + length
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
    return h ^ (h >> 16)


def murmur3_x86_32(text: str, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit of the UTF-8 bytes of ``text``, as an unsigned 32-bit integer."""
    return hash_bytes(seed & _M, utf8(text), 0)


class HashPrefix:
    """The hash state after the whole 4-byte blocks of a fixed prefix (a flag's ``salt + "."``),
    so a rollout hashes only the unit's bytes per evaluation."""

    __slots__ = ("state", "tail", "consumed")

    def __init__(self, prefix: str) -> None:
        data = utf8(prefix)
        whole = len(data) & ~3
        state = 0
        if whole:
            for k in _unpack_blocks(whole >> 2)(data):
                k = (k * _C1) & _M
                k = ((k << 15) | (k >> 17)) & _M
                k = (k * _C2) & _M
                state ^= k
                state = ((state << 13) | (state >> 19)) & _M
                state = (state * 5 + 0xE6546B64) & _M
        self.state: int = state
        self.tail: bytes = data[whole:]
        self.consumed: int = whole

    def bucket(self, unit: str) -> int:
        """``murmur3_x86_32(utf8(prefix + unit)) % 100000``."""
        try:
            data = self.tail + unit.encode("utf-8")
        except UnicodeEncodeError:
            data = self.tail + utf8(unit)
        return hash_bytes(self.state, data, self.consumed) % BUCKET_COUNT


def bucket_for(salt: str, unit: str) -> int:
    """The bucket in [0, 100000) of a unit for a flag's salt:
    ``murmur3_x86_32(utf8(salt + "." + unit), seed 0) % 100000``."""
    return murmur3_x86_32(f"{salt}.{unit}") % BUCKET_COUNT


def split_prefix(prefix: str) -> Tuple[int, bytes, int]:
    """(state, tail bytes, consumed) of a prefix; exposed for tests."""
    p = HashPrefix(prefix)
    return p.state, p.tail, p.consumed
