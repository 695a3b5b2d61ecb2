"""Keeping the config current: HTTP snapshot with ETag, then the SSE stream (resume, backoff,
acks), falling back to polling when the server cannot stream. One background thread.

Only a permanent refusal stops it: HTTP 401/403, or an SSE ``refused`` event whose error is
UNAUTHENTICATED or FORBIDDEN (or carries no recognisable error). Network errors, 5xx answers and
UNAVAILABLE refusals (HTTP 503, or SSE ``refused`` with error UNAVAILABLE) are retried with
backoff and jitter; the server's Retry-After / ``retryAfterMs`` is a lower bound for the next
attempt, capped at the maximum backoff."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Dict, Optional, Protocol, Tuple
from urllib.parse import quote

from .._logging import get_logger
from ..version import SDK_NAME
from .backoff import DEFAULT_MAX_RETRY_DELAY, DEFAULT_RETRY_DELAY, Backoff, jittered, parse_retry_after, retry_after_ms
from .cache_file import is_environment_config
from .config_store import GAP
from .http import ConnectionFailed, Endpoints, OpenStream, auth_headers, open_stream, request
from .sse import KEEPALIVE, parse_sse
from ..core.jsvalues import is_object

# What one stream attempt ended with.
_ENDED = "ended"
_FAILED = "failed"
_GAP = "gap"
_REFUSED = "refused"
_UNSUPPORTED = "unsupported"
_STOPPED = "stopped"

#: The one transient SSE refusal code (the server could not check the key or read the config, or
#: is shutting down): retried. UNAUTHENTICATED, FORBIDDEN and unknown codes end delivery for good.
TRANSIENT_REFUSAL = "UNAVAILABLE"

#: A stream that stayed up this long (seconds) was healthy: when it ends (or fails), the backoff
#: starts over from the first delay.
HEALTHY_STREAM_SECONDS = 10.0


class DeliverySink(Protocol):
    """What the delivery thread tells the client."""

    def current_sequence(self) -> int: ...
    def deliver(self, message: Dict[str, Any], connection_id: Optional[str]) -> str: ...
    def connected(self, streaming: bool) -> None: ...
    def heard(self) -> None: ...
    def disconnected(self, reason: str) -> None: ...
    def refused(self, message: str) -> None: ...


class AckSender:
    """Posts acknowledgements at most once per ``interval`` seconds, always ending a burst with
    the newest sequence. A daemon thread; ``close`` stops it."""

    def __init__(
        self, endpoints: Endpoints, sdk_key: str, timeout: float, interval: float = 0.05,
        logger: Optional[logging.Logger] = None,
    ) -> None:
        self._endpoints = endpoints
        self._headers = auth_headers(sdk_key)
        self._timeout = timeout
        self._interval = interval
        self._log = logger or get_logger()
        self._condition = threading.Condition()
        self._pending: Optional[Tuple[str, int]] = None
        self._last_sent: Optional[Tuple[str, int]] = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="signalbox-acks", daemon=True)
        self._thread.start()

    def acknowledge(self, connection_id: str, sequence: int) -> None:
        """Notes that ``sequence`` is applied on stream ``connection_id``."""
        with self._condition:
            self._pending = (connection_id, sequence)
            self._condition.notify()

    def close(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._stopped and (self._pending is None or self._pending == self._last_sent):
                    self._condition.wait()
                if self._stopped:
                    return
                pending = self._pending
                self._last_sent = pending
                if pending is None:  # not reached: the loop above waits for a pending ack
                    continue
            connection_id, sequence = pending
            try:
                body = {"connectionId": connection_id, "sequence": sequence}
                response = request(self._endpoints, "POST", self._endpoints.ack, self._headers, body, self._timeout)
                if response.status >= 300:
                    self._log.debug("signalbox: ack answered %s", response.status)
            except ConnectionFailed as error:
                self._log.debug("signalbox: cannot ack: %s", error)
            with self._condition:
                if not self._stopped:
                    self._condition.wait(self._interval)


class Delivery:
    """The background thread that keeps the client's config current."""

    def __init__(
        self,
        endpoints: Endpoints,
        sdk_key: str,
        sink: DeliverySink,
        *,
        streaming: bool = True,
        poll_interval: float = 30.0,
        request_timeout: float = 10.0,
        read_timeout: float = 40.0,
        retry_delay: float = DEFAULT_RETRY_DELAY,
        max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
        stream_retry_interval: float = 300.0,
        logger: Optional[logging.Logger] = None,
    ) -> None:
        self._endpoints = endpoints
        self._sdk_key = sdk_key
        self._sink = sink
        self._headers = auth_headers(sdk_key)
        self.streaming = streaming
        self.poll_interval = poll_interval
        self.request_timeout = request_timeout
        self.read_timeout = read_timeout
        self.stream_retry_interval = stream_retry_interval
        self._backoff = Backoff(retry_delay, max_retry_delay)
        #: A stream that stayed up this long (seconds) resets the backoff when it ends.
        self.healthy_stream_after = HEALTHY_STREAM_SECONDS
        # The server's hint (seconds) for the next attempt, from the last failed one.
        self._retry_after: Optional[float] = None
        # When the current stream attempt got its event stream (None before).
        self._stream_opened_at: Optional[float] = None
        self._log = logger or get_logger()
        self._stop = threading.Event()
        self._stream_lock = threading.Lock()
        self._stream: Optional[OpenStream] = None
        self._acks = AckSender(endpoints, sdk_key, request_timeout, logger=self._log)
        self._thread = threading.Thread(target=self._run, name="signalbox-delivery", daemon=True)
        #: "stream" or "poll": how the client currently hears about changes.
        self.mode = "stream" if streaming else "poll"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stops the thread (ending a blocked stream read at once) and the ack sender."""
        self._stop.set()
        with self._stream_lock:
            stream = self._stream
        if stream is not None:
            stream.close()
        self._thread.join(timeout=5)
        self._acks.close()

    # -- the loop --

    def _run(self) -> None:
        try:
            self._loop()
        except Exception:  # noqa: BLE001 - the thread must not die silently
            self._log.exception("signalbox: delivery thread failed")
            self._sink.disconnected("internal error")

    def _loop(self) -> None:
        # The snapshot first, over plain HTTP: quick to serve and cacheable.
        first = self._poll_once()
        if first in (_REFUSED, _STOPPED):
            return
        if first == _FAILED and self._stop.wait(self._retry_delay()):
            return
        fell_back_at = 0.0
        resume = True
        while not self._stop.is_set():
            if self.mode == "stream":
                self._stream_opened_at = None
                result = self._stream_once(resume)
                resume = result != _GAP
                if result in (_REFUSED, _STOPPED):
                    return
                if result == _UNSUPPORTED:
                    self._log.warning("signalbox: the server cannot stream; polling every %.0f s", self.poll_interval)
                    self.mode, fell_back_at = "poll", time.monotonic()
                    continue
                if result == _GAP:
                    continue  # reconnect at once, asking for a snapshot
                opened = self._stream_opened_at
                if opened is not None and time.monotonic() - opened >= self.healthy_stream_after:
                    # The stream was up for a while (a server shutting down ends it cleanly so
                    # that clients move to another instance): resume promptly, and a failure of
                    # the next attempt is a fresh one.
                    self._backoff.reset()
                if self._stop.wait(self._retry_delay()):
                    return
            else:
                result = self._poll_once()
                if result in (_REFUSED, _STOPPED):
                    return
                if result != _ENDED:
                    # A failed poll is retried on the backoff (at most a poll interval away,
                    # unless the server asked for longer with Retry-After).
                    if self._stop.wait(self._retry_delay(ceiling=self.poll_interval)):
                        return
                    continue
                if self.streaming and time.monotonic() - fell_back_at > self.stream_retry_interval:
                    self.mode = "stream"
                    continue
                if self._stop.wait(jittered(self.poll_interval, 0.1)):
                    return

    def _retry_delay(self, ceiling: Optional[float] = None) -> float:
        """The backoff delay before the next attempt, at least the server's last Retry-After
        hint (capped at the maximum backoff), which it consumes."""
        hint, self._retry_after = self._retry_after, None
        return self._backoff.next(at_least=hint or 0.0, ceiling=ceiling)

    def _unavailable(self, what: str, retry_after: Optional[float], message: Optional[str] = None) -> str:
        """A transient failure: note the server's hint, report the disconnection, retry later."""
        self._retry_after = retry_after
        detail = f": {message}" if message else ""
        hint = f" (retry after {retry_after:g} s)" if retry_after is not None else ""
        self._sink.disconnected(f"{what}{detail}{hint}")
        return _FAILED

    def _poll_once(self) -> str:
        """GET the snapshot (If-None-Match: the held sequence). _ENDED on success."""
        headers = dict(self._headers, Accept="application/json")
        sequence = self._sink.current_sequence()
        if sequence > 0:
            headers["If-None-Match"] = f'"{sequence}"'
        try:
            response = request(self._endpoints, "GET", self._endpoints.config, headers, None, self.request_timeout)
        except ConnectionFailed as error:
            self._sink.disconnected(str(error))
            return _FAILED
        if self._stop.is_set():
            return _STOPPED
        if response.status == 304:
            self._backoff.reset()
            self._sink.connected(streaming=False)
            return _ENDED
        if response.status in (401, 403):
            self._sink.refused(_refusal_message(response.body, response.status))
            return _REFUSED
        if response.status != 200:
            # 5xx (503 UNAVAILABLE: the server cannot check the key or read the config), 429...
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            message = _error_message(response.body)
            return self._unavailable(f"GET config answered {response.status}", retry_after, message)
        try:
            config = response.json()
        except ValueError:
            config = None
        if not is_environment_config(config):
            self._sink.disconnected("the config answer is not a config")
            return _FAILED
        self._sink.deliver({"type": "snapshot", "sequence": config["sequence"], "config": config}, None)
        self._backoff.reset()
        self._sink.connected(streaming=False)
        return _ENDED

    def _stream_once(self, resume: bool) -> str:
        sequence = self._sink.current_sequence() if resume else 0
        path = f"{self._endpoints.stream}?client={quote(SDK_NAME)}"
        headers = dict(self._headers, Accept="text/event-stream")
        if sequence > 0:
            path += f"&sequence={sequence}"
            headers["Last-Event-ID"] = str(sequence)
        try:
            status, response_headers, stream, body = open_stream(
                self._endpoints, path, headers, self.request_timeout, self.read_timeout,
            )
        except ConnectionFailed as error:
            self._sink.disconnected(str(error))
            return _FAILED
        if status in (401, 403):
            self._sink.refused(_refusal_message(body, status))
            return _REFUSED
        if status in (404, 405, 406, 501):
            return _UNSUPPORTED
        if stream is None:
            retry_after = parse_retry_after(response_headers.get("retry-after"))
            return self._unavailable(f"the stream answered {status}", retry_after, _error_message(body))
        if "text/event-stream" not in response_headers.get("content-type", ""):
            stream.close()
            return _UNSUPPORTED
        with self._stream_lock:
            if self._stop.is_set():
                stream.close()
                return _STOPPED
            self._stream = stream
        self._stream_opened_at = time.monotonic()
        try:
            return self._read(stream)
        except Exception as error:  # noqa: BLE001 - socket errors, timeouts, a stream closed under a read
            if self._stop.is_set():
                return _STOPPED
            self._sink.disconnected(f"the stream failed: {error or type(error).__name__}")
            return _FAILED
        finally:
            with self._stream_lock:
                self._stream = None
            stream.close()

    def _read(self, stream: OpenStream) -> str:
        connection_id: Optional[str] = None
        for event in parse_sse(stream.readline):
            if self._stop.is_set():
                return _STOPPED
            if event is KEEPALIVE:
                self._sink.heard()
                continue
            try:
                data: Any = json.loads(event.data) if event.data else {}
            except ValueError:
                self._log.warning("signalbox: ignoring an unreadable %s event", event.event)
                continue
            if event.event == "hello":
                # Not a reset of the backoff: a server that cannot read the config still says
                # hello before it refuses (UNAVAILABLE) or ends the stream.
                connection_id = data.get("connectionId") if is_object(data) else None
                self._sink.connected(streaming=True)
            elif event.event in ("snapshot", "change"):
                outcome = self._sink.deliver(data, connection_id)
                if outcome == GAP:
                    self._log.info("signalbox: missed a change; reconnecting for a snapshot")
                    return _GAP
                self._backoff.reset()  # the server read the config and delivered it
                if connection_id is not None:
                    self._acks.acknowledge(connection_id, self._sink.current_sequence())
            elif event.event == "refused":
                fields = data if is_object(data) else {}
                message = fields.get("message") if isinstance(fields.get("message"), str) else None
                if fields.get("error") == TRANSIENT_REFUSAL:
                    retry_after = retry_after_ms(fields.get("retryAfterMs"))
                    return self._unavailable("the server is unavailable", retry_after, message)
                self._sink.refused(message or "the server ended the stream")
                return _REFUSED
        if self._stop.is_set():
            return _STOPPED
        self._sink.disconnected("the stream ended")
        return _ENDED


def _error_message(body: bytes) -> Optional[str]:
    """The ``message`` of a JSON error answer, if any."""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except ValueError:
        return None
    if is_object(parsed) and isinstance(parsed.get("message"), str):
        return parsed["message"]
    return None


def _refusal_message(body: bytes, status: int) -> str:
    return _error_message(body) or f"the server answered {status}"
