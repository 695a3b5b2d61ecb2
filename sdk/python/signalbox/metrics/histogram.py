"""The ``log2-16`` latency histogram shared by every Signalbox SDK and the server.

A positive value ``v = m * 2^e`` (``1 <= m < 2``) falls in bucket ``16*e + floor((m - 1) * 16)``:
16 equal sub-buckets per power of two. ``e`` is clamped to [-64, 63], so indexes run from -1024
to 1023; values at or below 2^-64 (zero, negatives) count in bucket -1024, which estimates 0.
Non-finite values are never recorded. The computation is exact in IEEE-754 doubles
(``math.frexp``), so Python and TypeScript agree on every index. Histograms merge by adding
counts per index; a percentile read from the bucket midpoint is within 1/32 of the true value.
"""
from __future__ import annotations

import math

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, Optional

SCHEME = "log2-16"
SUB_BUCKETS = 16
MIN_INDEX = -1024
MAX_INDEX = 1023
_MIN_POSITIVE = 2.0 ** -64


def bucket_index(value: float) -> int:
    """The bucket of a finite value (see the module docstring)."""
    if not value > _MIN_POSITIVE:
        return MIN_INDEX
    fraction, exponent = math.frexp(value)  # value = fraction * 2^exponent, 0.5 <= fraction < 1
    e = exponent - 1
    if e > 63:
        return MAX_INDEX
    return e * SUB_BUCKETS + math.floor((fraction * 2 - 1) * SUB_BUCKETS)


def bucket_value(index: int) -> float:
    """The value a bucket stands for in estimates: its midpoint (bucket -1024: 0)."""
    if index <= MIN_INDEX:
        return 0.0
    e = index // SUB_BUCKETS
    sub = index - e * SUB_BUCKETS
    return 2.0 ** e * (1 + (sub + 0.5) / SUB_BUCKETS)


class Histogram:
    """Counts per bucket index. Not thread-safe (the aggregator holds a lock)."""

    __slots__ = ("buckets", "count")

    def __init__(self) -> None:
        self.buckets: Dict[int, int] = {}
        self.count = 0

    def record(self, value: float) -> None:
        """Adds one finite value."""
        key = bucket_index(value)
        self.buckets[key] = self.buckets.get(key, 0) + 1
        self.count += 1

    def merge(self, other: "Histogram") -> None:
        """Adds another histogram's counts to this one."""
        for key, count in other.buckets.items():
            self.buckets[key] = self.buckets.get(key, 0) + count
        self.count += other.count

    def percentile(self, p: float) -> Optional[float]:
        """The ``p``-th percentile (0-100) by nearest rank, as its bucket's midpoint; None when empty."""
        if self.count == 0:
            return None
        rank = max(1, math.ceil(p / 100 * self.count))
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                return bucket_value(index)
        return None

    def to_json(self) -> Dict[str, object]:
        """``{"scheme": "log2-16", "buckets": {"<index>": count}}``."""
        return {"scheme": SCHEME, "buckets": {str(k): v for k, v in self.buckets.items()}}

    @classmethod
    def from_json(cls, data: Dict[str, object]) -> "Histogram":
        """The inverse of ``to_json``."""
        histogram = cls()
        buckets: Any = data.get("buckets") or {}
        for key, count in dict(buckets).items():
            histogram.buckets[int(key)] = int(count)
            histogram.count += int(count)
        return histogram

    @classmethod
    def of(cls, values: Iterable[float]) -> "Histogram":
        """A histogram of ``values``."""
        histogram = cls()
        for value in values:
            histogram.record(value)
        return histogram
