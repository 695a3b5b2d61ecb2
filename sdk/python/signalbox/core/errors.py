"""Errors raised and caught inside compilation, and the problems they are reported as."""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import NamedTuple, Optional

    class _Fields(NamedTuple):
        message: str
        flag_key: Optional[str] = None
        segment_key: Optional[str] = None
else:
    # typing.NamedTuple's tuple without importing typing (see result.py).
    from .record import record_type

    _Fields = record_type("ConfigProblem", ("message", "flag_key", "segment_key"), (None, None), __name__)


class ConfigError(Exception):
    """A config the engine cannot read."""


class ConfigProblem(_Fields):
    """Something in a config the engine could not use."""

    __slots__ = ()
