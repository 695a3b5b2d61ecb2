"""Reading before/after operands as epoch milliseconds, as every Signalbox SDK does."""
from __future__ import annotations

import math
import re
from typing import Any

from .jsvalues import to_js_float

NAN = math.nan

# RFC 3339 / ISO-8601 extended format; a date-time without a zone is read as UTC.
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?)?",
    re.ASCII,
)
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


def parse_date_value(value: Any) -> float:
    """A finite number is epoch ms; a string must be ISO-8601 (see above). NaN otherwise."""
    if type(value) is not str:
        number = to_js_float(value)
        if number is None:
            return NAN
        return number if math.isfinite(number) else NAN
    if len(value) > 64:
        return NAN
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return NAN
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if month < 1 or month > 12 or day < 1:
        return NAN
    if day > _DAYS_IN_MONTH[month - 1] or (month == 2 and day == 29 and not _is_leap_year(year)):
        return NAN
    hour = int(match.group(4) or 0)
    minute = int(match.group(5) or 0)
    second = int(match.group(6) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return NAN
    fraction = match.group(7)
    millis = 0 if fraction is None else int(fraction[:3].ljust(3, "0"))
    offset_minutes = 0
    zone = match.group(8)
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
