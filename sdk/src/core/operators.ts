import { ConfigError } from './config-error.js';
import { asContextRecord, isInheritedName, readAttribute, type ContextRecord } from './context.js';
import { parseDateValue } from './dates.js';
import type { ClauseOperator } from './operator-table.js';
import { compileRegex, type LinearRegex } from './regex-matcher.js';
import { compareSemver, parseSemver, type SemVer } from './semver.js';
import type { Clause, EvaluationContext, SegmentClause } from './types.js';

/** Operator codes: a small-integer switch is faster than string compares on the hot path. */
const enum Op {
  In,
  NotIn,
  Contains,
  StartsWith,
  EndsWith,
  Matches,
  Lt,
  Lte,
  Gt,
  Gte,
  SemverEq,
  SemverLt,
  SemverGt,
  Before,
  After,
  Exists,
  Segment,
}

// A Record over the table's operators, so an operator without a code is a compile error. It has no
// prototype, so `constructor` or `__proto__` find no code and one lookup decides (as fast as a Map).
const OP_CODES: Readonly<Record<ClauseOperator, Op>> = Object.assign(Object.create(null) as Record<ClauseOperator, Op>, {
  in: Op.In,
  notIn: Op.NotIn,
  contains: Op.Contains,
  startsWith: Op.StartsWith,
  endsWith: Op.EndsWith,
  matches: Op.Matches,
  lt: Op.Lt,
  lte: Op.Lte,
  gt: Op.Gt,
  gte: Op.Gte,
  semverEq: Op.SemverEq,
  semverLt: Op.SemverLt,
  semverGt: Op.SemverGt,
  before: Op.Before,
  after: Op.After,
  exists: Op.Exists,
  segment: Op.Segment,
} satisfies Record<ClauseOperator, Op>);

/** Segment membership, as compiled by segments.ts; kept abstract here to avoid an import cycle. */
export interface SegmentMembership {
  readonly key: string;
  isMember(context: ContextRecord): boolean;
  /** What decided membership; see `CompiledSegment.membership`. */
  membership(context: ContextRecord): number;
}

/** Where a segment clause finds the segments it names (`undefined`: no such segment, no members). May throw a `ConfigError`. */
export interface SegmentSource {
  segment(key: string): SegmentMembership | undefined;
}

/** A clause with its values prepared for matching (sets, regexes, bounds, parsed versions). */
export class CompiledClause {
  readonly op: Op;
  readonly attribute: string;
  readonly ownOnly: boolean;
  readonly negate: boolean;
  readonly valueSet: ReadonlySet<unknown>;
  /** `in`/`notIn` values when there are few: a scan of `===` beats hashing for short lists. */
  readonly fewValues: readonly unknown[] | null;
  readonly strings: readonly string[];
  readonly patterns: readonly LinearRegex[];
  /** lt/lte/before: the largest value; gt/gte/after: the smallest (matching any value reduces to this). */
  readonly bound: number;
  readonly versions: readonly SemVer[];
  readonly segments: readonly SegmentMembership[];

  constructor(
    readonly source: Clause,
    segmentSource: SegmentSource,
  ) {
    if (typeof source !== 'object' || source === null) throw new ConfigError('a clause must be an object');
    const rawOp: unknown = source.op;
    const op = typeof rawOp === 'string' ? (OP_CODES as Readonly<Record<string, Op | undefined>>)[rawOp] : undefined;
    if (op === undefined) throw new ConfigError(`unknown operator ${typeof rawOp === 'string' ? rawOp : typeof rawOp}`);
    if (source.negate !== undefined && typeof source.negate !== 'boolean') {
      throw new ConfigError('negate must be a boolean');
    }
    this.op = op;
    this.negate = source.negate === true;
    let attribute = '';
    let values: readonly unknown[] = [];
    let segments: readonly SegmentMembership[] = NONE;
    if (source.op === 'segment') {
      segments = segmentsOf(source, segmentSource);
    } else {
      if (typeof source.attribute !== 'string') throw new ConfigError('a clause needs an attribute name');
      attribute = source.attribute;
      if (op !== Op.Exists) {
        if (!Array.isArray(source.values)) throw new ConfigError('clause values must be a list');
        for (const value of source.values as unknown[]) {
          const kind = typeof value;
          if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') {
            throw new ConfigError('clause values must be strings, numbers or booleans');
          }
        }
        values = source.values;
      }
    }
    this.attribute = attribute;
    this.ownOnly = isInheritedName(attribute);
    // Each operator prepares only what it reads; the rest share empty values (a cold start
    // compiles thousands of clauses, and allocation is most of their cost).
    this.segments = segments;
    const membership = op === Op.In || op === Op.NotIn;
    this.valueSet = membership ? new Set(values) : NO_VALUES;
    // Set semantics (SameValueZero) for NaN would differ from `===`; NaN cannot come from JSON
    // but is kept on the Set path to stay exact.
    this.fewValues = membership && this.valueSet.size <= FEW_VALUES && !this.valueSet.has(Number.NaN) ? [...this.valueSet] : null;
    this.strings = isStringOp(op) ? values.filter((value): value is string => typeof value === 'string') : NONE;
    this.patterns = op === Op.Matches ? compilePatterns(this.strings) : NONE;
    this.versions = isSemverOp(op) ? values.map(parseSemver).filter((version) => version !== undefined) : NONE;
    this.bound = boundOf(op, values);
  }
}

const FEW_VALUES = 4;
const NONE: readonly never[] = [];
const NO_VALUES: ReadonlySet<unknown> = new Set();

/** The segments a segment clause names that exist (an unknown segment has no members). */
function segmentsOf(source: SegmentClause, segmentSource: SegmentSource): readonly SegmentMembership[] {
  if (!Array.isArray(source.segments) || !source.segments.every((key) => typeof key === 'string')) {
    throw new ConfigError('a segment clause needs a list of segment keys');
  }
  const segments: SegmentMembership[] = [];
  for (const key of source.segments) {
    const segment = segmentSource.segment(key);
    if (segment !== undefined) segments.push(segment);
  }
  return segments.length > 0 ? segments : NONE;
}

function isStringOp(op: Op): boolean {
  return op === Op.Contains || op === Op.StartsWith || op === Op.EndsWith || op === Op.Matches;
}

function isSemverOp(op: Op): boolean {
  return op === Op.SemverEq || op === Op.SemverLt || op === Op.SemverGt;
}

function compilePatterns(patterns: readonly string[]): LinearRegex[] {
  const compiled: LinearRegex[] = [];
  // A refused pattern never matches; the server refuses it on save, this only keeps evaluation safe.
  for (const pattern of patterns) {
    const result = compileRegex(pattern);
    if (result.ok) compiled.push(result.regex);
  }
  return compiled;
}

function boundOf(op: Op, values: readonly unknown[]): number {
  const numbers: number[] = [];
  if (op === Op.Lt || op === Op.Lte || op === Op.Gt || op === Op.Gte) {
    for (const value of values) if (typeof value === 'number' && !Number.isNaN(value)) numbers.push(value);
  } else if (op === Op.Before || op === Op.After) {
    for (const value of values) {
      const time = parseDateValue(value);
      if (!Number.isNaN(time)) numbers.push(time);
    }
  } else {
    return Number.NaN;
  }
  // No usable value: NaN makes every comparison false.
  if (numbers.length === 0) return Number.NaN;
  const upper = op === Op.Lt || op === Op.Lte || op === Op.Before;
  return upper ? Math.max(...numbers) : Math.min(...numbers);
}

/**
 * Whether the context satisfies the clause. A missing (undefined or null) attribute fails every
 * operator, `exists` and `notIn` included, and `negate` then inverts as usual. An array attribute
 * matches when any element does; `notIn` is the complement of `in` over all elements.
 */
export function clauseMatches(clause: CompiledClause, context: ContextRecord): boolean {
  const op = clause.op;
  if (op === Op.Segment) {
    const segments = clause.segments;
    for (let i = 0; i < segments.length; i++) {
      if (segments[i]!.isMember(context)) return !clause.negate;
    }
    return clause.negate;
  }
  const value = readAttribute(context, clause.attribute, clause.ownOnly);
  let matched: boolean;
  if (value === undefined || value === null) matched = false;
  else if (op === Op.Exists) matched = true;
  else if (op === Op.NotIn) matched = !anyElementMatches(clause, Op.In, value);
  else matched = anyElementMatches(clause, op, value);
  return matched !== clause.negate;
}

function anyElementMatches(clause: CompiledClause, op: Op, value: unknown): boolean {
  if (!Array.isArray(value)) return scalarMatches(clause, op, value);
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i];
    if (element !== undefined && element !== null && scalarMatches(clause, op, element)) return true;
  }
  return false;
}

function scalarMatches(clause: CompiledClause, op: Op, value: unknown): boolean {
  switch (op) {
    case Op.In: {
      const few = clause.fewValues;
      if (few === null) return clause.valueSet.has(value);
      for (let i = 0; i < few.length; i++) if (few[i] === value) return true;
      return false;
    }
    case Op.Contains:
    case Op.StartsWith:
    case Op.EndsWith:
      return typeof value === 'string' && stringMatches(clause.strings, op, value);
    case Op.Matches: {
      if (typeof value !== 'string') return false;
      const patterns = clause.patterns;
      for (let i = 0; i < patterns.length; i++) if (patterns[i]!.test(value)) return true;
      return false;
    }
    case Op.Lt:
      return typeof value === 'number' && value < clause.bound;
    case Op.Lte:
      return typeof value === 'number' && value <= clause.bound;
    case Op.Gt:
      return typeof value === 'number' && value > clause.bound;
    case Op.Gte:
      return typeof value === 'number' && value >= clause.bound;
    case Op.SemverEq:
    case Op.SemverLt:
    case Op.SemverGt:
      return semverMatches(clause.versions, op, value);
    case Op.Before: {
      return parseDateValue(value) < clause.bound;
    }
    case Op.After:
      return parseDateValue(value) > clause.bound;
    default:
      return false;
  }
}

function stringMatches(strings: readonly string[], op: Op, value: string): boolean {
  for (let i = 0; i < strings.length; i++) {
    const operand = strings[i]!;
    if (op === Op.Contains ? value.includes(operand) : op === Op.StartsWith ? value.startsWith(operand) : value.endsWith(operand)) {
      return true;
    }
  }
  return false;
}

function semverMatches(versions: readonly SemVer[], op: Op, value: unknown): boolean {
  const version = parseSemver(value);
  if (version === undefined) return false;
  for (let i = 0; i < versions.length; i++) {
    const order = compareSemver(version, versions[i]!);
    if (op === Op.SemverEq ? order === 0 : op === Op.SemverLt ? order < 0 : order > 0) return true;
  }
  return false;
}

/** The index of the first clause the context fails, or -1 when all match (an empty list matches). */
export function firstFailingClause(clauses: readonly CompiledClause[], context: ContextRecord): number {
  for (let i = 0; i < clauses.length; i++) {
    if (!clauseMatches(clauses[i]!, context)) return i;
  }
  return -1;
}

/** The value the clause read from the context, for explanations (`undefined` for segment clauses). */
export function attributeValueSeen(clause: CompiledClause, context: EvaluationContext | ContextRecord): unknown {
  if (clause.op === Op.Segment) return undefined;
  return readAttribute(asContextRecord(context), clause.attribute, clause.ownOnly);
}

/** True for a segment clause. */
export function isSegmentClause(clause: CompiledClause): boolean {
  return clause.op === Op.Segment;
}
