"""The realtime client: config delivery, status, cache and bootstrap."""
from .client import SignalboxClient
from .status import ERROR, INITIALIZING, OFFLINE, READY, STALE

__all__ = ["ERROR", "INITIALIZING", "OFFLINE", "READY", "STALE", "SignalboxClient"]
