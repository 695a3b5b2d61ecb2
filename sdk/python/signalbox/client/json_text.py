"""Parsing JSON text without importing the ``json`` package, which imports ``re`` for a scanner
written in Python that CPython never uses: milliseconds of every cold start (issue 15). The C
scanner parses exactly as ``json.loads`` does; anything it does not accept, and any Python without
it, goes through ``json.loads``, which returns the same value or raises the same error."""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Tuple

_WHITESPACE = " \t\n\r"  # JSON's whitespace, as json.decoder.WHITESPACE


class _Decoder:
    """The settings ``_json.make_scanner`` reads, as a default ``json.JSONDecoder`` has them."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


def _c_scanner() -> Optional[Callable[[str, int], Tuple[Any, int]]]:
    try:
        from _json import make_scanner
    except ImportError:  # not CPython
        return None
    # typeshed wants a json.JSONDecoder; the scanner reads only the attributes _Decoder has.
    scan: Callable[[str, int], Tuple[Any, int]] = make_scanner(_Decoder())  # pyright: ignore[reportArgumentType]
    return scan


_scan = _c_scanner()


def loads(text: str) -> Any:
    """``json.loads(text)``; raises ValueError (json.JSONDecodeError) on text that is not JSON."""
    if _scan is not None and not text.startswith("\ufeff"):
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = _scan(text, start)
        except StopIteration:
            value, end = None, -1  # no value at all: json.loads says where
        if end >= 0 and not text[end:].strip(_WHITESPACE):
            return value
    import json

    return json.loads(text)
