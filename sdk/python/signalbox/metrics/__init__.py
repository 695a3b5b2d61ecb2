"""Client-side metrics: aggregation per flag/variant/metric and batched sending."""
from .aggregator import MetricsAggregator, Series
from .histogram import Histogram
from .._lazy import lazy_exports

__all__ = ["Histogram", "MetricsAggregator", "MetricsSender", "Series", "build_payload"]


# The sender (threads, logging) is imported on first use: an offline client never sends.
__getattr__, __dir__ = lazy_exports(globals(), {"MetricsSender": "sender", "build_payload": "sender"})
