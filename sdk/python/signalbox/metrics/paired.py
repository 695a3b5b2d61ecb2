"""Paired observations and breakdowns in ordinary series, named as the JS SDK names them
(sdk/src/telemetry/paired-series.ts), so the server's experiment analysis reads both alike.

A pair (y, x) per unit is three series of one flag variant: ``<pair>#y`` (values y), ``<pair>#x``
(values x) and ``<pair>#xy`` (values x*y): together n, Σy, Σy², Σx, Σx² and Σxy, all that the delta
method (ratio metrics) and CUPED need. ``<pair>`` is ``ratio:<numerator>/<denominator>`` or
``cuped:<metric>``. A breakdown is ``<metric>@<attribute>=<value>``, with at most
:data:`MAX_SEGMENT_VALUES` values per (metric, attribute) in one process; later ones go to
:data:`SEGMENT_OTHER`.
"""
from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Any, Dict, Optional, Set, Tuple

if TYPE_CHECKING:
    from .aggregator import MetricsAggregator

MAX_SERIES_NAME_LENGTH = 128
MAX_SEGMENT_VALUES = 20
SEGMENT_OTHER = "(other)"
SEGMENT_NONE = "(none)"
MAX_SEGMENT_VALUE_LENGTH = 64


def ratio_pair_name(numerator: str, denominator: str) -> str:
    return f"ratio:{numerator}/{denominator}"


def cuped_pair_name(metric: str) -> str:
    return f"cuped:{metric}"


def pair_series_name(pair: str, part: str) -> str:
    return f"{pair}#{part}"


def segment_series_name(metric: str, attribute: str, value: str) -> str:
    return f"{metric}@{attribute}={value}"


def segment_value_of(value: Any) -> str:
    """An attribute's value as a segment name: strings as they are, numbers and booleans as the JS SDK writes them."""
    if value is None or value == "":
        return SEGMENT_NONE
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and math.isfinite(value):
        text = str(int(value)) if value.is_integer() else repr(value)
    else:
        return SEGMENT_OTHER
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return SEGMENT_OTHER
    return text[:MAX_SEGMENT_VALUE_LENGTH]


class SegmentValueCap:
    """The segment values one process reports, capped per (metric, attribute)."""

    def __init__(self, max_values: int = MAX_SEGMENT_VALUES, max_keys: int = 1000) -> None:
        self._seen: Dict[Tuple[str, str], Set[str]] = {}
        self._max_values = max_values
        self._max_keys = max_keys
        self._lock = threading.Lock()

    def admit(self, metric: str, attribute: str, value: str) -> str:
        with self._lock:
            values = self._seen.get((metric, attribute))
            if values is None:
                if len(self._seen) >= self._max_keys:
                    return SEGMENT_OTHER
                values = self._seen[(metric, attribute)] = set()
            if value in values:
                return value
            if len(values) >= self._max_values:
                return SEGMENT_OTHER
            values.add(value)
            return value


def record_pair(
    aggregator: "MetricsAggregator", flag: Optional[str], variant: Optional[str], pair: str, y: float, x: float,
) -> bool:
    """Records one unit's pair; False (nothing recorded) for non-finite values or a name too long for the wire."""
    try:
        y, x = float(y), float(x)
    except (TypeError, ValueError):
        return False
    if not (math.isfinite(y) and math.isfinite(x) and math.isfinite(x * y)):
        return False
    if len(pair_series_name(pair, "xy")) > MAX_SERIES_NAME_LENGTH:
        return False
    aggregator.record(pair_series_name(pair, "y"), y, flag, variant)
    aggregator.record(pair_series_name(pair, "x"), x, flag, variant)
    aggregator.record(pair_series_name(pair, "xy"), x * y, flag, variant)
    return True
