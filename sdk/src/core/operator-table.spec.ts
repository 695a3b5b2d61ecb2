import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aFlag, anEnvironment, aSegment, clause, inSegments } from '../../test/builders.js';
import { compileEnvironment } from './compile.js';
import { evaluate } from './evaluate.js';
import {
  ATTRIBUTE_OPERATORS,
  CLAUSE_OPERATORS,
  OPERAND_KINDS,
  OPERATOR_TABLE,
  isClauseOperator,
  operandOf,
  operandProblems,
  operatorTableDocument,
  type ClauseOperator,
} from './operator-table.js';
import type { Clause, ClauseValue } from './types.js';

const vectors = join(dirname(fileURLToPath(import.meta.url)), '../../test-vectors');

/** The operands `op`'s kind offers as its example: none for `exists`. */
const exampleOperands = (op: ClauseOperator): Array<string | number> => {
  const example = operandOf(op).example;
  return example === null ? [] : [example];
};

/** A clause of `op` whose operands are its kind's example. */
const exampleClause = (op: ClauseOperator): Clause =>
  op === 'segment' ? inSegments(...exampleOperands(op).map(String)) : clause('attribute', op, exampleOperands(op) as ClauseValue[]);

describe('operator table', () => {
  it('lists segment as the only operator that is not an attribute operator', () => {
    expect(CLAUSE_OPERATORS.filter((op) => !(ATTRIBUTE_OPERATORS as readonly string[]).includes(op))).toEqual(['segment']);
    expect(ATTRIBUTE_OPERATORS).toEqual(CLAUSE_OPERATORS.filter((op) => op !== 'segment'));
  });

  it('gives every operator a label of its own and a known operand kind', () => {
    const labels = CLAUSE_OPERATORS.map((op) => OPERATOR_TABLE[op].label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const op of CLAUSE_OPERATORS) expect(Object.keys(OPERAND_KINDS)).toContain(OPERATOR_TABLE[op].operand);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(OPERATOR_TABLE)).toBe(true);
    expect(Object.isFrozen(OPERATOR_TABLE.in)).toBe(true);
    expect(Object.isFrozen(OPERAND_KINDS.regex)).toBe(true);
    expect(Object.isFrozen(CLAUSE_OPERATORS)).toBe(true);
  });

  it.each([['in'], ['segment'], ['semverGt']])('knows %s', (name) => {
    expect(isClauseOperator(name)).toBe(true);
  });

  it.each([['constructor'], ['toString'], ['__proto__'], ['hasOwnProperty'], ['In'], ['between'], [''], [7], [null], [undefined]])(
    'does not take %s for an operator',
    (name) => {
      expect(isClauseOperator(name)).toBe(false);
    },
  );

  it.each(CLAUSE_OPERATORS.map((op) => [op]))('accepts the example of %s as its operands', (op) => {
    expect(operandProblems(op, exampleOperands(op))).toEqual([]);
  });
});

describe('operandProblems', () => {
  it('asks for at least one value, except from an operator that takes none', () => {
    expect(operandProblems('in', [])).toEqual([{ reason: 'in needs at least one value' }]);
    expect(operandProblems('segment', [])).toEqual([{ reason: 'segment needs at least one value' }]);
    expect(operandProblems('exists', [])).toEqual([]);
    expect(operandProblems('exists', ['x'])).toEqual([{ reason: 'exists takes no values' }]);
  });

  it('names each refused value by its index', () => {
    expect(operandProblems('gt', [1, 'two', 3, Number.POSITIVE_INFINITY])).toEqual([
      { index: 1, reason: 'gt compares numbers: must be a finite number' },
      { index: 3, reason: 'gt compares numbers: must be a finite number' },
    ]);
  });

  it('refuses a pattern the evaluator cannot run, with the reason and position of the regex parser', () => {
    expect(operandProblems('matches', ['ok', '(?=x)', 'a'.repeat(257)])).toEqual([
      { index: 1, reason: 'is not a valid regular expression: lookahead (?= is not supported: only patterns that run in linear time are (at position 0)' },
      { index: 2, reason: 'a regular expression may have at most 256 characters' },
    ]);
  });

  it('reads dates and versions with the evaluator’s parsers', () => {
    expect(operandProblems('before', ['2026-02-29', '2028-02-29', 0])).toEqual([{ index: 0, reason: 'must be an ISO-8601 date or epoch milliseconds' }]);
    expect(operandProblems('semverEq', ['1.4', '01.4.0', '1.4.0-rc.1+build'])).toEqual([{ index: 1, reason: 'must be a semantic version such as 1.4.0' }]);
  });

  it('never throws, whatever the operands', () => {
    const odd: unknown[] = [null, undefined, {}, [], Symbol('s'), 10n, () => 1, Number.NaN, '\uD800'];
    for (const op of CLAUSE_OPERATORS) expect(() => operandProblems(op, odd)).not.toThrow();
  });
});

describe('the evaluator and the table', () => {
  it.each(CLAUSE_OPERATORS.map((op) => [op]))('compiles and evaluates a %s clause without a config problem', (op) => {
    const flag = aFlag('f')
      .withRule({ variant: 'on' }, exampleClause(op))
      .with({ defaultRule: { variant: 'off' } })
      .build();
    const environment = compileEnvironment(anEnvironment([flag], [aSegment('beta-testers', { included: ['user-1'] })]));
    expect(environment.problems).toEqual([]);
    expect(['TARGETING_MATCH', 'DEFAULT']).toContain(evaluate(environment, 'f', { targetingKey: 'user-1' }, false).reason);
  });

  it.each([['between'], ['constructor'], ['__proto__'], ['toString'], ['In']])('refuses %s, which the table does not declare', (op) => {
    const flag = aFlag('f')
      .withRule({ variant: 'on' }, { attribute: 'plan', op: op as ClauseOperator, values: [1] } as Clause)
      .build();
    const problems = compileEnvironment(anEnvironment([flag])).problems;
    expect(problems.map((problem) => problem.message)).toEqual([expect.stringContaining(`unknown operator ${op}`)]);
  });
});

describe('the JSON export for other languages', () => {
  it('is up to date with the table (regenerate: node scripts/build.mjs && node sdk/test-vectors/generate.mjs)', () => {
    const { description, ...written } = JSON.parse(readFileSync(join(vectors, 'tables/operators.json'), 'utf8')) as Record<string, unknown>;
    expect(description).toEqual(expect.any(String));
    expect(written).toEqual(operatorTableDocument());
  });

  it('has shared vectors that use every operator', () => {
    const used = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value !== null && typeof value === 'object') {
        const op = (value as { op?: unknown }).op;
        if (typeof op === 'string') used.add(op);
        Object.values(value).forEach(collect);
      }
    };
    for (const name of readdirSync(vectors).filter((file) => file.endsWith('.json') && file !== 'errors.json')) {
      collect((JSON.parse(readFileSync(join(vectors, name), 'utf8')) as { cases: Array<{ config: unknown }> }).cases.map((c) => c.config));
    }
    expect(CLAUSE_OPERATORS.filter((op) => !used.has(op))).toEqual([]);
  });
});
