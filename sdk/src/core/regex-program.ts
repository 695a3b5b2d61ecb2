// Compiles a parsed pattern to a Thompson NFA: a small program of instructions that the matcher
// (regex-matcher.ts) runs as a set of states, never by backtracking. Mirrored by
// sdk/python/signalbox/core/regex_program.py.
import { ANY_RANGES, type AssertionKind, MAX_PROGRAM_SIZE, type RegexNode } from './regex-syntax.js';

/** Consumes one character in `ranges[pc]`, then goes to `out[pc]`. */
export const OP_CHARS = 0;
/** Goes to both `out[pc]` and `alt[pc]`. */
export const OP_SPLIT = 1;
/** Goes to `out[pc]`. */
export const OP_JUMP = 2;
/** Goes to `out[pc]` when the assertion `assertion[pc]` holds at the current position. */
export const OP_ASSERT = 3;
/** A match. */
export const OP_MATCH = 4;

export const ASSERT_BEGIN = 0;
export const ASSERT_END = 1;
export const ASSERT_WORD_BOUNDARY = 2;
export const ASSERT_NOT_WORD_BOUNDARY = 3;

const ASSERTIONS: Record<AssertionKind, number> = {
  begin: ASSERT_BEGIN,
  end: ASSERT_END,
  wordBoundary: ASSERT_WORD_BOUNDARY,
  notWordBoundary: ASSERT_NOT_WORD_BOUNDARY,
};

export interface Program {
  readonly op: readonly number[];
  readonly out: readonly number[];
  /** Second target of a split; the assertion kind of an assert; unused otherwise. */
  readonly arg: readonly number[];
  readonly ranges: ReadonlyArray<readonly number[] | null>;
  readonly start: number;
  /** Whether any `\b` or `\B` needs to know if the previous and next characters are word characters. */
  readonly usesWordBoundary: boolean;
  /**
   * For an unanchored search, the literal text every match starts with (`@corp` in `@corp\.com$`),
   * or null: where no match is under way, the matcher skips to its next occurrence with `indexOf`.
   */
  readonly prefix: string | null;
}

/** How many instructions `node` compiles to (an upper bound is enough to refuse early). */
export function programSize(node: RegexNode): number {
  switch (node.kind) {
    case 'empty':
      return 0;
    case 'chars':
    case 'assert':
      return 1;
    case 'concat':
      return node.items.reduce((sum, item) => sum + programSize(item), 0);
    case 'alternate':
      return node.items.reduce((sum, item) => sum + programSize(item), 0) + 2 * (node.items.length - 1);
    case 'repeat': {
      const size = programSize(node.item);
      if (node.max === -1) return node.min === 0 ? size + 2 : node.min * size + 1;
      return node.min * size + (node.max - node.min) * (size + 1);
    }
  }
}

/** Whether every match must start at the beginning of the input (the pattern starts with `^`). */
function anchoredAtBegin(node: RegexNode): boolean {
  switch (node.kind) {
    case 'assert':
      return node.assertion === 'begin';
    case 'concat':
      return node.items.length > 0 && anchoredAtBegin(node.items[0]!);
    case 'alternate':
      return node.items.every(anchoredAtBegin);
    default:
      return false;
  }
}

/** The literal code points every match of `node` starts with. */
function literalPrefix(node: RegexNode): number[] {
  const items = node.kind === 'concat' ? node.items : [node];
  const prefix: number[] = [];
  for (const item of items) {
    if (item.kind !== 'chars' || item.ranges.length !== 2 || item.ranges[0] !== item.ranges[1]) break;
    prefix.push(item.ranges[0]!);
  }
  // A prefix starting with a low surrogate could be found in the middle of a surrogate pair.
  if (prefix.length > 0 && prefix[0]! >= 0xdc00 && prefix[0]! <= 0xdfff) return [];
  return prefix;
}

class Emitter {
  readonly op: number[] = [];
  readonly out: number[] = [];
  readonly arg: number[] = [];
  readonly ranges: Array<readonly number[] | null> = [];
  usesWordBoundary = false;

  emit(op: number, out: number, arg = 0, ranges: readonly number[] | null = null): number {
    this.op.push(op);
    this.out.push(out);
    this.arg.push(arg);
    this.ranges.push(ranges);
    return this.op.length - 1;
  }

  get next(): number {
    return this.op.length;
  }

  node(node: RegexNode): void {
    switch (node.kind) {
      case 'empty':
        return;
      case 'chars':
        this.emit(OP_CHARS, this.next + 1, 0, node.ranges);
        return;
      case 'assert': {
        const kind = ASSERTIONS[node.assertion];
        if (kind === ASSERT_WORD_BOUNDARY || kind === ASSERT_NOT_WORD_BOUNDARY) this.usesWordBoundary = true;
        this.emit(OP_ASSERT, this.next + 1, kind);
        return;
      }
      case 'concat':
        for (const item of node.items) this.node(item);
        return;
      case 'alternate': {
        // split L1, L2; L1: a; jump END; L2: split L3, L4; L3: b; jump END; L4: c; END:
        const jumps: number[] = [];
        node.items.forEach((item, i) => {
          const last = i === node.items.length - 1;
          const split = last ? -1 : this.emit(OP_SPLIT, this.next + 1);
          this.node(item);
          if (!last) {
            jumps.push(this.emit(OP_JUMP, 0));
            this.arg[split] = this.next;
          }
        });
        for (const jump of jumps) this.out[jump] = this.next;
        return;
      }
      case 'repeat':
        this.repeat(node.item, node.min, node.max);
        return;
    }
  }

  private repeat(item: RegexNode, min: number, max: number): void {
    if (max === -1) {
      if (min === 0) {
        // L: split L+1, END; item; jump L; END:
        const split = this.emit(OP_SPLIT, this.next + 1);
        this.node(item);
        this.emit(OP_JUMP, split);
        this.arg[split] = this.next;
        return;
      }
      for (let i = 0; i < min - 1; i++) this.node(item);
      // L: item; split L, END; END:
      const loop = this.next;
      this.node(item);
      this.emit(OP_SPLIT, loop, this.next + 1);
      return;
    }
    for (let i = 0; i < min; i++) this.node(item);
    // (item(item(item)?)?)? : every optional copy may skip to the end.
    const splits: number[] = [];
    for (let i = min; i < max; i++) {
      splits.push(this.emit(OP_SPLIT, this.next + 1));
      this.node(item);
    }
    for (const split of splits) this.arg[split] = this.next;
  }
}

/** Compiles a parsed pattern for an unanchored search; undefined when it is larger than MAX_PROGRAM_SIZE. */
export function compileProgram(node: RegexNode): Program | undefined {
  if (programSize(node) > MAX_PROGRAM_SIZE) return undefined;
  const emitter = new Emitter();
  const anchored = anchoredAtBegin(node);
  if (!anchored) {
    // A search may start anywhere: 0: split 1, 2; 1: any character, back to 0; 2: the pattern.
    emitter.emit(OP_SPLIT, 1, 2);
    emitter.emit(OP_CHARS, 0, 0, ANY_RANGES);
  }
  emitter.node(node);
  emitter.emit(OP_MATCH, 0);
  const prefix = anchored ? [] : literalPrefix(node);
  return {
    op: emitter.op,
    out: emitter.out,
    arg: emitter.arg,
    ranges: emitter.ranges,
    start: 0,
    usesWordBoundary: emitter.usesWordBoundary,
    prefix: prefix.length > 0 ? String.fromCodePoint(...prefix) : null,
  };
}
