"""Reading before/after operands as epoch milliseconds, as every Signalbox SDK does."""
from __future__ import annotations

import math

from .jsvalues import to_js_float

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, List, Optional

NAN = math.nan

# RFC 3339 / ISO-8601 extended format; a date-time without a zone is read as UTC. Read by hand,
# not with `re`, whose import is a large part of a cold start (issue 15); tests/test_core.py
# checks the reader against this expression:
ISO_DATE_PATTERN = (
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?)?"
)
_DIGITS = frozenset("0123456789")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap_year(year: int) -> bool:
    return (year % 4 == 0 and year % 100 != 0) or year % 400 == 0


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (year 0 allowed)."""
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _digits(text: str, start: int, count: int) -> Optional[str]:
    part = text[start:start + count]
    return part if len(part) == count and _DIGITS.issuperset(part) else None


def iso_date_groups(text: str) -> Optional[List[Optional[str]]]:
    """The groups of ``ISO_DATE_PATTERN`` (ASCII digits) fully matching ``text``; None when it does not."""
    year, month, day = _digits(text, 0, 4), _digits(text, 5, 2), _digits(text, 8, 2)
    if year is None or month is None or day is None or text[4:5] != "-" or text[7:8] != "-":
        return None
    groups: List[Optional[str]] = [year, month, day, None, None, None, None, None]
    end = len(text)
    if end == 10:
        return groups
    hour, minute = _digits(text, 11, 2), _digits(text, 14, 2)
    if text[10] not in "Tt " or hour is None or text[13:14] != ":" or minute is None:
        return None
    groups[3], groups[4] = hour, minute
    at = 16
    if text[at:at + 1] == ":":
        second = _digits(text, at + 1, 2)
        if second is None:
            return None
        groups[5] = second
        at += 3
        if text[at:at + 1] == ".":
            stop = at + 1
            while stop < end and text[stop] in _DIGITS:
                stop += 1
            if stop == at + 1:
                return None
            groups[6] = text[at + 1:stop]
            at = stop
    if at < end:
        zone = text[at:]
        if zone in ("Z", "z"):
            groups[7] = zone
        elif zone[0] in "+-" and _digits(zone, 1, 2) is not None and (
            (len(zone) == 5 and _digits(zone, 3, 2) is not None)
            or (len(zone) == 6 and zone[3] == ":" and _digits(zone, 4, 2) is not None)
        ):
            groups[7] = zone
        else:
            return None
    return groups


def parse_date_value(value: Any) -> float:
    """A finite number is epoch ms; a string must be ISO-8601 (see above). NaN otherwise."""
    if type(value) is not str:
        number = to_js_float(value)
        if number is None:
            return NAN
        return number if math.isfinite(number) else NAN
    if len(value) > 64:
        return NAN
    groups = iso_date_groups(value)
    if groups is None:
        return NAN
    year, month, day = int(groups[0] or 0), int(groups[1] or 0), int(groups[2] or 0)
    if month < 1 or month > 12 or day < 1:
        return NAN
    if day > _DAYS_IN_MONTH[month - 1] or (month == 2 and day == 29 and not _is_leap_year(year)):
        return NAN
    hour = int(groups[3] or 0)
    minute = int(groups[4] or 0)
    second = int(groups[5] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return NAN
    fraction = groups[6]
    millis = 0 if fraction is None else int(fraction[:3].ljust(3, "0"))
    offset_minutes = 0
    zone = groups[7]
    if zone is not None and zone not in ("Z", "z"):
        digits = zone.replace(":", "", 1)
        zone_hours, zone_minutes = int(digits[1:3]), int(digits[3:5])
        if zone_hours > 23 or zone_minutes > 59:
            return NAN
        offset_minutes = (-1 if zone[0] == "-" else 1) * (zone_hours * 60 + zone_minutes)
    days = _days_from_civil(year, month, day)
    millis_total = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
    return float(millis_total - offset_minutes * 60_000)


def is_valid_date_value(value: Any) -> bool:
    """True when ``value`` is an operand the before/after operators accept."""
    return not math.isnan(parse_date_value(value))
