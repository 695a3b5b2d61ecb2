"""Client-side metrics: aggregation per flag/variant/metric and batched sending."""
from .aggregator import MetricsAggregator, Series
from .histogram import Histogram

__all__ = ["Histogram", "MetricsAggregator", "MetricsSender", "Series", "build_payload"]


def __getattr__(name: str) -> object:
    # The sender (threads, logging) is imported on first use: an offline client never sends.
    if name in ("MetricsSender", "build_payload"):
        from . import sender

        return getattr(sender, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))
