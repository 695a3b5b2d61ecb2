"""SemVer 2.0 parsing and precedence, with optional minor and patch ("1.2" is "1.2.0")."""
# No `from __future__ import annotations` here: typing.NamedTuple turns string annotations into
# ForwardRefs, compiling each at import (see result.py).
import re
from typing import Any, List, NamedTuple, Optional, Tuple, Union

from .jsvalues import MAX_SAFE_INTEGER

_NUMERIC = re.compile(r"(0|[1-9][0-9]*)", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_IDENTIFIER = re.compile(r"[0-9A-Za-z-]+", re.ASCII)
_SEMVER = re.compile(
    r"(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?",
    re.ASCII,
)


class SemVer(NamedTuple):
    """A parsed semantic version; pre-release identifiers that are numeric are numbers."""

    major: int
    minor: int
    patch: int
    prerelease: Tuple[Union[str, float], ...]


def _number(text: str) -> Union[int, float]:
    value = int(text)
    # Beyond 2^53 JavaScript's Number() rounds; keep the same precision.
    return value if value <= MAX_SAFE_INTEGER else float(value)


def parse_semver(text: Any) -> Optional[SemVer]:
    """Parses a SemVer 2.0 string; None when it is not one."""
    if type(text) is not str or len(text) > 256:
        return None
    match = _SEMVER.fullmatch(text)
    if match is None:
        return None
    major = int(match.group(1))
    minor = 0 if match.group(2) is None else int(match.group(2))
    patch = 0 if match.group(3) is None else int(match.group(3))
    if major > MAX_SAFE_INTEGER or minor > MAX_SAFE_INTEGER or patch > MAX_SAFE_INTEGER:
        return None
    prerelease: List[Union[int, float, str]] = []
    if match.group(4) is not None:
        for identifier in match.group(4).split("."):
            if not _IDENTIFIER.fullmatch(identifier):
                return None
            if _DIGITS.fullmatch(identifier):
                if not _NUMERIC.fullmatch(identifier):
                    return None
                prerelease.append(_number(identifier))
            else:
                prerelease.append(identifier)
    if match.group(5) is not None and any(not _IDENTIFIER.fullmatch(i) for i in match.group(5).split(".")):
        return None
    return SemVer(major, minor, patch, tuple(prerelease))


def is_valid_semver(text: Any) -> bool:
    """True when ``text`` is a version the semver operators accept."""
    return parse_semver(text) is not None


def compare_semver(a: SemVer, b: SemVer) -> int:
    """SemVer 2.0 precedence: negative, zero or positive. Build metadata never matters."""
    if a.major != b.major:
        return -1 if a.major < b.major else 1
    if a.minor != b.minor:
        return -1 if a.minor < b.minor else 1
    if a.patch != b.patch:
        return -1 if a.patch < b.patch else 1
    left, right = a.prerelease, b.prerelease
    if not left or not right:
        return len(right) - len(left)
    for x, y in zip(left, right):
        x_numeric = type(x) is not str
        y_numeric = type(y) is not str
        if x_numeric == y_numeric and x == y:
            continue
        if x_numeric != y_numeric:
            return -1 if x_numeric else 1
        if isinstance(x, str) or isinstance(y, str):
            return -1 if str(x) < str(y) else 1
        return -1 if x < y else 1
    return len(left) - len(right)
