"""Minimal HTTP over the standard library (http.client), closable from another thread."""
from __future__ import annotations

import http.client
import json
import socket
import threading
from typing import Any, Dict, Optional, Tuple

from ..version import SDK_NAME
from .endpoints import Endpoints

__all__ = ["ConnectionFailed", "Endpoints", "OpenStream", "Response", "auth_headers", "open_stream", "request"]


class ConnectionFailed(Exception):
    """The server could not be reached or did not answer in time."""


class Response:
    """A finished HTTP exchange."""

    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        """The body as JSON (raises ValueError when it is not)."""
        return json.loads(self.body.decode("utf-8"))


def auth_headers(sdk_key: str) -> Dict[str, str]:
    """Headers every SDK request carries."""
    return {"Authorization": f"Bearer {sdk_key}", "X-Signalbox-Client": SDK_NAME, "User-Agent": SDK_NAME}


def request(
    endpoints: Endpoints,
    method: str,
    path: str,
    headers: Dict[str, str],
    body: Optional[Any] = None,
    timeout: float = 10.0,
) -> Response:
    """One request; the body (if any) is sent as JSON. Raises ConnectionFailed on network errors."""
    connection = endpoints.connection(timeout)
    try:
        payload = None
        all_headers = dict(headers)
        if body is not None:
            payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    except (OSError, http.client.HTTPException) as error:
        raise ConnectionFailed(f"{method} {path}: {error or type(error).__name__}") from error
    finally:
        connection.close()


class OpenStream:
    """A streaming response whose socket another thread can shut down to end a blocking read."""

    def __init__(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse) -> None:
        self.connection = connection
        self.response = response
        self._lock = threading.Lock()
        self._closed = False

    def readline(self) -> bytes:
        """The next line (b"" at the end of the stream)."""
        return self.response.readline(1 << 20)

    def close(self) -> None:
        """Ends the stream; a read blocked in another thread returns or raises at once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001
            pass


def open_stream(
    endpoints: Endpoints, path: str, headers: Dict[str, str], connect_timeout: float, read_timeout: float,
) -> Tuple[int, Dict[str, str], Optional[OpenStream], bytes]:
    """Opens a GET whose body is read incrementally. Returns (status, headers, stream, body):
    ``stream`` is set for a 200 answer, ``body`` holds the whole answer otherwise."""
    connection = endpoints.connection(connect_timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response_headers = {k.lower(): v for k, v in response.getheaders()}
        if response.status != 200:
            body = response.read()
            connection.close()
            return response.status, response_headers, None, body
        if connection.sock is not None:
            connection.sock.settimeout(read_timeout)
        return 200, response_headers, OpenStream(connection, response), b""
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise ConnectionFailed(f"GET {path}: {error or type(error).__name__}") from error
