"""Flushes aggregated metrics to ``POST /api/v1/sdk/events`` every few seconds and on close."""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Dict, List, Optional

from .._logging import get_logger
from ..version import SDK_NAME
from .aggregator import MetricsAggregator

#: Send results.
SENT = "sent"
NOTHING = "nothing"
UNAVAILABLE = "unavailable"  # the server has no ingestion endpoint (404): kept, retried later
FAILED = "failed"
REJECTED = "rejected"  # the server refused the batch as malformed (400/413/422): dropped
REFUSED = "refused"  # the server refused the SDK key (401/403): dropped, and nothing is sent again


def build_payload(batches: List[Dict[str, Any]], dropped: int) -> Dict[str, Any]:
    """The JSON body of one POST."""
    return {"sdk": SDK_NAME, "batches": batches, "dropped": dropped}


class MetricsSender:
    """A daemon thread that closes a window every ``interval`` seconds and posts pending batches.

    ``post`` takes the JSON payload and returns the HTTP status (raising on network errors).
    """

    def __init__(
        self, aggregator: MetricsAggregator, post: Callable[[Dict[str, Any]], int], interval: float = 5.0,
        logger: Optional[logging.Logger] = None,
    ) -> None:
        self.aggregator = aggregator
        self._post = post
        self.interval = interval
        self._log = logger or get_logger()
        self._stop = threading.Event()
        self._send_lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self.last_result: str = NOTHING
        self.last_status: Optional[int] = None
        # A refused key stays refused (rotated or revoked): sending again would only be refused again.
        self.refused = False

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="signalbox-metrics", daemon=True)
            self._thread.start()

    def flush(self) -> str:
        """Closes the open window and sends everything pending now; returns a send result."""
        self.aggregator.close_window()
        with self._send_lock:
            batches, dropped = self.aggregator.take_pending()
            if not batches and not dropped:
                self.last_result = NOTHING
                return NOTHING
            if self.refused:
                self.aggregator.discard(batches, dropped)
                self.last_result = REFUSED
                return REFUSED
            try:
                status = self._post(build_payload(batches, dropped))
            except Exception as error:  # noqa: BLE001
                self._log.debug("signalbox: cannot send metrics: %s", error)
                self.aggregator.restore(batches, dropped)
                self.last_result, self.last_status = FAILED, None
                return FAILED
            self.last_status = status
            if 200 <= status < 300:
                self.last_result = SENT
            elif status in (401, 403):
                self._log.warning(
                    "signalbox: the server refused telemetry (HTTP %s); metrics are no longer sent", status)
                self.refused = True
                self.aggregator.discard(batches, dropped)
                self.last_result = REFUSED
            elif status in (400, 413, 422):
                self._log.warning("signalbox: the server rejected a metrics batch (HTTP %s); dropped", status)
                self.aggregator.discard(batches, dropped)
                self.last_result = REJECTED
            else:
                self.aggregator.restore(batches, dropped)
                self.last_result = UNAVAILABLE if status == 404 else FAILED
            return self.last_result

    def close(self, flush: bool = True) -> None:
        """Stops the thread, then sends what is left once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if flush:
            self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - housekeeping never kills the thread
                self._log.exception("signalbox: metrics flush failed")
