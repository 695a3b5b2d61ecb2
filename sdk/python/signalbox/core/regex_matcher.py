"""Runs a compiled pattern (regex_program.py) over an input in time linear in the input, as RE2
does: the matcher follows every NFA state at once, and caches each set of states it meets as a
state of a lazily built DFA. A cached step costs one dictionary lookup per input character, done
in C by ``functools.reduce`` and ``dict.__getitem__``; building a new step costs at most a few
passes over the program, and the cache is bounded (when full it is emptied and rebuilt), so no
input can cost more than O(input length x program size). A port of sdk/src/core/regex-matcher.ts;
change both together.

Safe to share between threads: the scratch state of a step is local, and a race can at worst
build the same DFA state twice.
"""
from __future__ import annotations

import re
from functools import reduce
from typing import Callable, Dict, List, Optional, Set, Tuple

from .regex_program import (
    ASSERT_BEGIN,
    ASSERT_END,
    ASSERT_WORD_BOUNDARY,
    OP_ASSERT,
    OP_CHARS,
    OP_JUMP,
    OP_SPLIT,
    Program,
    compile_program,
    ranges_contain,
)
from .regex_syntax import MAX_INPUT_LENGTH, MAX_PROGRAM_SIZE, RegexSyntaxError, parse_regex, utf16_length

DFA_CACHE_BUDGET = 100_000
"""Cache size, in units of one stored transition (a state costs its NFA states plus _STATE_COST)."""
_STATE_COST = 64

_FLAG_AT_BEGIN = 1
_FLAG_AFTER_WORD = 2

# Inputs are read in slices of this many characters, so a search can stop soon after it is decided.
_SLICE = 256

# Python keeps a surrogate pair it did not decode as two characters; JavaScript reads one.
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")

Closure = Tuple[List[int], bool]
"""The consuming instructions reached, and whether a match was."""


def _is_word_character(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A or c == 0x5F


class _State(Dict[str, "_State"]):
    """A DFA state: its entries are the cached transitions, character -> next state."""

    __slots__ = ("threads", "flags", "idle", "closures", "accepts_at_end", "step")

    def __init__(
        self, threads: Tuple[int, ...], flags: int, step: Callable[[_State, str], _State], idle: bool = False,
    ) -> None:
        super().__init__()
        self.threads = threads
        """NFA instructions to continue from, sorted."""
        self.flags = flags
        self.idle = idle
        """No match is under way: only the search loop (instruction 0) is left, after the first character."""
        self.closures: List[Optional[Closure]] = [None, None]
        """Closures before a non-word (0) and a word (1) character."""
        self.accepts_at_end: Optional[bool] = None
        self.step = step

    def __missing__(self, ch: str) -> _State:
        return self.step(self, ch)


# Faster than operator.getitem under `reduce`, and it calls __missing__ just the same.
_NEXT = _State.__getitem__


class LinearRegex:
    """A compiled ``matches`` pattern. ``test`` takes time linear in the input; it never raises."""

    def __init__(self, program: Program) -> None:
        self._program = program
        self._cache: Dict[Tuple[int, Tuple[int, ...]], _State] = {}
        self._cache_cost = 0
        self.steps = 0
        """Work done so far (instructions visited, characters read): a deterministic measure for tests
        and benchmarks. Characters are counted in full even when a search stops early."""
        self.cache_resets = 0
        """How many times the DFA cache filled up and was emptied."""
        # Where a search ends early: the input matched, or no match is possible any more. Both stay
        # put on every character.
        self._matched = _State((), 0, self._stay)
        self._matched.accepts_at_end = True
        self._dead = _State((), 0, self._stay)
        self._dead.accepts_at_end = False
        self._start = self._state((program.start,), _FLAG_AT_BEGIN)

    @property
    def size(self) -> int:
        """Number of NFA instructions: the bound on the work per input character."""
        return len(self._program.op)

    def test(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (code points; ``^`` and ``$`` are the ends of the
        input). An input longer than MAX_INPUT_LENGTH never matches."""
        if len(text) > MAX_INPUT_LENGTH // 2 and utf16_length(text) > MAX_INPUT_LENGTH:
            return False
        if not text.isascii() and _SURROGATE_PAIR.search(text) is not None:
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        self.steps += len(text)
        state = self._start
        n = len(text)
        prefix = self._program.prefix
        if n <= _SLICE and prefix is None:
            state = reduce(_NEXT, text, state)
        else:
            matched, dead = self._matched, self._dead
            at = 0
            while at < n:
                if state.idle and prefix is not None:
                    # Every match starts with the prefix: none can start before its next occurrence.
                    at = text.find(prefix, at)
                    if at < 0:
                        return False
                state = reduce(_NEXT, text[at:at + _SLICE], state)
                if state is matched or state is dead:
                    break
                at += _SLICE
        accepts = state.accepts_at_end
        if accepts is None:
            accepts = state.accepts_at_end = self._closure(state.threads, state.flags, False, True)[1]
        return accepts

    def _state(self, threads: Tuple[int, ...], flags: int) -> _State:
        key = (flags, threads)
        state = self._cache.get(key)
        if state is None:
            idle = flags == 0 and threads == (0,) and self._program.prefix is not None
            state = _State(threads, flags, self._transition, idle)
            self._charge(len(threads) + _STATE_COST)
            self._cache[key] = state
        return state

    def _charge(self, cost: int) -> None:
        self._cache_cost += cost
        if self._cache_cost <= DFA_CACHE_BUDGET:
            return
        # Full: forget every state (states still held by a running `test` stay valid, just uncached).
        for state in self._cache.values():
            state.clear()
            state.closures = [None, None]
        self._matched.clear()
        self._dead.clear()
        start = self._program.start
        self._start = _State((start,), _FLAG_AT_BEGIN, self._transition)
        self._cache = {(_FLAG_AT_BEGIN, (start,)): self._start}
        self._cache_cost = cost
        self.cache_resets += 1

    def _closure(self, threads: Tuple[int, ...], flags: int, next_is_word: bool, at_end: bool) -> Closure:
        """Follows the non-consuming instructions from ``threads`` at a position described by the flags."""
        program = self._program
        op = program.op
        out = program.out
        arg = program.arg
        seen: Set[int] = set()
        consumers: List[int] = []
        stack = list(threads)
        steps = 0
        matched = False
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            steps += 1
            code = op[pc]
            if code == OP_CHARS:
                consumers.append(pc)
            elif code == OP_SPLIT:
                stack.append(arg[pc])
                stack.append(out[pc])
            elif code == OP_JUMP:
                stack.append(out[pc])
            elif code == OP_ASSERT:
                kind = arg[pc]
                if kind == ASSERT_BEGIN:
                    holds = (flags & _FLAG_AT_BEGIN) != 0
                elif kind == ASSERT_END:
                    holds = at_end
                else:
                    holds = (((flags & _FLAG_AFTER_WORD) != 0) != next_is_word) == (kind == ASSERT_WORD_BOUNDARY)
                if holds:
                    stack.append(out[pc])
            else:  # OP_MATCH
                matched = True
                break
        self.steps += steps
        return consumers, matched

    def _transition(self, state: _State, ch: str) -> _State:
        program = self._program
        resets = self.cache_resets
        c = ord(ch)
        word = program.uses_word_boundary and _is_word_character(c)
        slot = 1 if word else 0
        closure = state.closures[slot]
        if closure is None:
            closure = self._closure(state.threads, state.flags, word, False)
            state.closures[slot] = closure
            self._charge(len(closure[0]))
        consumers, matched = closure
        if matched:
            nxt = self._matched
        else:
            ranges = program.ranges
            out = program.out
            seen: Set[int] = set()
            threads: List[int] = []
            for pc in consumers:
                consumed = ranges[pc]  # set on every consuming (OP_CHARS) instruction
                if consumed is not None and ranges_contain(consumed, c):
                    target = out[pc]
                    if target not in seen:
                        seen.add(target)
                        threads.append(target)
            self.steps += len(consumers)
            if threads:
                threads.sort()
                nxt = self._state(tuple(threads), _FLAG_AFTER_WORD if word else 0)
            else:
                nxt = self._dead
        self._charge(1)
        # After a reset `state` is no longer cached: leave it without transitions.
        if self.cache_resets == resets:
            state[ch] = nxt
        return nxt

    def _stay(self, state: _State, ch: str) -> _State:
        resets = self.cache_resets
        self._charge(1)
        if self.cache_resets == resets:
            state[ch] = state
        return state


def compile_regex(pattern: str) -> LinearRegex:
    """A ``matches`` pattern ready to run; raises RegexSyntaxError saying why it is refused."""
    program = compile_program(parse_regex(pattern))
    if program is None:
        raise RegexSyntaxError(
            "the pattern is too large: counted repetitions such as {n,m} expand it to more than "
            f"{MAX_PROGRAM_SIZE} instructions", 0,
        )
    return LinearRegex(program)


def try_compile_regex(pattern: str) -> Optional[LinearRegex]:
    """The compiled pattern, or None when it is refused (a refused pattern never matches)."""
    try:
        return compile_regex(pattern)
    except (RegexSyntaxError, RecursionError):
        return None


def validate_regex(pattern: object) -> Optional[str]:
    """Why a ``matches`` pattern is refused (with the position), or None when it can be evaluated."""
    if not isinstance(pattern, str):
        return "a pattern must be a string"
    try:
        compile_regex(pattern)
        return None
    except RegexSyntaxError as error:
        return f"{error.reason} (at position {error.position})"
    except RecursionError:
        return "the pattern is nested too deeply"
