"""The server's SDK URLs."""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # pragma: no cover
    import http.client


class Endpoints:
    """The server's SDK URLs, derived from its base URL (``http://host:port`` or with a path)."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.base_path = parts.path.rstrip("/")
        self.config = self.base_path + "/api/v1/sdk/config"
        self.stream = self.base_path + "/api/v1/sdk/stream"
        self.ack = self.base_path + "/api/v1/sdk/ack"
        self.events = self.base_path + "/api/v1/sdk/events"

    def connection(self, timeout: float) -> http.client.HTTPConnection:
        """A new connection to the server (not yet connected)."""
        # Imported here: an offline client never opens one (issue 15's cold start).
        import http.client

        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)
