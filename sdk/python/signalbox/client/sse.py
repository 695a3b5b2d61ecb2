"""A Server-Sent Events parser (the subset the Signalbox stream uses, per the HTML spec)."""
from __future__ import annotations

from typing import Callable, Iterator, List, NamedTuple, Optional


class SseEvent(NamedTuple):
    """One dispatched event. ``event`` defaults to "message"; ``id`` is None when absent."""

    event: str
    data: str
    id: Optional[str]


#: Yielded for comment lines (": keep-alive") so the reader knows the server is alive.
KEEPALIVE = SseEvent("", "", None)


def parse_sse(readline: Callable[[], bytes]) -> Iterator[SseEvent]:
    """Reads lines until the stream ends (an empty read) and yields events and KEEPALIVE."""
    event = ""
    data: List[str] = []
    event_id: Optional[str] = None
    while True:
        raw = readline()
        if not raw:
            return
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if data or event:
                yield SseEvent(event or "message", "\n".join(data), event_id)
            event, data, event_id = "", [], None
            continue
        if line.startswith(":"):
            yield KEEPALIVE
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            event_id = value
        # "retry" and unknown fields are ignored.
