"""The last-known-good cache file: the config as last received, written atomically."""
from __future__ import annotations

import os

from ..core.jsvalues import MAX_SAFE_INTEGER, is_array, is_object
from .json_text import loads

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, Dict, Optional

    from typing_extensions import TypeGuard

# hashlib, tempfile and datetime are imported where used: the client only needs them with a
# cache file, and together they cost more to import than the rest of the client (issue 15).

FORMAT = "signalbox-config-cache"


class CacheRead:
    """``status`` is "loaded", "missing" or "unusable" (with ``reason``)."""

    __slots__ = ("status", "config", "saved_at", "reason")

    def __init__(
        self, status: str, config: Optional[Dict[str, Any]] = None, saved_at: Optional[str] = None,
        reason: Optional[str] = None,
    ) -> None:
        self.status = status
        self.config = config
        self.saved_at = saved_at
        self.reason = reason


def environment_fingerprint(sdk_key: str) -> str:
    """A one-way fingerprint of the SDK key (same as the TypeScript SDK's), so a cache written for
    one environment is not served for another and the key itself is never stored."""
    import hashlib

    return hashlib.sha256(f"signalbox-cache:{sdk_key}".encode("utf-8")).hexdigest()[:16]


def is_environment_config(value: object) -> TypeGuard[Dict[str, Any]]:
    """Enough of an EnvironmentConfig to store; the compiler judges the rest."""
    return (
        is_object(value)
        and is_sequence(value.get("sequence"))
        and is_array(value.get("flags"))
        and is_array(value.get("segments"))
    )


def is_sequence(value: Any) -> bool:
    """A non-negative safe integer (not a bool)."""
    if type(value) is int:
        return 0 <= value <= MAX_SAFE_INTEGER
    return type(value) is float and value.is_integer() and 0 <= value <= MAX_SAFE_INTEGER


def read_cache_file(path: str, sdk_key: str) -> CacheRead:
    """Reads a cache file written by this SDK or the TypeScript SDK."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return CacheRead("missing")
    except OSError as error:
        return CacheRead("unusable", reason=f"cannot read it: {error}")
    try:
        contents = loads(text)
    except ValueError:
        return CacheRead("unusable", reason="it is not valid JSON")
    if not is_object(contents) or contents.get("format") != FORMAT or contents.get("version") != 1:
        return CacheRead("unusable", reason="it is not a Signalbox config cache")
    if contents.get("environment") != environment_fingerprint(sdk_key):
        return CacheRead("unusable", reason="it was written for another SDK key")
    if not is_environment_config(contents.get("config")):
        return CacheRead("unusable", reason="its config is malformed")
    return CacheRead("loaded", contents["config"], str(contents.get("savedAt")))


def write_cache_file(path: str, sdk_key: str, config: Dict[str, Any], now: Optional[datetime] = None) -> None:
    """Writes the cache atomically: a temporary file in the same directory, fsynced, then renamed
    over ``path``, so a reader (or a crash) never sees a partial file."""
    import json
    import tempfile
    from datetime import datetime, timezone

    saved_at = (now or datetime.now(timezone.utc)).isoformat().replace("+00:00", "Z")
    contents = {
        "format": FORMAT, "version": 1, "environment": environment_fingerprint(sdk_key), "savedAt": saved_at,
        "config": config,
    }
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp-", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(contents, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
