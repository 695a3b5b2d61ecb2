"""What the client can say about the config it serves."""
from __future__ import annotations

INITIALIZING = "initializing"
READY = "ready"
STALE = "stale"
OFFLINE = "offline"
ERROR = "error"

CONNECTING = "connecting"
CONNECTED = "connected"
DISCONNECTED = "disconnected"


def derive_status(has_config: bool, confirmed: bool, connection: str, refused: bool, silent_too_long: bool) -> str:
    """- ``initializing``: no config yet and no connection attempt has failed;
    - ``ready``: serving the server's config and in contact with the server;
    - ``stale``: serving a bootstrap/cache config not yet confirmed, or silent for too long;
    - ``offline``: the connection is down (or the client is closed);
    - ``error``: the server refused the SDK key for good (unknown or revoked key, wrong kind of
      credential); the client stops retrying. A transient refusal (UNAVAILABLE) is ``offline``.
    """
    if refused:
        return ERROR
    if not has_config:
        return OFFLINE if connection == DISCONNECTED else INITIALIZING
    if not confirmed:
        return STALE
    if connection != CONNECTED:
        return OFFLINE
    return STALE if silent_too_long else READY
