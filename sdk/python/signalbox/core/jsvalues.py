"""JavaScript value semantics the engine must reproduce in Python.

JSON has one number type, as JavaScript does; Python has ``int`` and ``float`` and treats ``bool``
as an ``int``. These helpers give every module the same answers as the TypeScript core.
"""
from __future__ import annotations

import math

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

    from typing_extensions import TypeGuard

#: Largest integer a JavaScript number represents exactly.
MAX_SAFE_INTEGER = 9007199254740991


def is_object(value: object) -> TypeGuard[Dict[str, Any]]:
    """A JSON object (a dict; its keys are strings in anything parsed from JSON)."""
    return isinstance(value, dict)


def is_array(value: object) -> TypeGuard[List[Any]]:
    """A JSON array (a list)."""
    return isinstance(value, list)


def is_number(value: object) -> bool:
    """``typeof value === 'number'``: an int or float, never a bool."""
    kind = type(value)
    return (kind is int or kind is float) or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    )


def to_js_float(value: object) -> Optional[float]:
    """The value as a JavaScript number (a float), or None when it is not a number."""
    if type(value) is float:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return None


def is_finite_number(value: Any) -> bool:
    """``typeof value === 'number' && Number.isFinite(value)``."""
    number = to_js_float(value)
    return number is not None and math.isfinite(number)


def is_integer_number(value: Any) -> bool:
    """``Number.isInteger(value)``."""
    number = to_js_float(value)
    return number is not None and math.isfinite(number) and number.is_integer()


def is_safe_integer(value: Any) -> bool:
    """``Number.isSafeInteger(value)``."""
    number = to_js_float(value)
    if number is None or not math.isfinite(number):
        return False
    return number.is_integer() and abs(number) <= MAX_SAFE_INTEGER


def js_number_string(value: float) -> str:
    """ECMAScript ``String(n)`` for a finite number: ``42``, ``3.5``, ``1e+21``, ``1.5e-7``."""
    if value == 0:
        return "0"  # also -0
    if value < 0:
        return "-" + js_number_string(-value)
    if value <= 9007199254740992.0 and value.is_integer():
        return str(int(value))
    # repr gives the shortest round-tripping digits, as ECMAScript's Number::toString requires.
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # Position of the decimal point relative to the digits: value = 0.d1d2... * 10^n
    point = len(whole) + (int(exponent) if exponent else 0)
    if whole.strip("0") == "":
        # 0.000ddd: leading zeros of the fraction move the point left.
        point = (int(exponent) if exponent else 0) - (len(fraction) - len(fraction.lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    n = point
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    if k == 1:
        return f"{digits}e{sign}{abs(e)}"
    return f"{digits[0]}.{digits[1:]}e{sign}{abs(e)}"


def unit_string(value: Any) -> Optional[str]:
    """The string a rollout hashes: a non-empty string as is, a finite number as ``String(n)``;
    anything else (missing, empty, boolean, object, array) is no unit (None)."""
    if type(value) is str:
        return value if value else None
    if isinstance(value, str):
        return str(value) if value else None
    number = to_js_float(value)
    if number is None or not math.isfinite(number):
        return None
    if type(value) is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return str(value)
    return js_number_string(number)
