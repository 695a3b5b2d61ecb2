"""Client-side metrics: aggregation per flag/variant/metric and batched sending."""
from .aggregator import MetricsAggregator, Series
from .histogram import Histogram
from .sender import MetricsSender, build_payload

__all__ = ["Histogram", "MetricsAggregator", "MetricsSender", "Series", "build_payload"]
