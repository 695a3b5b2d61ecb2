"""Weighted splits: bucket a unit, walk the cumulative weights."""
from __future__ import annotations

from bisect import bisect_right

from .jsvalues import unit_string
from .murmur3 import BUCKET_COUNT, HashPrefix, hash_bytes, utf8

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Optional, Sequence

    from .operators import Context
    from .outcome import Outcome


class CompiledRollout:
    """A rollout ready to bucket: the salt's precomputed hash state and cumulative weights."""

    __slots__ = (
        "salt", "bucket_by", "cumulative", "outcomes", "unit_missing", "_prefix", "_state", "_tail", "_consumed",
        "_count",
    )

    def __init__(
        self, salt: str, bucket_by: str, cumulative: Sequence[int], outcomes: Sequence[Outcome],
        unit_missing: Outcome,
    ) -> None:
        self.salt = salt
        self.bucket_by = bucket_by
        self.cumulative = tuple(cumulative)
        self.outcomes = tuple(outcomes)
        self.unit_missing = unit_missing
        self._prefix = HashPrefix(salt + ".")
        self._state = self._prefix.state
        self._tail = self._prefix.tail
        self._consumed = self._prefix.consumed
        self._count = len(self.outcomes)

    def unit_of(self, context: Context) -> Optional[str]:
        """The unit value hashed for the context, or None when there is none."""
        value = context.get(self.bucket_by)
        if type(value) is str:
            return value or None
        return unit_string(value)

    def bucket_of(self, unit: str) -> int:
        """The unit's bucket in [0, 100000)."""
        return self._prefix.bucket(unit)

    def outcome_for(self, bucket: int) -> Outcome:
        """The slice serving ``bucket``: the first whose cumulative weight exceeds it."""
        index = bisect_right(self.cumulative, bucket)
        return self.outcomes[index] if index < len(self.outcomes) else self.unit_missing

    def serve(self, context: Context) -> Outcome:
        """What the rollout serves for the context (the hot path: hashing inlined)."""
        unit = context.get(self.bucket_by)
        if type(unit) is not str or not unit:
            unit = unit_string(unit)
            if unit is None:
                return self.unit_missing
        try:
            data = self._tail + unit.encode("utf-8")
        except UnicodeEncodeError:
            data = self._tail + utf8(unit)
        index = bisect_right(self.cumulative, hash_bytes(self._state, data, self._consumed) % BUCKET_COUNT)
        return self.outcomes[index] if index < self._count else self.unit_missing
