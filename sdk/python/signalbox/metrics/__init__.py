"""Client-side metrics: aggregation per flag/variant/metric and batched sending."""
from .._lazy import lazy_exports
from .aggregator import MetricsAggregator, Series
from .histogram import Histogram

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from .sender import MetricsSender, build_payload

__all__ = ["Histogram", "MetricsAggregator", "MetricsSender", "Series", "build_payload"]


# The sender (threads, logging) is imported on first use: an offline client never sends.
__getattr__, __dir__ = lazy_exports(globals(), {"MetricsSender": "sender", "build_payload": "sender"})
