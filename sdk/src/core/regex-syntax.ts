// The `matches` pattern language: the ECMAScript regular expressions (no flags) that an RE2-style
// engine can run in time linear in the input. Everything here is mirrored, line for line, by
// sdk/python/signalbox/core/regex_syntax.py; change both together.
//
// Patterns are read as Unicode code points (a surrogate pair is one character), and so is the input.

/** Longest pattern, in UTF-16 code units (as JavaScript's `length` counts). */
export const MAX_PATTERN_LENGTH = 256;
/** Largest count in `{n}`, `{n,}`, `{n,m}`. */
export const MAX_REPEAT = 1000;
/** Deepest nesting of groups. */
export const MAX_NESTING = 32;
/** Largest compiled program (see regex-program.ts), which bounds the work per input character. */
export const MAX_PROGRAM_SIZE = 1000;
/** Longest input, in UTF-16 code units: a longer string never matches (like a value that is not a string). */
export const MAX_INPUT_LENGTH = 65_536;

export const MAX_CODE_POINT = 0x10ffff;

export type AssertionKind = 'begin' | 'end' | 'wordBoundary' | 'notWordBoundary';

/** A parsed pattern. Groups leave no node of their own: nothing is captured. */
export type RegexNode =
  | { readonly kind: 'empty' }
  /** One character from a set: sorted, disjoint, inclusive code-point ranges `[lo0, hi0, lo1, hi1, ...]`. */
  | { readonly kind: 'chars'; readonly ranges: readonly number[] }
  | { readonly kind: 'assert'; readonly assertion: AssertionKind }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alternate'; readonly items: readonly RegexNode[] }
  /** `max` is -1 when unbounded. Lazy quantifiers parse to the same node: they cannot change whether a match exists. */
  | { readonly kind: 'repeat'; readonly item: RegexNode; readonly min: number; readonly max: number };

/** Why a pattern is refused, and where (a code-point index into the pattern). */
export interface RegexSyntaxError {
  readonly reason: string;
  readonly position: number;
}

export type ParsedRegex = { readonly ok: true; readonly node: RegexNode } | ({ readonly ok: false } & RegexSyntaxError);

class Refusal {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {}
}

const DIGITS: readonly number[] = [0x30, 0x39];
const WORD: readonly number[] = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
// ECMAScript WhiteSpace and LineTerminator.
const SPACE: readonly number[] = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];
const LINE_TERMINATORS: readonly number[] = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];

/** Sorts and merges `[lo, hi]` pairs into disjoint ranges. */
export function normalizeRanges(pairs: readonly number[]): number[] {
  const order: Array<[number, number]> = [];
  for (let i = 0; i < pairs.length; i += 2) order.push([pairs[i]!, pairs[i + 1]!]);
  order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (const [lo, hi] of order) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

/** The code points not in the (normalized) ranges. */
export function complementRanges(ranges: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! > next) out.push(next, ranges[i]! - 1);
    next = ranges[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

export const DOT_RANGES: readonly number[] = complementRanges(LINE_TERMINATORS);
export const ANY_RANGES: readonly number[] = [0, MAX_CODE_POINT];

const CLASS_ESCAPES: ReadonlyMap<string, readonly number[]> = new Map([
  ['d', DIGITS],
  ['D', complementRanges(DIGITS)],
  ['w', WORD],
  ['W', complementRanges(WORD)],
  ['s', SPACE],
  ['S', complementRanges(SPACE)],
]);
const CONTROL_ESCAPES: ReadonlyMap<string, number> = new Map([
  ['t', 0x09],
  ['n', 0x0a],
  ['v', 0x0b],
  ['f', 0x0c],
  ['r', 0x0d],
]);

const isAsciiLetterOrDigit = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const hexValue = (c: number): number => (isDigit(c) ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
const isNameStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24;
const isNamePart = (c: number): boolean => isNameStart(c) || isDigit(c);

/** One class atom: a single code point, or a set from `\d \w \s \D \W \S`. */
type ClassAtom = { readonly cp: number } | { readonly ranges: readonly number[] };

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly names = new Set<string>();

  constructor(private readonly cps: readonly number[]) {}

  parse(): RegexNode {
    const node = this.alternation();
    if (this.pos < this.cps.length) throw new Refusal('unmatched )', this.pos);
    return node;
  }

  private peek(offset = 0): number {
    return this.cps[this.pos + offset] ?? -1;
  }

  private char(offset = 0): string {
    const c = this.peek(offset);
    return c < 0 ? '' : String.fromCodePoint(c);
  }

  private alternation(): RegexNode {
    const items = [this.sequence()];
    while (this.peek() === 0x7c /* | */) {
      this.pos++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { kind: 'alternate', items };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      const c = this.peek();
      if (c < 0 || c === 0x7c /* | */ || c === 0x29 /* ) */) break;
      const start = this.pos;
      const atom = this.atom();
      items.push(this.quantified(atom, start));
    }
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? items[0]! : { kind: 'concat', items };
  }

  private atom(): RegexNode {
    const start = this.pos;
    const c = this.peek();
    switch (c) {
      case 0x28 /* ( */:
        return this.group();
      case 0x5b /* [ */:
        return this.characterClass();
      case 0x2e /* . */:
        this.pos++;
        return { kind: 'chars', ranges: DOT_RANGES };
      case 0x5e /* ^ */:
        this.pos++;
        return { kind: 'assert', assertion: 'begin' };
      case 0x24 /* $ */:
        this.pos++;
        return { kind: 'assert', assertion: 'end' };
      case 0x5c /* \ */:
        return this.escape();
      case 0x2a /* * */:
      case 0x2b /* + */:
      case 0x3f /* ? */:
        throw new Refusal(`nothing to repeat before ${this.char()}`, start);
      case 0x7b /* { */:
        if (this.quantifierLength() > 0) throw new Refusal('nothing to repeat before {', start);
        break;
    }
    // Any other character is itself, `]`, `}` and a `{` that starts no quantifier included.
    this.pos++;
    return { kind: 'chars', ranges: [c, c] };
  }

  /** The length of a `{n}`, `{n,}` or `{n,m}` quantifier at the position, 0 if there is none. */
  private quantifierLength(): number {
    let i = this.pos + 1;
    const digitsFrom = (from: number): number => {
      let j = from;
      while (isDigit(this.cps[j] ?? -1)) j++;
      return j;
    };
    let j = digitsFrom(i);
    if (j === i) return 0;
    if (this.cps[j] === 0x2c /* , */) j = digitsFrom(j + 1);
    if (this.cps[j] !== 0x7d /* } */) return 0;
    i = j + 1;
    return i - this.pos;
  }

  private number(): number {
    let value = 0;
    while (isDigit(this.peek())) {
      value = Math.min(value * 10 + (this.peek() - 0x30), MAX_REPEAT + 1);
      this.pos++;
    }
    return value;
  }

  private quantified(atom: RegexNode, start: number): RegexNode {
    const at = this.pos;
    let min: number;
    let max: number;
    const c = this.peek();
    if (c === 0x2a /* * */) [min, max] = [0, -1];
    else if (c === 0x2b /* + */) [min, max] = [1, -1];
    else if (c === 0x3f /* ? */) [min, max] = [0, 1];
    else if (c === 0x7b /* { */ && this.quantifierLength() > 0) [min, max] = [-1, -1];
    else return atom;
    // A group around an assertion may be repeated, as in ECMAScript; a bare one may not.
    if (atom.kind === 'assert' && this.cps[start] !== 0x28 /* ( */) throw new Refusal('an anchor or word boundary cannot be repeated', start);
    if (min === -1) {
      this.pos++;
      min = this.number();
      max = min;
      if (this.peek() === 0x2c /* , */) {
        this.pos++;
        max = isDigit(this.peek()) ? this.number() : -1;
      }
      this.pos++; // }
      if (min > MAX_REPEAT || max > MAX_REPEAT) throw new Refusal(`repetition counts may be at most ${MAX_REPEAT}`, at);
      if (max !== -1 && min > max) throw new Refusal('numbers out of order in {} quantifier', at);
    } else {
      this.pos++;
    }
    if (this.peek() === 0x3f /* ? lazy */) this.pos++;
    const after = this.peek();
    if (after === 0x2a || after === 0x2b || after === 0x3f || (after === 0x7b && this.quantifierLength() > 0)) {
      throw new Refusal(`nothing to repeat before ${this.char()}: a quantifier cannot follow a quantifier`, this.pos);
    }
    return { kind: 'repeat', item: atom, min, max };
  }

  private group(): RegexNode {
    const open = this.pos;
    this.pos++;
    if (this.peek() === 0x3f /* ? */) {
      const next = this.peek(1);
      if (next === 0x3a /* : */) {
        this.pos += 2;
      } else if (next === 0x3d /* = */ || next === 0x21 /* ! */) {
        throw new Refusal(`lookahead (?${this.char(1)} is not supported: only patterns that run in linear time are`, open);
      } else if (next === 0x3c /* < */ && (this.peek(2) === 0x3d || this.peek(2) === 0x21)) {
        throw new Refusal(`lookbehind (?<${this.char(2)} is not supported: only patterns that run in linear time are`, open);
      } else if (next === 0x3c /* < */) {
        this.pos += 2;
        const nameStart = this.pos;
        if (!isNameStart(this.peek())) throw new Refusal('invalid group name', nameStart);
        while (isNamePart(this.peek())) this.pos++;
        if (this.peek() !== 0x3e /* > */) throw new Refusal('invalid group name', nameStart);
        const name = String.fromCodePoint(...this.cps.slice(nameStart, this.pos));
        if (this.names.has(name)) throw new Refusal(`duplicate group name ${name}`, nameStart);
        this.names.add(name);
        this.pos++;
      } else {
        throw new Refusal(`unknown group (?${this.char(1)}: inline flags and other group kinds are not supported`, open);
      }
    }
    if (++this.depth > MAX_NESTING) throw new Refusal(`groups may be nested at most ${MAX_NESTING} deep`, open);
    const inner = this.alternation();
    if (this.peek() !== 0x29 /* ) */) throw new Refusal('missing ) for this group', open);
    this.pos++;
    this.depth--;
    return inner;
  }

  private characterClass(): RegexNode {
    const open = this.pos;
    this.pos++;
    const negate = this.peek() === 0x5e; /* ^ */
    if (negate) this.pos++;
    const pairs: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c < 0) throw new Refusal('missing ] for this character class', open);
      if (c === 0x5d /* ] */) {
        this.pos++;
        break;
      }
      const from = this.pos;
      const low = this.classAtom();
      if (this.peek() === 0x2d /* - */ && this.peek(1) !== 0x5d && this.peek(1) >= 0) {
        this.pos++;
        const high = this.classAtom();
        if ('cp' in low && 'cp' in high) {
          if (low.cp > high.cp) throw new Refusal('range out of order in character class', from);
          pairs.push(low.cp, high.cp);
        } else {
          // Next to a class such as \d, `-` is itself (ECMAScript, Annex B): [\w-.] is \w, - and .
          for (const atom of [low, { cp: 0x2d }, high]) pairs.push(...('cp' in atom ? [atom.cp, atom.cp] : atom.ranges));
        }
      } else if ('cp' in low) {
        pairs.push(low.cp, low.cp);
      } else {
        pairs.push(...low.ranges);
      }
    }
    const ranges = normalizeRanges(pairs);
    return { kind: 'chars', ranges: negate ? complementRanges(ranges) : ranges };
  }

  private classAtom(): ClassAtom {
    const c = this.peek();
    if (c !== 0x5c /* \ */) {
      this.pos++;
      return { cp: c };
    }
    const e = this.peek(1);
    if (e === 0x62 /* b */) {
      this.pos += 2;
      return { cp: 0x08 };
    }
    if (e === 0x2d /* - */) {
      this.pos += 2;
      return { cp: 0x2d };
    }
    if (e === 0x42 /* B */) throw new Refusal('\\B is not allowed in a character class', this.pos);
    return this.characterEscape(true);
  }

  private escape(): RegexNode {
    const e = this.peek(1);
    if (e === 0x62 /* b */ || e === 0x42 /* B */) {
      this.pos += 2;
      return { kind: 'assert', assertion: e === 0x62 ? 'wordBoundary' : 'notWordBoundary' };
    }
    const atom = this.characterEscape(false);
    return { kind: 'chars', ranges: 'cp' in atom ? [atom.cp, atom.cp] : atom.ranges };
  }

  /** An escape other than `\b` and `\B`, at a backslash. */
  private characterEscape(inClass: boolean): ClassAtom {
    const at = this.pos;
    const e = this.peek(1);
    if (e < 0) throw new Refusal('\\ at end of pattern', at);
    const name = String.fromCodePoint(e);
    this.pos += 2;
    const set = CLASS_ESCAPES.get(name);
    if (set !== undefined) return { ranges: set };
    const control = CONTROL_ESCAPES.get(name);
    if (control !== undefined) return { cp: control };
    if (e === 0x30 /* 0 */) {
      if (isDigit(this.peek())) throw new Refusal('octal escapes are not supported', at);
      return { cp: 0 };
    }
    if (isDigit(e)) {
      if (inClass) throw new Refusal('octal escapes are not supported', at);
      throw new Refusal(`backreference \\${name} is not supported: only patterns that run in linear time are`, at);
    }
    if (e === 0x6b /* k */ && !inClass) {
      throw new Refusal('backreference \\k is not supported: only patterns that run in linear time are', at);
    }
    if (e === 0x78 /* x */) {
      const value = this.hex(2);
      if (value < 0) throw new Refusal('\\x must be followed by two hex digits', at);
      return { cp: value };
    }
    if (e === 0x75 /* u */) {
      if (this.peek() === 0x7b /* { */) throw new Refusal('\\u{...} is not supported: write \\uHHHH or the character itself', at);
      const value = this.hex(4);
      if (value < 0) throw new Refusal('\\u must be followed by four hex digits', at);
      // A surrogate pair written as two escapes is one character, as in the input.
      if (value >= 0xd800 && value <= 0xdbff && this.peek() === 0x5c && this.peek(1) === 0x75) {
        const save = this.pos;
        this.pos += 2;
        const low = this.hex(4);
        if (low >= 0xdc00 && low <= 0xdfff) return { cp: 0x10000 + ((value - 0xd800) << 10) + (low - 0xdc00) };
        this.pos = save;
      }
      return { cp: value };
    }
    if (e === 0x63 /* c */) {
      const letter = this.peek();
      if (!((letter >= 0x41 && letter <= 0x5a) || (letter >= 0x61 && letter <= 0x7a))) throw new Refusal('\\c must be followed by a letter', at);
      this.pos++;
      return { cp: letter % 32 };
    }
    if (e === 0x70 /* p */ || e === 0x50 /* P */) throw new Refusal(`Unicode property escapes \\${name}{...} are not supported`, at);
    if (isAsciiLetterOrDigit(e)) throw new Refusal(`unknown escape \\${name}`, at);
    return { cp: e };
  }

  /** Reads exactly `count` hex digits; -1 (and nothing read) when they are not there. */
  private hex(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const digit = hexValue(this.peek(i));
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    this.pos += count;
    return value;
  }
}

/** The code points of a string; a lone surrogate is a code point of its own. */
export function codePoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    out.push(c);
  }
  return out;
}

/** Parses a pattern of the `matches` language, or says why it is refused. Never throws. */
export function parseRegex(pattern: string): ParsedRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) return { ok: false, reason: `a pattern may have at most ${MAX_PATTERN_LENGTH} characters`, position: 0 };
  try {
    return { ok: true, node: new Parser(codePoints(pattern)).parse() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason, position: error.position };
    return { ok: false, reason: 'invalid pattern', position: 0 };
  }
}
