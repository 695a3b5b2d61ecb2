"""The last-known-good cache file: the config as last received, written atomically."""
# No `from __future__ import annotations` here: typing.NamedTuple turns string annotations into
# ForwardRefs, compiling each at import (see core/result.py).
import json
import os
from typing import TYPE_CHECKING, Any, Dict, NamedTuple, Optional

if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime

# hashlib, tempfile and datetime are imported where used: the client only needs them with a
# cache file, and together they cost more to import than the rest of the client (issue 15).

FORMAT = "signalbox-config-cache"


class CacheRead(NamedTuple):
    """``status`` is "loaded", "missing" or "unusable" (with ``reason``)."""

    status: str
    config: Optional[Dict[str, Any]] = None
    saved_at: Optional[str] = None
    reason: Optional[str] = None


def environment_fingerprint(sdk_key: str) -> str:
    """A one-way fingerprint of the SDK key (same as the TypeScript SDK's), so a cache written for
    one environment is not served for another and the key itself is never stored."""
    import hashlib

    return hashlib.sha256(f"signalbox-cache:{sdk_key}".encode("utf-8")).hexdigest()[:16]


def is_environment_config(value: Any) -> bool:
    """Enough of an EnvironmentConfig to store; the compiler judges the rest."""
    return (
        isinstance(value, dict)
        and is_sequence(value.get("sequence"))
        and isinstance(value.get("flags"), list)
        and isinstance(value.get("segments"), list)
    )


def is_sequence(value: Any) -> bool:
    """A non-negative safe integer (not a bool)."""
    return type(value) is int and 0 <= value <= 9007199254740991 or (type(value) is float and value.is_integer() and 0 <= value <= 9007199254740991)


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
        contents = json.loads(text)
    except ValueError:
        return CacheRead("unusable", reason="it is not valid JSON")
    if not isinstance(contents, dict) or contents.get("format") != FORMAT or contents.get("version") != 1:
        return CacheRead("unusable", reason="it is not a Signalbox config cache")
    if contents.get("environment") != environment_fingerprint(sdk_key):
        return CacheRead("unusable", reason="it was written for another SDK key")
    if not is_environment_config(contents.get("config")):
        return CacheRead("unusable", reason="its config is malformed")
    return CacheRead("loaded", contents["config"], str(contents.get("savedAt")))


def write_cache_file(path: str, sdk_key: str, config: Dict[str, Any], now: "Optional[datetime]" = None) -> None:
    """Writes the cache atomically: a temporary file in the same directory, fsynced, then renamed
    over ``path``, so a reader (or a crash) never sees a partial file."""
    import tempfile
    from datetime import datetime, timezone

    saved_at = (now or datetime.now(timezone.utc)).isoformat().replace("+00:00", "Z")
    contents = {"format": FORMAT, "version": 1, "environment": environment_fingerprint(sdk_key), "savedAt": saved_at, "config": config}
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
