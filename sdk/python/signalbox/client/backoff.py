"""Exponential backoff with jitter."""
from __future__ import annotations

import random
from typing import Callable


def jittered(value: float, jitter: float, rand: Callable[[], float] = random.random) -> float:
    """``value`` scaled by a random factor in [1 - jitter, 1 + jitter]."""
    return max(0.0, value * (1 + jitter * (2 * rand() - 1)))


class Backoff:
    """``base * 2^attempt`` capped at ``maximum``, then scaled by 1 ± ``jitter``."""

    def __init__(self, base: float, maximum: float, jitter: float = 0.5, rand: Callable[[], float] = random.random) -> None:
        self.base = base
        self.maximum = maximum
        self.jitter = jitter
        self._rand = rand
        self._attempt = 0

    def next(self) -> float:
        """The delay (seconds) before the next attempt; each call counts one more failure."""
        delay = min(self.maximum, self.base * 2 ** min(self._attempt, 30))
        self._attempt += 1
        return jittered(delay, self.jitter, self._rand)

    def reset(self) -> None:
        """After a success: the next failure starts from the base delay again."""
        self._attempt = 0
