import { type Clause, CLAUSE_OPERATORS, type ClauseOperator, OPERATOR_TABLE, type OperandKind } from '@signalbox/sdk/core';
import { describe, expect, it } from 'vitest';
import { clauseProblems } from './clause.validator.js';

const SAMPLES = {
  'a word': 'pro',
  'a semantic version': '1.4.0',
  'an ISO-8601 date-time': '2026-01-31T12:00:00Z',
  'a regular expression': '^[a-z]+@example\\.com$',
  'an unclosed group': '(unclosed',
  'a 257-character string': 'a'.repeat(257),
  'an integer': 42,
  'a fraction': 0.5,
  Infinity: Number.POSITIVE_INFINITY,
  NaN: Number.NaN,
  'a boolean': true,
  null: null,
  'an object': { nested: true },
  'a list': ['pro'],
} as const;
type Sample = keyof typeof SAMPLES;
const STRINGS: Sample[] = ['a word', 'a semantic version', 'an ISO-8601 date-time', 'a regular expression', 'an unclosed group', 'a 257-character string'];
const NAMES = Object.keys(SAMPLES) as Sample[];

/**
 * Written out by hand for each kind of operand: the samples it accepts, and the reason it gives for
 * any other. The operator → kind mapping is the core's table; these expectations are not.
 */
const EXPECTED: Record<OperandKind, { accepts: Sample[]; reason: (op: ClauseOperator, sample: Sample) => string }> = {
  scalar: {
    accepts: [...STRINGS, 'an integer', 'a fraction', 'a boolean'],
    reason: () => 'must be a string, number or boolean',
  },
  string: { accepts: STRINGS, reason: (op) => `${op} compares strings: must be a string` },
  regex: {
    accepts: ['a word', 'a semantic version', 'an ISO-8601 date-time', 'a regular expression'],
    reason: (_op, sample) =>
      sample === 'an unclosed group'
        ? 'is not a valid regular expression: missing ) for this group (at position 0)'
        : sample === 'a 257-character string'
          ? 'a regular expression may have at most 256 characters'
          : 'must be a regular expression string',
  },
  number: { accepts: ['an integer', 'a fraction'], reason: (op) => `${op} compares numbers: must be a finite number` },
  semver: { accepts: ['a semantic version'], reason: () => 'must be a semantic version such as 1.4.0' },
  // Numbers are epoch milliseconds.
  date: { accepts: ['an ISO-8601 date-time', 'an integer', 'a fraction'], reason: () => 'must be an ISO-8601 date or epoch milliseconds' },
  none: { accepts: [], reason: (op) => `${op} takes no values` },
  segmentKey: { accepts: STRINGS, reason: () => 'must be a segment key' },
};

const PATH = 'rules[2].clauses[1]';
// Every string sample names an existing segment, so only the key's type decides here.
const everySegment = { segmentKeys: new Set(STRINGS.map((sample) => String(SAMPLES[sample]))) };

/** A clause of `op` with these operands, in the field the operator keeps them in. */
const clauseOf = (op: ClauseOperator, operands: unknown[]): Clause =>
  (op === 'segment' ? { op, segments: operands } : { attribute: 'plan', op, values: operands }) as Clause;
const fieldOf = (op: ClauseOperator): string => `${PATH}.${op === 'segment' ? 'segments' : 'values'}`;

describe('clauseProblems, for each operator and each kind of value', () => {
  const cases = CLAUSE_OPERATORS.flatMap((op) => NAMES.map((sample) => [op, sample] as const));

  it.each(cases)('%s given %s', (op, sample) => {
    const problems = clauseProblems(clauseOf(op, [SAMPLES[sample]]), PATH, everySegment);
    const expected = EXPECTED[OPERATOR_TABLE[op].operand];
    // exists refuses any value, so its problem is with the list rather than with one value.
    if (op === 'exists') expect(problems).toEqual([{ field: fieldOf(op), reason: 'exists takes no values' }]);
    else if (expected.accepts.includes(sample)) expect(problems).toEqual([]);
    else expect(problems).toEqual([{ field: `${fieldOf(op)}[0]`, reason: expected.reason(op, sample) }]);
  });

  it.each(CLAUSE_OPERATORS.filter((op) => op !== 'exists').map((op) => [op]))('%s needs at least one value', (op) => {
    expect(clauseProblems(clauseOf(op, []), PATH, everySegment)).toEqual([{ field: fieldOf(op), reason: `${op} needs at least one value` }]);
  });

  it.each(CLAUSE_OPERATORS.filter((op) => op !== 'exists').map((op) => [op]))('%s accepts a list of values its kind accepts', (op) => {
    const accepted = EXPECTED[OPERATOR_TABLE[op].operand].accepts.map((sample) => SAMPLES[sample]);
    expect(accepted.length).toBeGreaterThan(0);
    expect(clauseProblems(clauseOf(op, accepted), PATH, everySegment)).toEqual([]);
  });
});

describe('clauseProblems, edge cases', () => {
  it('accepts exists with no values, whether the list is empty or absent', () => {
    expect(clauseProblems({ attribute: 'plan', op: 'exists', values: [] }, PATH, everySegment)).toEqual([]);
    expect(clauseProblems({ attribute: 'plan', op: 'exists' } as unknown as Clause, PATH, everySegment)).toEqual([]);
  });

  it('names every refused value by its index and leaves the accepted ones alone', () => {
    expect(clauseProblems({ attribute: 'rows', op: 'lt', values: [1, 'two', 3, 'four'] }, PATH, everySegment)).toEqual([
      { field: `${PATH}.values[1]`, reason: 'lt compares numbers: must be a finite number' },
      { field: `${PATH}.values[3]`, reason: 'lt compares numbers: must be a finite number' },
    ]);
  });

  it('refuses a segment that does not exist in the project, by index', () => {
    const ctx = { segmentKeys: new Set(['beta-testers']) };
    expect(clauseProblems({ op: 'segment', segments: ['beta-testers', 'gone'] }, PATH, ctx)).toEqual([
      { field: `${PATH}.segments[1]`, reason: "segment 'gone' does not exist in this project" },
    ]);
  });

  it.each([['between'], ['constructor'], ['__proto__'], ['']])('refuses the operator %j with the list of operators', (op) => {
    expect(clauseProblems({ attribute: 'plan', op, values: [1] } as unknown as Clause, PATH, everySegment)).toEqual([
      { field: `${PATH}.op`, reason: `op must be one of: ${CLAUSE_OPERATORS.join(', ')}` },
    ]);
  });

  it('refuses values that are not a list instead of failing', () => {
    expect(clauseProblems({ attribute: 'plan', op: 'in', values: 'pro' } as unknown as Clause, PATH, everySegment)).toEqual([
      { field: `${PATH}.values`, reason: 'must be an array' },
    ]);
    expect(clauseProblems({ op: 'segment', segments: 'beta' } as unknown as Clause, PATH, everySegment)).toEqual([
      { field: `${PATH}.segments`, reason: 'must be an array' },
    ]);
  });
});
