"""In-memory aggregation of metrics per (flag, variant, metric), in time windows."""
from __future__ import annotations

import math
import time
from _thread import allocate_lock

from .histogram import Histogram

# Every client makes an aggregator: threading, collections and typing are not imported for it
# (issue 15's cold start).
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple

    SeriesKey = Tuple[Optional[str], Optional[str], str]
    EvaluationKey = Tuple[str, Optional[str], str]

# Names the server accepts: 1-128 characters, no control characters (a set, not a regular
# expression, which would be compiled by every client at start).
_CONTROL_CHARACTERS = frozenset(map(chr, [*range(0x20), 0x7F]))


def valid_name(name: Any) -> bool:
    """True for a flag, variant or metric name the server accepts."""
    return isinstance(name, str) and 0 < len(name) <= 128 and _CONTROL_CHARACTERS.isdisjoint(name)


class Series:
    """Count, sum, sum of squares, errors and a histogram of one (flag, variant, metric)."""

    __slots__ = ("count", "sum", "sum_squares", "errors", "histogram")

    def __init__(self) -> None:
        self.count = 0
        self.sum = 0.0
        self.sum_squares = 0.0
        self.errors = 0
        self.histogram = Histogram()

    def record(self, value: float, error: bool) -> None:
        self.count += 1
        self.sum += value
        self.sum_squares += value * value
        if error:
            self.errors += 1
        self.histogram.record(value)

    @property
    def mean(self) -> Optional[float]:
        return self.sum / self.count if self.count else None


def _iso(epoch: float) -> str:
    # Imported on first use (random too, in offer_sample): a client's start does not need them.
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MetricsAggregator:
    """Aggregates observations cheaply (a dict update under a lock) and hands out closed windows
    as batches. Memory is bounded: at most ``max_series`` series per window (further new series
    are dropped and counted) and at most ``max_pending_batches`` closed windows waiting to be
    sent (the oldest are dropped and counted when the server stays unreachable)."""

    def __init__(
        self, max_series: int = 1000, max_pending_batches: int = 60, max_samples: int = 20,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_series = max_series
        self.max_pending_batches = max_pending_batches
        self.max_samples = max_samples
        self._evaluations: Dict[EvaluationKey, int] = {}
        self._samples: List[Dict[str, Any]] = []
        self._samples_seen = 0
        self._clock = clock
        self._lock = allocate_lock()
        self._series: Dict[SeriesKey, Series] = {}
        self._window_start = clock()
        # Oldest first; at most max_pending_batches long, so a list serves as well as a deque.
        self._pending: List[Dict[str, Any]] = []
        #: Batches discarded since the last accepted send (what the wire's ``dropped`` reports).
        self.dropped = 0
        #: Batches discarded since start.
        self.dropped_total = 0
        #: Observations refused since start: a full window (``max_series``), bad names, non-finite values.
        self.refused_observations = 0

    def record(
        self, metric: str, value: float, flag: Optional[str] = None, variant: Optional[str] = None,
        error: bool = False,
    ) -> bool:
        """Adds one observation; False when it was dropped (too many series in this window)."""
        key = (flag, variant, metric)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                if (
                    len(self._series) >= self.max_series
                    or not valid_name(metric)
                    or (flag is not None and not valid_name(flag))
                    or (variant is not None and not valid_name(variant))
                ):
                    self.refused_observations += 1
                    return False
                series = self._series[key] = Series()
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if not math.isfinite(number) or isinstance(value, bool):
                self.refused_observations += 1
                return False
            series.record(number, error)
        return True

    def count_evaluation(self, flag: str, variant: Optional[str], reason: str) -> None:
        """Counts one evaluation of ``flag`` that served ``variant`` for ``reason``."""
        key = (flag, variant, reason)
        with self._lock:
            count = self._evaluations.get(key)
            if count is None:
                if len(self._evaluations) >= self.max_series or not valid_name(flag):
                    return
                self._evaluations[key] = 1
            else:
                self._evaluations[key] = count + 1

    def offer_sample(self, sample: Dict[str, Any]) -> None:
        """Offers an example (e.g. a shadow disagreement); each window keeps a uniform random
        ``max_samples`` of those offered (reservoir sampling)."""
        import random

        with self._lock:
            self._samples_seen += 1
            if len(self._samples) < self.max_samples:
                self._samples.append(sample)
                return
            slot = random.randrange(self._samples_seen)
            if slot < self.max_samples:
                self._samples[slot] = sample

    def snapshot_series(self) -> Dict[SeriesKey, Series]:
        """The open window's series (for tests and local inspection; not a copy of the values)."""
        with self._lock:
            return dict(self._series)

    def close_window(self) -> None:
        """Moves the open window (if it has data) to the pending batches."""
        with self._lock:
            now = self._clock()
            if self._series or self._evaluations or self._samples:
                batch: Dict[str, Any] = {
                    "windowStart": _iso(self._window_start),
                    "windowEnd": _iso(now),
                    "series": [
                        {
                            "flag": flag,
                            "variant": variant,
                            "metric": metric,
                            "count": s.count,
                            "sum": s.sum,
                            "sumSquares": s.sum_squares,
                            "errors": s.errors,
                            "histogram": s.histogram.to_json(),
                        }
                        for (flag, variant, metric), s in self._series.items()
                    ],
                    "evaluations": [
                        {"flag": flag, "variant": variant, "reason": reason, "count": count}
                        for (flag, variant, reason), count in self._evaluations.items()
                    ],
                }
                if self._samples:
                    batch["samples"] = self._samples
                self._pending.append(batch)
                self._series, self._evaluations, self._samples, self._samples_seen = {}, {}, [], 0
                self._trim()
            self._window_start = now

    def take_pending(self) -> Tuple[List[Dict[str, Any]], int]:
        """The pending batches and the dropped count, to send. Give them back with ``restore``
        when sending fails, or they are gone."""
        with self._lock:
            batches = list(self._pending)
            self._pending.clear()
            dropped, self.dropped = self.dropped, 0
            return batches, dropped

    def restore(self, batches: List[Dict[str, Any]], dropped: int) -> None:
        """Puts unsent batches back in front (still bounded)."""
        with self._lock:
            self._pending[0:0] = batches
            self.dropped += dropped
            self._trim()

    def discard(self, batches: List[Dict[str, Any]], dropped: int) -> None:
        """Counts batches the server refused as dropped (reported with the next send)."""
        with self._lock:
            self.dropped += dropped + len(batches)
            self.dropped_total += len(batches)

    def _trim(self) -> None:
        while len(self._pending) > self.max_pending_batches:
            del self._pending[0]
            self.dropped += 1
            self.dropped_total += 1

    @property
    def pending_batches(self) -> int:
        with self._lock:
            return len(self._pending)
