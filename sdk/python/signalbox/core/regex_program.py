"""Compiles a parsed pattern to a Thompson NFA: a small program of instructions that the matcher
(regex_matcher.py) runs as a set of states, never by backtracking. A port of
sdk/src/core/regex-program.ts; change both together."""
# No `from __future__ import annotations` here: typing.NamedTuple turns string annotations into
# ForwardRefs, compiling each at import (see result.py).
from bisect import bisect_right
from typing import List, NamedTuple, Optional, Sequence, Tuple

from .regex_syntax import ANY_RANGES, MAX_PROGRAM_SIZE, Node

OP_CHARS = 0
"""Consumes one character in ``ranges[pc]``, then goes to ``out[pc]``."""
OP_SPLIT = 1
"""Goes to both ``out[pc]`` and ``arg[pc]``."""
OP_JUMP = 2
"""Goes to ``out[pc]``."""
OP_ASSERT = 3
"""Goes to ``out[pc]`` when the assertion ``arg[pc]`` holds at the current position."""
OP_MATCH = 4
"""A match."""

ASSERT_BEGIN = 0
ASSERT_END = 1
ASSERT_WORD_BOUNDARY = 2
ASSERT_NOT_WORD_BOUNDARY = 3

_ASSERTIONS = {
    "begin": ASSERT_BEGIN,
    "end": ASSERT_END,
    "wordBoundary": ASSERT_WORD_BOUNDARY,
    "notWordBoundary": ASSERT_NOT_WORD_BOUNDARY,
}


class Program(NamedTuple):
    op: Tuple[int, ...]
    out: Tuple[int, ...]
    arg: Tuple[int, ...]
    """Second target of a split; the assertion kind of an assert; unused otherwise."""
    ranges: Tuple[Optional[Tuple[int, ...]], ...]
    start: int
    uses_word_boundary: bool
    """Whether any ``\\b`` or ``\\B`` needs to know if the previous and next characters are word characters."""
    prefix: Optional[str]
    """For an unanchored search, the literal text every match starts with (``@corp`` in ``@corp\\.com$``),
    or None: where no match is under way, the matcher skips to its next occurrence with ``str.find``."""


def program_size(node: Node) -> int:
    """How many instructions ``node`` compiles to."""
    kind = node[0]
    if kind == "empty":
        return 0
    if kind in ("chars", "assert"):
        return 1
    if kind == "concat":
        return sum(program_size(item) for item in node[1])
    if kind == "alternate":
        return sum(program_size(item) for item in node[1]) + 2 * (len(node[1]) - 1)
    _, item, lo, hi = node
    size = program_size(item)
    if hi == -1:
        return size + 2 if lo == 0 else lo * size + 1
    return lo * size + (hi - lo) * (size + 1)


def _anchored_at_begin(node: Node) -> bool:
    """Whether every match must start at the beginning of the input (the pattern starts with ``^``)."""
    kind = node[0]
    if kind == "assert":
        return node[1] == "begin"
    if kind == "concat":
        return len(node[1]) > 0 and _anchored_at_begin(node[1][0])
    if kind == "alternate":
        return all(_anchored_at_begin(item) for item in node[1])
    return False


def _literal_prefix(node: Node) -> List[int]:
    """The literal code points every match of ``node`` starts with."""
    items = node[1] if node[0] == "concat" else (node,)
    prefix: List[int] = []
    for item in items:
        if item[0] != "chars" or len(item[1]) != 2 or item[1][0] != item[1][1]:
            break
        prefix.append(item[1][0])
    # A prefix starting with a low surrogate could be found in the middle of a surrogate pair.
    if prefix and 0xDC00 <= prefix[0] <= 0xDFFF:
        return []
    return prefix


class _Emitter:
    def __init__(self) -> None:
        self.op: List[int] = []
        self.out: List[int] = []
        self.arg: List[int] = []
        self.ranges: List[Optional[Tuple[int, ...]]] = []
        self.uses_word_boundary = False

    def emit(self, op: int, out: int, arg: int = 0, ranges: Optional[Tuple[int, ...]] = None) -> int:
        self.op.append(op)
        self.out.append(out)
        self.arg.append(arg)
        self.ranges.append(ranges)
        return len(self.op) - 1

    @property
    def next(self) -> int:
        return len(self.op)

    def node(self, node: Node) -> None:
        kind = node[0]
        if kind == "empty":
            return
        if kind == "chars":
            self.emit(OP_CHARS, self.next + 1, 0, node[1])
        elif kind == "assert":
            assertion = _ASSERTIONS[node[1]]
            if assertion in (ASSERT_WORD_BOUNDARY, ASSERT_NOT_WORD_BOUNDARY):
                self.uses_word_boundary = True
            self.emit(OP_ASSERT, self.next + 1, assertion)
        elif kind == "concat":
            for item in node[1]:
                self.node(item)
        elif kind == "alternate":
            # split L1, L2; L1: a; jump END; L2: split L3, L4; L3: b; jump END; L4: c; END:
            items = node[1]
            jumps: List[int] = []
            for i, item in enumerate(items):
                last = i == len(items) - 1
                split = -1 if last else self.emit(OP_SPLIT, self.next + 1)
                self.node(item)
                if not last:
                    jumps.append(self.emit(OP_JUMP, 0))
                    self.arg[split] = self.next
            for jump in jumps:
                self.out[jump] = self.next
        else:
            self._repeat(node[1], node[2], node[3])

    def _repeat(self, item: Node, lo: int, hi: int) -> None:
        if hi == -1:
            if lo == 0:
                # L: split L+1, END; item; jump L; END:
                split = self.emit(OP_SPLIT, self.next + 1)
                self.node(item)
                self.emit(OP_JUMP, split)
                self.arg[split] = self.next
                return
            for _ in range(lo - 1):
                self.node(item)
            # L: item; split L, END; END:
            loop = self.next
            self.node(item)
            self.emit(OP_SPLIT, loop, self.next + 1)
            return
        for _ in range(lo):
            self.node(item)
        # (item(item(item)?)?)? : every optional copy may skip to the end.
        splits: List[int] = []
        for _ in range(lo, hi):
            splits.append(self.emit(OP_SPLIT, self.next + 1))
            self.node(item)
        for split in splits:
            self.arg[split] = self.next


def compile_program(node: Node) -> Optional[Program]:
    """Compiles a parsed pattern for an unanchored search; None when it is larger than MAX_PROGRAM_SIZE."""
    if program_size(node) > MAX_PROGRAM_SIZE:
        return None
    emitter = _Emitter()
    anchored = _anchored_at_begin(node)
    if not anchored:
        # A search may start anywhere: 0: split 1, 2; 1: any character, back to 0; 2: the pattern.
        emitter.emit(OP_SPLIT, 1, 2)
        emitter.emit(OP_CHARS, 0, 0, ANY_RANGES)
    emitter.node(node)
    emitter.emit(OP_MATCH, 0)
    prefix = [] if anchored else _literal_prefix(node)
    return Program(
        tuple(emitter.op), tuple(emitter.out), tuple(emitter.arg), tuple(emitter.ranges), 0, emitter.uses_word_boundary,
        "".join(chr(c) for c in prefix) if prefix else None,
    )


def ranges_contain(ranges: Sequence[int], c: int) -> bool:
    """Whether ``c`` is in sorted, disjoint, inclusive ranges ``(lo0, hi0, lo1, hi1, ...)``."""
    i = bisect_right(ranges, c)
    return (i & 1) == 1 or (i > 0 and ranges[i - 1] == c)
