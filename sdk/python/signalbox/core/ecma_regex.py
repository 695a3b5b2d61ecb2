"""Running ECMAScript regular expressions (no flags) with Python's ``re``.

The portable subset (``^ $ . * + ? {n,m} [...] \\d \\w \\s ( | )``) behaves as in JavaScript:
``$`` matches only at the end of input, ``.`` excludes every line terminator, and ``\\d``/``\\w``
are ASCII while ``\\s`` is ECMAScript's whitespace set.
"""
from __future__ import annotations

import re
from typing import Optional, Pattern

_WHITESPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_OUTSIDE = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[A-Za-z0-9_]",
    "W": "[^A-Za-z0-9_]",
    "s": "[" + _WHITESPACE + "]",
    "S": "[^" + _WHITESPACE + "]",
}
_INSIDE = {"d": "0-9", "w": "A-Za-z0-9_", "s": _WHITESPACE}


class RegexError(ValueError):
    """The pattern is not a regular expression this SDK can run."""


def translate(pattern: str) -> str:
    """Rewrites an ECMAScript pattern as an equivalent Python pattern; raises RegexError."""
    out = []
    i = 0
    n = len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise RegexError("\\ at end of pattern")
            e = pattern[i + 1]
            i += 2
            if in_class and e in _INSIDE:
                out.append(_INSIDE[e])
            elif not in_class and e in _OUTSIDE:
                out.append(_OUTSIDE[e])
            elif e == "k" and not in_class and i < n and pattern[i] == "<":
                end = pattern.find(">", i)
                if end < 0:
                    raise RegexError("bad named reference")
                out.append("(?P=" + pattern[i + 1 : end] + ")")
                i = end + 1
            elif e == "c":
                raise RegexError("control escapes are not supported")
            else:
                out.append("\\" + e)
            continue
        if in_class:
            if c == "]":
                in_class = False
                out.append("]")
            elif c in "[&~|":
                out.append("\\" + c)
            else:
                out.append(c)
            i += 1
            continue
        if c == "[":
            if pattern.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            if pattern.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
                continue
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            # A "]" right after the opening would be literal in Python but ends the class in JS.
            continue
        if c == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
        elif c == "$":
            out.append("(?!(?s:.))")
        elif c == "{" and pattern.startswith("{,", i):
            out.append("\\{")
        elif c == "(" and pattern.startswith("(?<", i) and not pattern.startswith("(?<=", i) and not pattern.startswith("(?<!", i):
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(c)
        i += 1
    if in_class:
        raise RegexError("unterminated character class")
    return "".join(out)


def compile_ecma(pattern: str) -> Optional[Pattern[str]]:
    """The compiled pattern, or None when it is invalid (an invalid pattern never matches)."""
    try:
        return re.compile(translate(pattern))
    except (RegexError, re.error, ValueError, TypeError, OverflowError, RecursionError):
        return None


def validate_regex(pattern: object) -> Optional[str]:
    """Why ``pattern`` is invalid, or None when it is a usable regular expression."""
    if not isinstance(pattern, str):
        return "a pattern must be a string"
    try:
        re.compile(translate(pattern))
        return None
    except (RegexError, re.error) as error:
        return str(error)
