"""A scripted stand-in for the Signalbox server's SDK endpoints (standard library only), to play
protocol edge cases the real server cannot be made to produce on demand: 503 with Retry-After,
SSE refusals, streams that end cleanly."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

CONFIG_PATH = "/api/v1/sdk/config"
STREAM_PATH = "/api/v1/sdk/stream"


class Answer(NamedTuple):
    """A plain HTTP answer: status, extra headers, JSON body (None: empty)."""

    status: int
    body: Any = None
    headers: Tuple[Tuple[str, str], ...] = ()


class Stream(NamedTuple):
    """An SSE answer: ``events`` as (event, data) pairs written at once, then the stream stays
    open ``hold`` seconds (None: until the server stops) and ends cleanly."""

    events: Tuple[Tuple[str, Any], ...]
    hold: Optional[float] = 0.0


def unavailable(retry_after: Optional[int] = None) -> Answer:
    """The server's 503 UNAVAILABLE answer."""
    headers = (("Retry-After", str(retry_after)),) if retry_after is not None else ()
    return Answer(503, {"error": "UNAVAILABLE", "message": "the database is unreachable", "requestId": "req-1"}, headers)


def snapshot(config: Dict[str, Any]) -> Tuple[str, Any]:
    return ("snapshot", {"type": "snapshot", "sequence": config["sequence"], "config": config})


HELLO = ("hello", {"type": "hello", "connectionId": "sse:test"})


class Request(NamedTuple):
    at: float  # time.monotonic() when the request arrived
    path: str  # without the query
    query: str
    headers: Dict[str, str]


class FakeServer:
    """Serves ``config`` (GET config: 200, or 304 for the matching If-None-Match) and an open
    stream by default; ``script(path, *answers)`` queues answers that are used first, in order.
    ``requests`` records every request; ``stream_ended`` the times streams were ended cleanly."""

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = config
        self.requests: List[Request] = []
        self.stream_ended: List[float] = []
        self._scripts: Dict[str, List[Any]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def script(self, path: str, *answers: Any) -> None:
        with self._lock:
            self._scripts.setdefault(path, []).extend(answers)

    def requests_to(self, path: str) -> List[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next(self, path: str, default: Callable[[], Any]) -> Any:
        with self._lock:
            queue = self._scripts.get(path)
            if queue:
                return queue.pop(0)
        return default()

    def _handler(self) -> type:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection; a stream ends with the connection

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path, _, query = self.path.partition("?")
                with server._lock:
                    server.requests.append(Request(time.monotonic(), path, query, {k.lower(): v for k, v in self.headers.items()}))
                if path == CONFIG_PATH:
                    def default() -> Answer:
                        if self.headers.get("If-None-Match") == f'"{server.config["sequence"]}"':
                            return Answer(304)
                        return Answer(200, server.config)
                    self._answer(server._next(path, default))
                elif path == STREAM_PATH:
                    self._answer(server._next(path, lambda: Stream((HELLO, snapshot(server.config)), hold=None)))
                else:
                    self._answer(Answer(404, {"error": "NOT_FOUND"}))

            def do_POST(self) -> None:  # noqa: N802 - acks, metrics
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self._answer(Answer(204))

            def _answer(self, answer: Any) -> None:
                if isinstance(answer, Stream):
                    self._stream(answer)
                    return
                body = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                if body:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, stream: Stream) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                try:
                    for event, data in stream.events:
                        sequence = data.get("sequence") if isinstance(data, dict) and event in ("snapshot", "change") else None
                        head = f"id: {sequence}\n" if sequence is not None else ""
                        self.wfile.write(f"{head}event: {event}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
                    deadline = None if stream.hold is None else time.monotonic() + stream.hold
                    while not server._stopping.is_set() and (deadline is None or time.monotonic() < deadline):
                        server._stopping.wait(0.05)
                        self.wfile.write(b": keep-alive\n\n")  # raises once the client is gone
                        self.wfile.flush()
                except OSError:
                    return
                with server._lock:
                    server.stream_ended.append(time.monotonic())

        return Handler


def wait_until(predicate: Callable[[], Any], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: {message}")
        time.sleep(0.01)
