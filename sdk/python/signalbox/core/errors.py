"""Errors raised and caught inside compilation, and the problems they are reported as."""
# No `from __future__ import annotations` here: typing.NamedTuple turns string annotations into
# ForwardRefs, compiling each at import (see result.py).
from typing import NamedTuple, Optional


class ConfigError(Exception):
    """A config the engine cannot read."""


class ConfigProblem(NamedTuple):
    """Something in a config the engine could not use."""

    message: str
    flag_key: Optional[str] = None
    segment_key: Optional[str] = None
