// Runs a compiled pattern (regex-program.ts) over an input in time linear in the input, as RE2
// does: the matcher follows every NFA state at once, and caches each set of states it meets as a
// state of a lazily built DFA. A cached step costs one table lookup per input character; building
// a new step costs at most a few passes over the program, and the cache is bounded (when full it
// is emptied and rebuilt), so no input can cost more than O(input length × program size).
// Mirrored by sdk/python/signalbox/core/regex_matcher.py.
import {
  ASSERT_BEGIN,
  ASSERT_END,
  ASSERT_WORD_BOUNDARY,
  compileProgram,
  OP_ASSERT,
  OP_CHARS,
  OP_JUMP,
  OP_MATCH,
  OP_SPLIT,
  type Program,
} from './regex-program.js';
import { MAX_INPUT_LENGTH, MAX_PROGRAM_SIZE, parseRegex, type RegexSyntaxError } from './regex-syntax.js';

/** Cache size, in units of one stored transition (a state costs its NFA states plus STATE_COST). */
export const DFA_CACHE_BUDGET = 100_000;
const STATE_COST = 64;

const FLAG_AT_BEGIN = 1;
const FLAG_AFTER_WORD = 2;

const isWordCharacter = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

function inRanges(ranges: readonly number[], c: number): boolean {
  // Ranges are sorted and disjoint; most sets are one or a few ranges.
  let lo = 0;
  let hi = ranges.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c > ranges[2 * mid + 1]!) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length >> 1 && c >= ranges[2 * lo]!;
}

/** What the NFA states of a DFA state reach before consuming the next character. */
interface Closure {
  /** Consuming (OP_CHARS) instructions reached. */
  readonly consumers: readonly number[];
  /** Whether OP_MATCH was reached: the input matches. */
  readonly matched: boolean;
}

class DfaState {
  /** Transitions on ASCII characters, by code. */
  ascii: Array<DfaState | undefined> | null = null;
  other: Map<number, DfaState> | null = null;
  /** Closures before a non-word (0) and a word (1) character. */
  readonly closures: [Closure | null, Closure | null] = [null, null];
  /** Whether the input matches when it ends in this state: -1 not yet known. */
  acceptsAtEnd = -1;

  constructor(
    /** NFA instructions to continue from, sorted. */
    readonly threads: readonly number[],
    readonly flags: number,
    /** No match is under way: only the search loop (instruction 0) is left, after the first character. */
    readonly idle = false,
  ) {}
}

const MATCHED = new DfaState([], 0);
const DEAD = new DfaState([], 0);

/** A compiled `matches` pattern. `test` takes time linear in the input; it never throws. */
export class LinearRegex {
  private cache = new Map<string, DfaState>();
  private cacheCost = 0;
  private startState: DfaState;
  private readonly seen: Int32Array;
  private generation = 0;
  /** Work done so far (instructions visited, UTF-16 code units read): a deterministic measure for tests and benchmarks. */
  steps = 0;
  /** How many times the DFA cache filled up and was emptied. */
  cacheResets = 0;

  constructor(private readonly program: Program) {
    this.seen = new Int32Array(program.op.length);
    this.startState = this.state([program.start], FLAG_AT_BEGIN);
  }

  /** Number of NFA instructions: the bound on the work per input character. */
  get size(): number {
    return this.program.op.length;
  }

  /**
   * Whether the pattern matches anywhere in `input` (code points; `^` and `$` are the ends of the
   * input). An input longer than MAX_INPUT_LENGTH never matches.
   */
  test(input: string): boolean {
    const n = input.length;
    if (n > MAX_INPUT_LENGTH) return false;
    const prefix = this.program.prefix;
    let state = this.startState;
    let i = 0;
    for (; i < n; i++) {
      if (state.idle && prefix !== null) {
        // Every match starts with the prefix: none can start before its next occurrence.
        const next = input.indexOf(prefix, i);
        if (next < 0) {
          this.steps += n;
          return false;
        }
        i = next;
      }
      let c = input.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = input.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      let next = c < 128 ? state.ascii?.[c] : state.other?.get(c);
      if (next === undefined) next = this.transition(state, c);
      if (next === MATCHED || next === DEAD) {
        this.steps += i + 1;
        return next === MATCHED;
      }
      state = next;
    }
    this.steps += n;
    if (state.acceptsAtEnd < 0) state.acceptsAtEnd = this.closure(state.threads, state.flags, false, true).matched ? 1 : 0;
    return state.acceptsAtEnd === 1;
  }

  private state(threads: readonly number[], flags: number): DfaState {
    const key = `${flags}:${threads.join(',')}`;
    let state = this.cache.get(key);
    if (state === undefined) {
      state = new DfaState(threads, flags, flags === 0 && threads.length === 1 && threads[0] === 0 && this.program.prefix !== null);
      this.charge(threads.length + STATE_COST);
      this.cache.set(key, state);
    }
    return state;
  }

  private charge(cost: number): void {
    this.cacheCost += cost;
    if (this.cacheCost <= DFA_CACHE_BUDGET) return;
    // Full: forget every state (states still held by a running `test` stay valid, just uncached).
    for (const state of this.cache.values()) {
      state.ascii = null;
      state.other = null;
      state.closures[0] = state.closures[1] = null;
    }
    this.cache = new Map();
    this.cacheCost = cost;
    this.cacheResets++;
    this.startState = new DfaState([this.program.start], FLAG_AT_BEGIN);
    this.cache.set(`${FLAG_AT_BEGIN}:${this.program.start}`, this.startState);
  }

  /** Follows the non-consuming instructions from `threads` at a position described by the flags. */
  private closure(threads: readonly number[], flags: number, nextIsWord: boolean, atEnd: boolean): Closure {
    const { op, out, arg } = this.program;
    const seen = this.seen;
    const mark = ++this.generation;
    const consumers: number[] = [];
    const stack = threads.slice();
    let steps = 0;
    let matched = false;
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (seen[pc] === mark) continue;
      seen[pc] = mark;
      steps++;
      switch (op[pc]) {
        case OP_CHARS:
          consumers.push(pc);
          break;
        case OP_SPLIT:
          stack.push(arg[pc]!, out[pc]!);
          break;
        case OP_JUMP:
          stack.push(out[pc]!);
          break;
        case OP_ASSERT: {
          const kind = arg[pc]!;
          const holds =
            kind === ASSERT_BEGIN
              ? (flags & FLAG_AT_BEGIN) !== 0
              : kind === ASSERT_END
                ? atEnd
                : (((flags & FLAG_AFTER_WORD) !== 0) !== nextIsWord) === (kind === ASSERT_WORD_BOUNDARY);
          if (holds) stack.push(out[pc]!);
          break;
        }
        case OP_MATCH:
          matched = true;
          stack.length = 0;
          break;
      }
    }
    this.steps += steps;
    return { consumers, matched };
  }

  private transition(from: DfaState, c: number): DfaState {
    const program = this.program;
    const resets = this.cacheResets;
    const word = program.usesWordBoundary && isWordCharacter(c);
    const slot = word ? 1 : 0;
    let closure = from.closures[slot];
    if (closure === null) {
      closure = this.closure(from.threads, from.flags, word, false);
      from.closures[slot] = closure;
      this.charge(closure.consumers.length);
    }
    let next: DfaState;
    if (closure.matched) {
      next = MATCHED;
    } else {
      const mark = ++this.generation;
      const threads: number[] = [];
      for (const pc of closure.consumers) {
        if (inRanges(program.ranges[pc]!, c)) {
          const target = program.out[pc]!;
          if (this.seen[target] !== mark) {
            this.seen[target] = mark;
            threads.push(target);
          }
        }
      }
      this.steps += closure.consumers.length;
      threads.sort((a, b) => a - b);
      next = threads.length === 0 ? DEAD : this.state(threads, word ? FLAG_AFTER_WORD : 0);
    }
    this.charge(1);
    // After a reset `from` is no longer cached: leave it without transitions.
    if (this.cacheResets !== resets) return next;
    if (c < 128) (from.ascii ??= new Array<DfaState | undefined>(128))[c] = next;
    else (from.other ??= new Map()).set(c, next);
    return next;
  }
}

/** A `matches` pattern ready to run, or why it is refused. Never throws. */
export type CompiledRegex = { readonly ok: true; readonly regex: LinearRegex } | ({ readonly ok: false } & RegexSyntaxError);

export function compileRegex(pattern: string): CompiledRegex {
  const parsed = parseRegex(pattern);
  if (!parsed.ok) return parsed;
  const program = compileProgram(parsed.node);
  if (program === undefined) {
    return {
      ok: false,
      reason: `the pattern is too large: counted repetitions such as {n,m} expand it to more than ${MAX_PROGRAM_SIZE} instructions`,
      position: 0,
    };
  }
  return { ok: true, regex: new LinearRegex(program) };
}

/** Why a `matches` pattern is refused (with the position), or `undefined` when it can be evaluated. */
export function validateRegex(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return 'a pattern must be a string';
  const compiled = compileRegex(pattern);
  return compiled.ok ? undefined : `${compiled.reason} (at position ${compiled.position})`;
}
