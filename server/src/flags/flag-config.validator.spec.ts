import { type Clause, CLAUSE_OPERATORS, type ClauseOperator, OPERATOR_TABLE, type OperandKind, type Rule } from '@signalbox/sdk/core';
import { describe, expect, it } from 'vitest';
import { validationFailed } from '../common/errors/domain-error.js';
import { type ConfigValidationContext, type FlagConfigInput, validateFlagConfig } from './flag-config.validator.js';

const ctx: ConfigValidationContext = {
  flagKey: 'f',
  variants: [
    { key: 'on', value: true },
    { key: 'off', value: false },
  ],
  segmentKeys: new Set(['beta-testers']),
  variantsOf: () => undefined,
  prerequisitesOf: () => [],
};

const withRules = (...rules: Rule[]): FlagConfigInput => ({ offVariant: 'off', targets: [], rules, defaultRule: { variant: 'off' }, prerequisites: [] });
const ruleOf = (...clauses: Clause[]): Rule => ({ clauses, serve: { variant: 'on' } });
const matches = (...values: string[]): Clause => ({ attribute: 'email', op: 'matches', values });

/** The 400 message validation gives the config, undefined when it is valid. */
const messageOf = (config: FlagConfigInput): string | undefined => {
  const problems = validateFlagConfig(config, ctx);
  return problems.length === 0 ? undefined : validationFailed(problems).message;
};

/** The 400 message a config with these `matches` values in its first rule's second clause gets. */
const messageFor = (...values: string[]): string | undefined =>
  messageOf(withRules(ruleOf({ attribute: 'plan', op: 'in', values: ['pro'] }, matches(...values))));

describe('matches patterns on save', () => {
  it.each([
    '^[a-z]+@example\\.com$',
    '(?<user>[^@]+)@(?:corp|example)\\.com$',
    // Catastrophic for a backtracking engine, linear for the evaluation core's: accepted.
    '(a+)+$',
    '(a|a)*$',
    '(a|aa)+b',
    '((a+))+$',
    '(a{1,})+$',
    '^([a-z0-9]|[a-z0-9-])*$',
    '^.*.*.*.*=$',
    '(x+x+)+y',
    '(a*)*b',
    '(.*a){20}',
    '^(\\w+\\s?)*$',
    '(a|b|ab)*c',
  ])('accepts %s', (pattern) => {
    expect(messageFor(pattern)).toBeUndefined();
  });

  it.each<[pattern: string, message: string]>([
    [
      '(a*)*\\1',
      'rules[0].clauses[1].values[0]: is not a valid regular expression: backreference \\1 is not supported: only patterns that run in linear time ' +
        'are (at position 5)',
    ],
    [
      '^(?=.*admin)',
      'rules[0].clauses[1].values[0]: is not a valid regular expression: lookahead (?= is not supported: only patterns that run in linear time are ' +
        '(at position 1)',
    ],
    [
      '(?<=@)corp',
      'rules[0].clauses[1].values[0]: is not a valid regular expression: lookbehind (?<= is not supported: only patterns that run in linear time ' +
        'are (at position 0)',
    ],
    ['(unclosed', 'rules[0].clauses[1].values[0]: is not a valid regular expression: missing ) for this group (at position 0)'],
    ['a{1001}', 'rules[0].clauses[1].values[0]: is not a valid regular expression: repetition counts may be at most 1000 (at position 1)'],
    [
      '(a{100}){100}',
      'rules[0].clauses[1].values[0]: is not a valid regular expression: the pattern is too large: counted repetitions such as {n,m} expand it to ' +
        'more than 1000 instructions (at position 0)',
    ],
    ['\\p{Lu}', 'rules[0].clauses[1].values[0]: is not a valid regular expression: Unicode property escapes \\p{...} are not supported (at position 0)'],
    ['a'.repeat(257), 'rules[0].clauses[1].values[0]: a regular expression may have at most 256 characters'],
  ])('refuses %s with the field, the reason and the position', (pattern, message) => {
    expect(messageFor(pattern)).toBe(message);
  });

  it('names every refused value of a clause by its index', () => {
    const problems = validateFlagConfig(withRules(ruleOf(matches('ok', '(?!x)', 'fine', '\\1'))), ctx);
    expect(problems.map((problem) => problem.field)).toEqual(['rules[0].clauses[0].values[1]', 'rules[0].clauses[0].values[3]']);
  });
});

/** For each kind of operand, written out by hand: values it takes, and values it refuses with the reason. */
const OPERANDS: Record<OperandKind, { valid: unknown[]; invalid: Array<[what: string, value: unknown, reason: (op: ClauseOperator) => string]> }> = {
  scalar: {
    valid: ['pro', 42, false],
    invalid: [
      ['null', null, () => 'must be a string, number or boolean'],
      ['an object', { plan: 'pro' }, () => 'must be a string, number or boolean'],
      ['a list', ['pro'], () => 'must be a string, number or boolean'],
    ],
  },
  string: {
    valid: ['eu-', ''],
    invalid: [
      ['a number', 42, (op) => `${op} compares strings: must be a string`],
      ['a boolean', true, (op) => `${op} compares strings: must be a string`],
      ['null', null, (op) => `${op} compares strings: must be a string`],
      ['an object', {}, (op) => `${op} compares strings: must be a string`],
    ],
  },
  regex: {
    valid: ['^[a-z]+@example\\.com$', '(a+)+$'],
    invalid: [
      ['a number', 42, () => 'must be a regular expression string'],
      ['null', null, () => 'must be a regular expression string'],
      [
        'a pattern with a backreference',
        '(a)\\1',
        () => 'is not a valid regular expression: backreference \\1 is not supported: only patterns that run in linear time are (at position 3)',
      ],
      ['a 257-character pattern', 'a'.repeat(257), () => 'a regular expression may have at most 256 characters'],
    ],
  },
  number: {
    valid: [1000, -0.5, 0],
    invalid: [
      ['a numeric string', '1000', (op) => `${op} compares numbers: must be a finite number`],
      ['a boolean', true, (op) => `${op} compares numbers: must be a finite number`],
      ['Infinity', Number.POSITIVE_INFINITY, (op) => `${op} compares numbers: must be a finite number`],
      ['null', null, (op) => `${op} compares numbers: must be a finite number`],
    ],
  },
  semver: {
    valid: ['1.4.0', '2.0.0-rc.1', '1.4'],
    invalid: [
      ['words', 'one.two', () => 'must be a semantic version such as 1.4.0'],
      ['a leading zero', '01.4.0', () => 'must be a semantic version such as 1.4.0'],
      ['a number', 1, () => 'must be a semantic version such as 1.4.0'],
      ['null', null, () => 'must be a semantic version such as 1.4.0'],
    ],
  },
  date: {
    valid: ['2026-01-31', '2026-01-31T12:00:00+02:00', 1767225600000],
    invalid: [
      ['words', 'next tuesday', () => 'must be an ISO-8601 date or epoch milliseconds'],
      ['the 30th of February', '2026-02-30', () => 'must be an ISO-8601 date or epoch milliseconds'],
      ['a boolean', true, () => 'must be an ISO-8601 date or epoch milliseconds'],
      ['null', null, () => 'must be an ISO-8601 date or epoch milliseconds'],
    ],
  },
  none: { valid: [], invalid: [] },
  segmentKey: {
    valid: ['beta-testers'],
    invalid: [
      ['an unknown segment', 'gone', () => "segment 'gone' does not exist in this project"],
      ['a number', 7, () => 'must be a segment key'],
      ['null', null, () => 'must be a segment key'],
    ],
  },
};

/** A two-rule config whose second rule's second clause is `op` with these operands. */
const withOperands = (op: ClauseOperator, operands: unknown[]): FlagConfigInput => {
  const clause = (op === 'segment' ? { op, segments: operands } : { attribute: 'attr', op, values: operands }) as Clause;
  return withRules(ruleOf({ attribute: 'plan', op: 'in', values: ['pro'] }), ruleOf({ attribute: 'plan', op: 'exists', values: [] }, clause));
};
const operandField = (op: ClauseOperator): string => `rules[1].clauses[1].${op === 'segment' ? 'segments' : 'values'}`;

describe('clause operands on save, for each operator of the table', () => {
  const kindOf = (op: ClauseOperator) => OPERANDS[OPERATOR_TABLE[op].operand];

  const validCases = CLAUSE_OPERATORS.filter((op) => op !== 'exists').flatMap((op) => kindOf(op).valid.map((value) => [op, value] as const));
  it.each(validCases)('%s accepts %j', (op, value) => {
    expect(messageOf(withOperands(op, [value]))).toBeUndefined();
  });

  it.each(CLAUSE_OPERATORS.flatMap((op) => kindOf(op).invalid.map(([what, value, reason]) => [op, what, value, reason(op)] as const)))(
    '%s refuses %s with a 400 naming the value',
    (op, _what, value, reason) => {
      expect(messageOf(withOperands(op, [value]))).toBe(`${operandField(op)}[0]: ${reason}`);
    },
  );

  it.each(CLAUSE_OPERATORS.filter((op) => op !== 'exists').map((op) => [op]))('%s refuses an empty list', (op) => {
    expect(messageOf(withOperands(op, []))).toBe(`${operandField(op)}: ${op} needs at least one value`);
  });

  it('exists takes no values', () => {
    expect(messageOf(withOperands('exists', []))).toBeUndefined();
    expect(messageOf(withOperands('exists', ['x']))).toBe('rules[1].clauses[1].values: exists takes no values');
  });

  it('refuses an operator the table does not declare, as the request validator would', () => {
    expect(messageOf(withOperands('between' as ClauseOperator, [1]))).toBe(`rules[1].clauses[1].op: op must be one of: ${CLAUSE_OPERATORS.join(', ')}`);
  });

  it('reports the refused values of every clause of every rule', () => {
    const config = withRules(ruleOf({ attribute: 'n', op: 'gt', values: ['x'] }), ruleOf({ attribute: 'v', op: 'semverEq', values: ['1.0.0', 'y'] }));
    expect(validateFlagConfig(config, ctx).map((problem) => problem.field)).toEqual(['rules[0].clauses[0].values[0]', 'rules[1].clauses[0].values[1]']);
  });
});
