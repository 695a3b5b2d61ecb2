/**
 * The targeting operators, each declared once: its name, the values it takes, how those values are
 * checked on save, and the label people read. The evaluator (operators.ts) keys its operator codes
 * by this table, the server validates clauses with `operandProblems`, the console's clause editor
 * lists the table, and the Python port is tested against its JSON export
 * (sdk/test-vectors/tables/operators.json).
 */
import { isValidDateValue } from './dates.js';
import { validateRegex } from './regex-matcher.js';
import { MAX_PATTERN_LENGTH } from './regex-syntax.js';
import { isValidSemver } from './semver.js';

/** What one kind of operand is, and how a value of it is checked. */
export interface OperandDefinition {
  /** `none`: the clause takes no values (`exists`); `oneOrMore`: a non-empty list. */
  readonly arity: 'none' | 'oneOrMore';
  /** The clause field that holds the operands. */
  readonly field: 'values' | 'segments';
  /** The values in a few words, for forms: "numbers", "semantic versions". */
  readonly description: string;
  /** A value this kind accepts, for placeholders and for other languages' tests. */
  readonly example: string | number | null;
  /** Why `value` cannot be an operand of `op`; undefined when it can. Never throws. */
  readonly problem: (value: unknown, op: string) => string | undefined;
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const OPERANDS = {
  scalar: {
    arity: 'oneOrMore',
    field: 'values',
    description: 'values',
    example: 'pro',
    // NaN and infinities cannot travel as JSON: stored, they would come back as null.
    problem: (value) => (typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value) ? undefined : 'must be a string, number or boolean'),
  },
  string: {
    arity: 'oneOrMore',
    field: 'values',
    description: 'text',
    example: 'eu-',
    problem: (value, op) => (typeof value === 'string' ? undefined : `${op} compares strings: must be a string`),
  },
  regex: {
    arity: 'oneOrMore',
    field: 'values',
    description: 'regular expressions',
    example: '^[a-z]+@example\\.com$',
    // The evaluator's own parser decides, so a pattern is refused exactly when evaluation could not
    // run it. Its engine is linear-time for every pattern it accepts: (a+)+ needs no refusal of its own.
    problem: (value) => {
      if (typeof value !== 'string') return 'must be a regular expression string';
      if (value.length > MAX_PATTERN_LENGTH) return `a regular expression may have at most ${MAX_PATTERN_LENGTH} characters`;
      const invalid = validateRegex(value);
      return invalid === undefined ? undefined : `is not a valid regular expression: ${invalid}`;
    },
  },
  number: {
    arity: 'oneOrMore',
    field: 'values',
    description: 'numbers',
    example: 1000,
    problem: (value, op) => (isFiniteNumber(value) ? undefined : `${op} compares numbers: must be a finite number`),
  },
  semver: {
    arity: 'oneOrMore',
    field: 'values',
    description: 'semantic versions',
    example: '1.4.0',
    problem: (value) => (isValidSemver(value) ? undefined : 'must be a semantic version such as 1.4.0'),
  },
  date: {
    arity: 'oneOrMore',
    field: 'values',
    description: 'ISO-8601 dates or epoch milliseconds',
    example: '2026-01-31T12:00:00Z',
    problem: (value) => (isValidDateValue(value) ? undefined : 'must be an ISO-8601 date or epoch milliseconds'),
  },
  none: {
    arity: 'none',
    field: 'values',
    description: 'no values',
    example: null,
    problem: (_value, op) => `${op} takes no values`,
  },
  // Whether the segment exists is the server's to check: the core sees one environment at a time.
  segmentKey: {
    arity: 'oneOrMore',
    field: 'segments',
    description: 'segment keys',
    example: 'beta-testers',
    problem: (value) => (typeof value === 'string' ? undefined : 'must be a segment key'),
  },
} as const satisfies Record<string, OperandDefinition>;

/** The kinds of value a clause can compare with. */
export type OperandKind = keyof typeof OPERANDS;

/** One operator: the kind of its operands and how people read it ("plan is one of pro, team"). */
export interface OperatorDefinition {
  readonly operand: OperandKind;
  readonly label: string;
}

// Declaration order is the order forms list the operators in.
const OPERATORS = {
  in: { operand: 'scalar', label: 'is one of' },
  notIn: { operand: 'scalar', label: 'is not one of' },
  contains: { operand: 'string', label: 'contains' },
  startsWith: { operand: 'string', label: 'starts with' },
  endsWith: { operand: 'string', label: 'ends with' },
  matches: { operand: 'regex', label: 'matches regex' },
  lt: { operand: 'number', label: '<' },
  lte: { operand: 'number', label: '≤' },
  gt: { operand: 'number', label: '>' },
  gte: { operand: 'number', label: '≥' },
  semverEq: { operand: 'semver', label: 'semver =' },
  semverLt: { operand: 'semver', label: 'semver <' },
  semverGt: { operand: 'semver', label: 'semver >' },
  before: { operand: 'date', label: 'is before (date)' },
  after: { operand: 'date', label: 'is after (date)' },
  exists: { operand: 'none', label: 'exists' },
  segment: { operand: 'segmentKey', label: 'is in segment' },
} as const satisfies Record<string, OperatorDefinition>;

/** Every clause operator: the attribute operators and `segment`. */
export type ClauseOperator = keyof typeof OPERATORS;

/** Operators that compare a context attribute with clause values. */
export type AttributeOperator = Exclude<ClauseOperator, 'segment'>;

const freezeEach = <T extends object>(table: Record<string, T>): void => {
  for (const entry of Object.values(table)) Object.freeze(entry);
  Object.freeze(table);
};
freezeEach(OPERANDS);
freezeEach(OPERATORS);

/** Each operand kind's arity, field, description, example and check. */
export const OPERAND_KINDS: Readonly<Record<OperandKind, OperandDefinition>> = OPERANDS;

/** Each clause operator's operand kind and label, in the order forms list them. */
export const OPERATOR_TABLE: Readonly<Record<ClauseOperator, OperatorDefinition>> = OPERATORS;

/** Every clause operator, in table order. */
export const CLAUSE_OPERATORS: readonly ClauseOperator[] = Object.freeze(Object.keys(OPERATORS) as ClauseOperator[]);

/** The attribute operators, in table order. */
export const ATTRIBUTE_OPERATORS: readonly AttributeOperator[] = Object.freeze(CLAUSE_OPERATORS.filter((op): op is AttributeOperator => op !== 'segment'));

/** True for a name the table declares (own keys only: `constructor` is no operator). */
export function isClauseOperator(value: unknown): value is ClauseOperator {
  return typeof value === 'string' && Object.hasOwn(OPERATORS, value);
}

/** The definition of `op`'s operand kind. */
export function operandOf(op: ClauseOperator): OperandDefinition {
  return OPERANDS[OPERATORS[op].operand];
}

/** A problem with a clause's operands: at `index` in the list, or (no index) with the list as a whole. */
export interface OperandProblem {
  readonly index?: number;
  readonly reason: string;
}

/**
 * Every problem with `operands` as `op`'s values (`segments` for `segment`): a wrong count, then
 * each refused value by index. Empty when the clause can be saved. Never throws.
 */
export function operandProblems(op: ClauseOperator, operands: readonly unknown[]): OperandProblem[] {
  const operand = operandOf(op);
  if (operand.arity === 'none') return operands.length > 0 ? [{ reason: `${op} takes no values` }] : [];
  if (operands.length === 0) return [{ reason: `${op} needs at least one value` }];
  const problems: OperandProblem[] = [];
  for (let index = 0; index < operands.length; index++) {
    const reason = operand.problem(operands[index], op);
    if (reason !== undefined) problems.push({ index, reason });
  }
  return problems;
}

/** The table as plain JSON, for SDKs in other languages (written to sdk/test-vectors/tables/operators.json). */
export interface OperatorTableDocument {
  operators: Array<{ name: ClauseOperator; label: string; operand: OperandKind }>;
  operands: Record<OperandKind, { arity: OperandDefinition['arity']; field: OperandDefinition['field']; description: string; example: string | number | null }>;
}

export function operatorTableDocument(): OperatorTableDocument {
  const operands = {} as OperatorTableDocument['operands'];
  for (const kind of Object.keys(OPERANDS) as OperandKind[]) {
    const { arity, field, description, example } = OPERANDS[kind];
    operands[kind] = { arity, field, description, example };
  }
  return {
    operators: CLAUSE_OPERATORS.map((name) => ({ name, label: OPERATORS[name].label, operand: OPERATORS[name].operand })),
    operands,
  };
}
