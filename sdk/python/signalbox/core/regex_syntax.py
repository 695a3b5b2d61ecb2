"""The ``matches`` pattern language: the ECMAScript regular expressions (no flags) that an RE2-style
engine can run in time linear in the input.

A port of sdk/src/core/regex-syntax.ts; change both together. Patterns are read as Unicode code
points (a surrogate pair is one character), and so is the input.

A parsed pattern is a tree of tuples:
``("empty",)``, ``("chars", ranges)`` (one character from sorted, disjoint, inclusive code-point
ranges ``(lo0, hi0, lo1, hi1, ...)``), ``("assert", kind)``, ``("concat", items)``,
``("alternate", items)``, ``("repeat", item, min, max)`` (``max`` is -1 when unbounded).
Groups leave no node of their own: nothing is captured.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Set, Tuple, Union

MAX_PATTERN_LENGTH = 256
"""Longest pattern, in UTF-16 code units (as JavaScript's ``length`` counts)."""
MAX_REPEAT = 1000
"""Largest count in ``{n}``, ``{n,}``, ``{n,m}``."""
MAX_NESTING = 32
"""Deepest nesting of groups."""
MAX_PROGRAM_SIZE = 1000
"""Largest compiled program (see regex_program.py), which bounds the work per input character."""
MAX_INPUT_LENGTH = 65_536
"""Longest input, in UTF-16 code units: a longer string never matches (like a value that is not a string)."""

MAX_CODE_POINT = 0x10FFFF

Node = Tuple[Any, ...]  # see the module docstring
Ranges = Tuple[int, ...]


class RegexSyntaxError(Exception):
    """Why a pattern is refused, and where (a code-point index into the pattern)."""

    def __init__(self, reason: str, position: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position


def normalize_ranges(pairs: Sequence[int]) -> Ranges:
    """Sorts and merges ``(lo, hi)`` pairs into disjoint ranges."""
    order = sorted((pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2))
    out: List[int] = []
    for lo, hi in order:
        if out and lo <= out[-1] + 1:
            out[-1] = max(out[-1], hi)
        else:
            out += (lo, hi)
    return tuple(out)


def complement_ranges(ranges: Sequence[int]) -> Ranges:
    """The code points not in the (normalized) ranges."""
    out: List[int] = []
    nxt = 0
    for i in range(0, len(ranges), 2):
        if ranges[i] > nxt:
            out += (nxt, ranges[i] - 1)
        nxt = ranges[i + 1] + 1
    if nxt <= MAX_CODE_POINT:
        out += (nxt, MAX_CODE_POINT)
    return tuple(out)


_DIGITS: Ranges = (0x30, 0x39)
_WORD: Ranges = (0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A)
# ECMAScript WhiteSpace and LineTerminator.
_SPACE: Ranges = (
    0x09, 0x0D, 0x20, 0x20, 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x202F,
    0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF,
)
_LINE_TERMINATORS: Ranges = (0x0A, 0x0A, 0x0D, 0x0D, 0x2028, 0x2029)

DOT_RANGES: Ranges = complement_ranges(_LINE_TERMINATORS)
ANY_RANGES: Ranges = (0, MAX_CODE_POINT)

_CLASS_ESCAPES = {
    "d": _DIGITS,
    "D": complement_ranges(_DIGITS),
    "w": _WORD,
    "W": complement_ranges(_WORD),
    "s": _SPACE,
    "S": complement_ranges(_SPACE),
}
_CONTROL_ESCAPES = {"t": 0x09, "n": 0x0A, "v": 0x0B, "f": 0x0C, "r": 0x0D}


def _is_ascii_letter_or_digit(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _is_digit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _hex_value(c: int) -> int:
    if 0x30 <= c <= 0x39:
        return c - 0x30
    if 0x41 <= c <= 0x46:
        return c - 0x37
    if 0x61 <= c <= 0x66:
        return c - 0x57
    return -1


def _is_name_start(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A or c == 0x5F or c == 0x24


def _is_name_part(c: int) -> bool:
    return _is_name_start(c) or _is_digit(c)


# A class atom: an int (one code point) or a tuple of ranges (from \d \w \s \D \W \S).
_ClassAtom = Union[int, Ranges]


class _Parser:
    def __init__(self, cps: Sequence[int]) -> None:
        self.cps = cps
        self.pos = 0
        self.depth = 0
        self.names: Set[str] = set()

    def parse(self) -> Node:
        node = self._alternation()
        if self.pos < len(self.cps):
            raise RegexSyntaxError("unmatched )", self.pos)
        return node

    def _peek(self, offset: int = 0) -> int:
        i = self.pos + offset
        return self.cps[i] if i < len(self.cps) else -1

    def _char(self, offset: int = 0) -> str:
        c = self._peek(offset)
        return "" if c < 0 else chr(c)

    def _alternation(self) -> Node:
        items = [self._sequence()]
        while self._peek() == 0x7C:  # |
            self.pos += 1
            items.append(self._sequence())
        return items[0] if len(items) == 1 else ("alternate", tuple(items))

    def _sequence(self) -> Node:
        items: List[Node] = []
        while True:
            c = self._peek()
            if c < 0 or c == 0x7C or c == 0x29:  # end, |, )
                break
            start = self.pos
            atom = self._atom()
            items.append(self._quantified(atom, start))
        if not items:
            return ("empty",)
        return items[0] if len(items) == 1 else ("concat", tuple(items))

    def _atom(self) -> Node:
        start = self.pos
        c = self._peek()
        if c == 0x28:  # (
            return self._group()
        if c == 0x5B:  # [
            return self._character_class()
        if c == 0x2E:  # .
            self.pos += 1
            return ("chars", DOT_RANGES)
        if c == 0x5E:  # ^
            self.pos += 1
            return ("assert", "begin")
        if c == 0x24:  # $
            self.pos += 1
            return ("assert", "end")
        if c == 0x5C:  # backslash
            return self._escape()
        if c in (0x2A, 0x2B, 0x3F):  # * + ?
            raise RegexSyntaxError(f"nothing to repeat before {self._char()}", start)
        if c == 0x7B and self._quantifier_length() > 0:  # {
            raise RegexSyntaxError("nothing to repeat before {", start)
        # Any other character is itself, `]`, `}` and a `{` that starts no quantifier included.
        self.pos += 1
        return ("chars", (c, c))

    def _quantifier_length(self) -> int:
        """The length of a ``{n}``, ``{n,}`` or ``{n,m}`` quantifier at the position, 0 if there is none."""
        cps = self.cps
        n = len(cps)

        def digits_from(j: int) -> int:
            while j < n and _is_digit(cps[j]):
                j += 1
            return j

        i = self.pos + 1
        j = digits_from(i)
        if j == i:
            return 0
        if j < n and cps[j] == 0x2C:  # ,
            j = digits_from(j + 1)
        if j >= n or cps[j] != 0x7D:  # }
            return 0
        return j + 1 - self.pos

    def _number(self) -> int:
        value = 0
        while _is_digit(self._peek()):
            value = min(value * 10 + (self._peek() - 0x30), MAX_REPEAT + 1)
            self.pos += 1
        return value

    def _quantified(self, atom: Node, start: int) -> Node:
        at = self.pos
        c = self._peek()
        counted = False
        if c == 0x2A:
            lo, hi = 0, -1
        elif c == 0x2B:
            lo, hi = 1, -1
        elif c == 0x3F:
            lo, hi = 0, 1
        elif c == 0x7B and self._quantifier_length() > 0:
            counted = True
            lo = hi = -1
        else:
            return atom
        # A group around an assertion may be repeated, as in ECMAScript; a bare one may not.
        if atom[0] == "assert" and self.cps[start] != 0x28:
            raise RegexSyntaxError("an anchor or word boundary cannot be repeated", start)
        self.pos += 1
        if counted:
            lo = self._number()
            hi = lo
            if self._peek() == 0x2C:
                self.pos += 1
                hi = self._number() if _is_digit(self._peek()) else -1
            self.pos += 1  # }
            if lo > MAX_REPEAT or hi > MAX_REPEAT:
                raise RegexSyntaxError(f"repetition counts may be at most {MAX_REPEAT}", at)
            if hi != -1 and lo > hi:
                raise RegexSyntaxError("numbers out of order in {} quantifier", at)
        if self._peek() == 0x3F:  # lazy
            self.pos += 1
        after = self._peek()
        if after in (0x2A, 0x2B, 0x3F) or (after == 0x7B and self._quantifier_length() > 0):
            raise RegexSyntaxError(
                f"nothing to repeat before {self._char()}: a quantifier cannot follow a quantifier", self.pos,
            )
        return ("repeat", atom, lo, hi)

    def _group(self) -> Node:
        opening = self.pos
        self.pos += 1
        if self._peek() == 0x3F:  # ?
            nxt = self._peek(1)
            if nxt == 0x3A:  # :
                self.pos += 2
            elif nxt in (0x3D, 0x21):  # = !
                raise RegexSyntaxError(
                    f"lookahead (?{self._char(1)} is not supported: only patterns that run in linear time are", opening,
                )
            elif nxt == 0x3C and self._peek(2) in (0x3D, 0x21):  # <= <!
                raise RegexSyntaxError(
                    f"lookbehind (?<{self._char(2)} is not supported: only patterns that run in linear time are",
                    opening,
                )
            elif nxt == 0x3C:  # <name>
                self.pos += 2
                name_start = self.pos
                if not _is_name_start(self._peek()):
                    raise RegexSyntaxError("invalid group name", name_start)
                while _is_name_part(self._peek()):
                    self.pos += 1
                if self._peek() != 0x3E:
                    raise RegexSyntaxError("invalid group name", name_start)
                name = "".join(chr(c) for c in self.cps[name_start:self.pos])
                if name in self.names:
                    raise RegexSyntaxError(f"duplicate group name {name}", name_start)
                self.names.add(name)
                self.pos += 1
            else:
                raise RegexSyntaxError(
                    f"unknown group (?{self._char(1)}: inline flags and other group kinds are not supported", opening,
                )
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise RegexSyntaxError(f"groups may be nested at most {MAX_NESTING} deep", opening)
        inner = self._alternation()
        if self._peek() != 0x29:
            raise RegexSyntaxError("missing ) for this group", opening)
        self.pos += 1
        self.depth -= 1
        return inner

    def _character_class(self) -> Node:
        opening = self.pos
        self.pos += 1
        negate = self._peek() == 0x5E
        if negate:
            self.pos += 1
        pairs: List[int] = []
        while True:
            c = self._peek()
            if c < 0:
                raise RegexSyntaxError("missing ] for this character class", opening)
            if c == 0x5D:
                self.pos += 1
                break
            start = self.pos
            low = self._class_atom()
            if self._peek() == 0x2D and self._peek(1) != 0x5D and self._peek(1) >= 0:
                self.pos += 1
                high = self._class_atom()
                if isinstance(low, int) and isinstance(high, int):
                    if low > high:
                        raise RegexSyntaxError("range out of order in character class", start)
                    pairs += (low, high)
                else:
                    # Next to a class such as \d, `-` is itself (ECMAScript, Annex B): [\w-.] is \w, - and .
                    for atom in (low, 0x2D, high):
                        pairs += (atom, atom) if isinstance(atom, int) else atom
            elif isinstance(low, int):
                pairs += (low, low)
            else:
                pairs += low
        ranges = normalize_ranges(pairs)
        return ("chars", complement_ranges(ranges) if negate else ranges)

    def _class_atom(self) -> _ClassAtom:
        c = self._peek()
        if c != 0x5C:
            self.pos += 1
            return c
        e = self._peek(1)
        if e == 0x62:  # \b is backspace in a class
            self.pos += 2
            return 0x08
        if e == 0x2D:  # \-
            self.pos += 2
            return 0x2D
        if e == 0x42:
            raise RegexSyntaxError("\\B is not allowed in a character class", self.pos)
        return self._character_escape(True)

    def _escape(self) -> Node:
        e = self._peek(1)
        if e in (0x62, 0x42):  # \b \B
            self.pos += 2
            return ("assert", "wordBoundary" if e == 0x62 else "notWordBoundary")
        atom = self._character_escape(False)
        return ("chars", (atom, atom) if isinstance(atom, int) else atom)

    def _character_escape(self, in_class: bool) -> _ClassAtom:
        """An escape other than ``\\b`` and ``\\B``, at a backslash."""
        at = self.pos
        e = self._peek(1)
        if e < 0:
            raise RegexSyntaxError("\\ at end of pattern", at)
        name = chr(e)
        self.pos += 2
        if name in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[name]
        if name in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[name]
        if e == 0x30:
            if _is_digit(self._peek()):
                raise RegexSyntaxError("octal escapes are not supported", at)
            return 0
        if _is_digit(e):
            if in_class:
                raise RegexSyntaxError("octal escapes are not supported", at)
            raise RegexSyntaxError(
                f"backreference \\{name} is not supported: only patterns that run in linear time are", at,
            )
        if e == 0x6B and not in_class:  # k
            raise RegexSyntaxError("backreference \\k is not supported: only patterns that run in linear time are", at)
        if e == 0x78:  # x
            value = self._hex(2)
            if value < 0:
                raise RegexSyntaxError("\\x must be followed by two hex digits", at)
            return value
        if e == 0x75:  # u
            if self._peek() == 0x7B:
                raise RegexSyntaxError("\\u{...} is not supported: write \\uHHHH or the character itself", at)
            value = self._hex(4)
            if value < 0:
                raise RegexSyntaxError("\\u must be followed by four hex digits", at)
            # A surrogate pair written as two escapes is one character, as in the input.
            if 0xD800 <= value <= 0xDBFF and self._peek() == 0x5C and self._peek(1) == 0x75:
                save = self.pos
                self.pos += 2
                low = self._hex(4)
                if 0xDC00 <= low <= 0xDFFF:
                    return 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                self.pos = save
            return value
        if e == 0x63:  # c
            letter = self._peek()
            if not (0x41 <= letter <= 0x5A or 0x61 <= letter <= 0x7A):
                raise RegexSyntaxError("\\c must be followed by a letter", at)
            self.pos += 1
            return letter % 32
        if e in (0x70, 0x50):  # p P
            raise RegexSyntaxError(f"Unicode property escapes \\{name}{{...}} are not supported", at)
        if _is_ascii_letter_or_digit(e):
            raise RegexSyntaxError(f"unknown escape \\{name}", at)
        return e

    def _hex(self, count: int) -> int:
        """Reads exactly ``count`` hex digits; -1 (and nothing read) when they are not there."""
        value = 0
        for i in range(count):
            digit = _hex_value(self._peek(i))
            if digit < 0:
                return -1
            value = value * 16 + digit
        self.pos += count
        return value


def code_points(text: str) -> List[int]:
    """The code points of a string, as JavaScript reads a UTF-16 string: a surrogate pair (which
    Python keeps only when it did not decode it) is one code point, a lone surrogate one of its own."""
    out: List[int] = []
    i = 0
    n = len(text)
    while i < n:
        c = ord(text[i])
        if 0xD800 <= c <= 0xDBFF and i + 1 < n and 0xDC00 <= ord(text[i + 1]) <= 0xDFFF:
            c = 0x10000 + ((c - 0xD800) << 10) + (ord(text[i + 1]) - 0xDC00)
            i += 1
        out.append(c)
        i += 1
    return out


def utf16_length(text: str) -> int:
    """The length JavaScript gives the string."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_regex(pattern: str) -> Node:
    """Parses a pattern of the ``matches`` language; raises RegexSyntaxError saying why it is refused."""
    if utf16_length(pattern) > MAX_PATTERN_LENGTH:
        raise RegexSyntaxError(f"a pattern may have at most {MAX_PATTERN_LENGTH} characters", 0)
    return _Parser(code_points(pattern)).parse()


def refusal(pattern: str) -> Optional[RegexSyntaxError]:
    """Why the pattern is refused, or None."""
    try:
        parse_regex(pattern)
        return None
    except RegexSyntaxError as error:
        return error
