import { ATTRIBUTE_OPERATORS, type AttributeOperator, type ClauseValue, OPERATOR_TABLE, type OperandKind } from '@signalbox/sdk/core';
import { describe, expect, it } from 'vitest';
import { formatClauseValues, parseClauseValues, valuesPlaceholder } from './clauseValues';

describe('parseClauseValues', () => {
  it.each<[op: AttributeOperator, text: string, values: unknown[]]>([
    ['in', 'pro, 42, true', ['pro', '42', 'true']],
    ['startsWith', 'eu-, us-', ['eu-', 'us-']],
    ['gte', '1000, -0.5, 1e3', [1000, -0.5, 1000]],
    // Not a number: kept as typed, for the server (or the console's checks) to refuse by name.
    ['lt', 'many, Infinity', ['many', 'Infinity']],
    ['semverGt', '1.4.0, 2', ['1.4.0', '2']],
    ['before', '2026-01-31, 1767225600000', ['2026-01-31', 1767225600000]],
    ['matches', '^a,b$\n  \n(x|y)  ', ['^a,b$', '(x|y)']],
    ['exists', 'anything', []],
  ])('reads %s values %j as %j', (op, text, values) => {
    expect(parseClauseValues(text, op)).toEqual(values);
  });

  it('gives back what formatClauseValues wrote, for every operator', () => {
    const samples: Record<OperandKind, ClauseValue[]> = {
      scalar: ['pro', 'team'],
      string: ['eu-', 'us-'],
      regex: ['a,b', '^c$'],
      number: [1, 2.5],
      semver: ['1.4.0', '2.0.0-rc.1'],
      date: ['2026-01-31', 0],
      none: [],
      segmentKey: [],
    };
    for (const op of ATTRIBUTE_OPERATORS) {
      const values = samples[OPERATOR_TABLE[op].operand];
      expect(parseClauseValues(formatClauseValues(values, op), op), op).toEqual(values);
    }
  });
});

describe('valuesPlaceholder', () => {
  it('says what kind of value each operator takes', () => {
    expect(valuesPlaceholder('gt')).toBe('comma-separated numbers, e.g. 1000');
    expect(valuesPlaceholder('semverEq')).toBe('comma-separated semantic versions, e.g. 1.4.0');
    expect(valuesPlaceholder('matches')).toBe('regular expressions, one per line');
  });
});
