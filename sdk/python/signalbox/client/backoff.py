"""Exponential backoff with jitter, and the server's Retry-After hints."""
from __future__ import annotations

import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, Optional

# random and email.utils are imported on first use: an offline client imports this module for
# the defaults below only (issue 15's cold start).

#: Defaults shared by SignalboxClient and the delivery: first retry ~0.5 s, doubling, never more
#: than 5 s.
DEFAULT_RETRY_DELAY = 0.5
DEFAULT_MAX_RETRY_DELAY = 5.0

#: A Retry-After of N seconds waits between N and N * (1 + this), so that clients told the same
#: N do not all come back at the same instant (never more than the maximum backoff).
RETRY_AFTER_SPREAD = 0.2


def _uniform() -> Callable[[], float]:
    import random

    return random.random


def jittered(value: float, jitter: float, rand: Optional[Callable[[], float]] = None) -> float:
    """``value`` scaled by a random factor in [1 - jitter, 1 + jitter] (``rand`` defaults to
    random.random)."""
    return max(0.0, value * (1 + jitter * (2 * (rand or _uniform())() - 1)))


class Backoff:
    """``base * 2^attempt`` capped at ``maximum``, then scaled by 1 ± ``jitter``; ``maximum`` is a
    hard ceiling (jitter never takes a delay above it): near the cap the delay is drawn from
    [maximum * (1 - jitter), maximum]."""

    def __init__(
        self, base: float, maximum: float, jitter: float = 0.5, rand: Optional[Callable[[], float]] = None,
    ) -> None:
        self.base = base
        self.maximum = maximum
        self.jitter = jitter
        self._rand = rand or _uniform()
        self._attempt = 0

    def next(self, at_least: float = 0.0, ceiling: Optional[float] = None) -> float:
        """The delay (seconds) before the next attempt; each call counts one more failure.

        ``at_least`` (a server's Retry-After) is a lower bound, itself capped at ``maximum``;
        ``ceiling`` lowers the cap of the exponential part (never below ``at_least``)."""
        cap = self.maximum if ceiling is None else min(self.maximum, ceiling)
        exponential = min(cap, self.base * 2 ** min(self._attempt, 30))
        self._attempt += 1
        low = exponential * (1 - self.jitter)
        high = min(cap, exponential * (1 + self.jitter))
        delay = max(0.0, low + (high - low) * self._rand())
        if at_least > delay:
            bound = min(at_least, self.maximum)
            spread = min(self.maximum, bound * (1 + RETRY_AFTER_SPREAD)) - bound
            delay = max(delay, bound + spread * self._rand())
        return delay

    def reset(self) -> None:
        """After a success: the next failure starts from the base delay again."""
        self._attempt = 0


def parse_retry_after(value: Any, now: Callable[[], float] = time.time) -> Optional[float]:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or
    unreadable. Negative values and dates in the past read as 0."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            seconds = parsedate_to_datetime(text).timestamp() - now()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds or seconds == float("inf"):  # NaN, inf
        return None
    return max(0.0, seconds)


def retry_after_ms(value: Any) -> Optional[float]:
    """Seconds from an SSE refusal's ``retryAfterMs`` (a non-negative number); None otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value < 0 or value == float("inf"):
        return None
    return value / 1000.0
