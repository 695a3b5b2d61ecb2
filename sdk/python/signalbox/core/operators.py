"""Clauses: ``attribute op values`` (or segment membership), compiled for matching."""
from __future__ import annotations

import math

from .errors import ConfigError
from .jsvalues import is_array, is_number, is_object, to_js_float

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, List, Mapping, Optional, Protocol, Sequence, Set

    #: An evaluation context: attribute name -> value.
    Context = Mapping[str, Any]

    class SegmentMembership(Protocol):
        """What a segment clause needs of a segment (see segments.py)."""

        key: str

        def is_member(self, context: Context) -> bool: ...

# dates, semver and the regex engine are imported by the first clause that needs them: most
# configs use few of them, and each costs milliseconds to import (issue 15's cold start).

ATTRIBUTE_OPERATORS = (
    "in", "notIn", "contains", "startsWith", "endsWith", "matches", "lt", "lte", "gt", "gte",
    "semverEq", "semverLt", "semverGt", "before", "after", "exists",
)
_OPERATORS = frozenset(ATTRIBUTE_OPERATORS) | {"segment"}

# Keys for booleans in `in` sets, so True never equals 1 as it would in a Python set.
_TRUE = object()
_FALSE = object()


def _scalar_key(value: Any) -> Any:
    """The `in` set key of a non-string scalar: booleans as markers, numbers as floats
    (JavaScript has one number type); None for values that equal nothing (objects, NaN)."""
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    number = to_js_float(value)
    if number is None or number != number:
        return None
    return number


def _is_array(value: Any) -> bool:
    return isinstance(value, (list, tuple))


class CompiledClause:
    """A clause with its values prepared: sets for ``in``, regexes, bounds, parsed versions."""

    __slots__ = (
        "op", "attribute", "negate", "strings", "keys", "patterns", "bound", "versions",
        "segments", "_scalar", "_parse", "_compare", "matches",
    )

    def __init__(self, source: Any, resolve_segment: Callable[[str], Optional[SegmentMembership]]) -> None:
        if not is_object(source):
            raise ConfigError("a clause must be an object")
        op = source.get("op")
        if type(op) is not str or op not in _OPERATORS:
            raise ConfigError(f"unknown operator {op if isinstance(op, str) else type(op).__name__}")
        if "negate" in source and type(source["negate"]) is not bool:
            raise ConfigError("negate must be a boolean")
        self.op: str = op
        self.negate: bool = source.get("negate") is True
        self.attribute: str = ""
        self.segments: List[SegmentMembership] = []
        values: Sequence[Any] = ()
        if op == "segment":
            keys = source.get("segments")
            if not is_array(keys) or not all(type(k) is str for k in keys):
                raise ConfigError("a segment clause needs a list of segment keys")
            for key in keys:
                segment = resolve_segment(key)
                if segment is not None:
                    self.segments.append(segment)
        else:
            attribute = source.get("attribute")
            if type(attribute) is not str:
                raise ConfigError("a clause needs an attribute name")
            self.attribute = attribute
            if op != "exists":
                listed: Any = source.get("values")
                if not is_array(listed):
                    raise ConfigError("clause values must be a list")
                values = listed
                for value in values:
                    if not (isinstance(value, (str, bool)) or is_number(value)):
                        raise ConfigError("clause values must be strings, numbers or booleans")
        strings = [v for v in values if isinstance(v, str)]
        self.strings = frozenset(strings) if op in ("in", "notIn") else tuple(strings)
        keys_set: Set[object] = set()
        if op in ("in", "notIn"):
            for value in values:
                if not isinstance(value, str):
                    key = _scalar_key(value)
                    if key is not None:
                        keys_set.add(key)
        self.keys = frozenset(keys_set)
        # Compiled on the first string a `matches` clause sees (a refused pattern never matches,
        # and is no config problem, so nothing is lost by waiting).
        self.patterns: Optional[List[Any]] = None if op == "matches" else []
        self.versions: List[Any] = []
        self._parse: Callable[[Any], Any] = _no_parse
        self._compare: Callable[[Any, Any], int] = _no_compare
        if op in ("semverEq", "semverLt", "semverGt"):
            from .semver import compare_semver, parse_semver

            self._parse, self._compare = parse_semver, compare_semver
            self.versions = [v for v in (parse_semver(value) for value in values) if v is not None]
        elif op in ("before", "after"):
            from .dates import parse_date_value

            self._parse = parse_date_value
        self.bound = _bound_of(op, values, self._parse)
        self._scalar: Callable[[Any], bool] = getattr(self, "_m_" + op) if op != "segment" else self._m_exists
        if op == "segment":
            self.matches = self._match_segment
        elif op == "in" and not self.keys:
            self.matches = self._match_in_strings
        else:
            self.matches = self._match_attribute

    # -- whole-clause matchers (one is bound to `matches` at compile time) --

    def _match_segment(self, context: Context) -> bool:
        for segment in self.segments:
            if segment.is_member(context):
                return not self.negate
        return self.negate

    def _match_in_strings(self, context: Context) -> bool:
        value = context.get(self.attribute)
        if type(value) is str:
            return (value in self.strings) is not self.negate
        if value is None:
            return self.negate
        return self._match_value(value)

    def _match_attribute(self, context: Context) -> bool:
        value = context.get(self.attribute)
        if value is None:
            return self.negate
        return self._match_value(value)

    def _match_value(self, value: Any) -> bool:
        op = self.op
        if op == "exists":
            matched = True
        elif op == "notIn":
            matched = not self._any_element(self._m_in, value)
        else:
            matched = self._any_element(self._scalar, value)
        return matched is not self.negate

    @staticmethod
    def _any_element(test: Callable[[Any], bool], value: Any) -> bool:
        if not _is_array(value):
            return test(value)
        for element in value:
            if element is not None and test(element):
                return True
        return False

    # -- scalar tests per operator --

    def _m_in(self, value: Any) -> bool:
        if isinstance(value, str):
            return value in self.strings
        if isinstance(value, (dict, list, tuple)):
            return False
        key = _scalar_key(value)
        return key is not None and key in self.keys

    _m_notIn = _m_in

    def _m_contains(self, value: Any) -> bool:
        return isinstance(value, str) and any(s in value for s in self.strings)

    def _m_startsWith(self, value: Any) -> bool:
        return isinstance(value, str) and any(value.startswith(s) for s in self.strings)

    def _m_endsWith(self, value: Any) -> bool:
        return isinstance(value, str) and any(value.endswith(s) for s in self.strings)

    def _m_matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        patterns = self.patterns
        if patterns is None:
            patterns = self._compile_patterns()
        return any(p.test(value) for p in patterns)

    def _compile_patterns(self) -> List[Any]:
        from .regex_matcher import try_compile_regex

        patterns: List[Any] = []
        for pattern in self.strings:
            compiled = try_compile_regex(pattern)
            if compiled is not None:
                patterns.append(compiled)
        # Threads racing here build equal lists; whichever is stored last is used from then on.
        self.patterns = patterns
        return patterns

    def _m_lt(self, value: Any) -> bool:
        number = to_js_float(value)
        return number is not None and number < self.bound

    def _m_lte(self, value: Any) -> bool:
        number = to_js_float(value)
        return number is not None and number <= self.bound

    def _m_gt(self, value: Any) -> bool:
        number = to_js_float(value)
        return number is not None and number > self.bound

    def _m_gte(self, value: Any) -> bool:
        number = to_js_float(value)
        return number is not None and number >= self.bound

    def _semver(self, value: Any, test: Callable[[int], bool]) -> bool:
        version = self._parse(value)
        if version is None:
            return False
        compare = self._compare
        return any(test(compare(version, v)) for v in self.versions)

    def _m_semverEq(self, value: Any) -> bool:
        return self._semver(value, lambda order: order == 0)

    def _m_semverLt(self, value: Any) -> bool:
        return self._semver(value, lambda order: order < 0)

    def _m_semverGt(self, value: Any) -> bool:
        return self._semver(value, lambda order: order > 0)

    def _m_before(self, value: Any) -> bool:
        return self._parse(value) < self.bound

    def _m_after(self, value: Any) -> bool:
        return self._parse(value) > self.bound

    def _m_exists(self, value: Any) -> bool:
        return True


# The parser and comparator of clauses whose operator needs none.
def _no_parse(value: Any) -> None:
    return None


def _no_compare(a: Any, b: Any) -> int:
    return 0


def _bound_of(op: str, values: Sequence[Any], parse_date_value: Callable[[Any], Any]) -> float:
    """lt/lte/before: the largest value; gt/gte/after: the smallest; NaN when none is usable."""
    numbers: List[float] = []
    if op in ("lt", "lte", "gt", "gte"):
        for value in values:
            number = to_js_float(value)
            if number is not None and not math.isnan(number):
                numbers.append(number)
    elif op in ("before", "after"):
        for value in values:
            time = parse_date_value(value)
            if not math.isnan(time):
                numbers.append(time)
    else:
        return math.nan
    if not numbers:
        return math.nan
    return max(numbers) if op in ("lt", "lte", "before") else min(numbers)


def first_failing_clause(clauses: Sequence[CompiledClause], context: Context) -> int:
    """Index of the first clause the context fails, or -1 when all match (an empty list matches)."""
    for index, clause in enumerate(clauses):
        if not clause.matches(context):
            return index
    return -1
