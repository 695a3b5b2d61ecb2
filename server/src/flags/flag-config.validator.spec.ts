import type { Clause, Rule } from '@signalbox/sdk/core';
import { describe, expect, it } from 'vitest';
import { validationFailed } from '../common/errors/domain-error.js';
import { type ConfigValidationContext, type FlagConfigInput, validateFlagConfig } from './flag-config.validator.js';

const ctx: ConfigValidationContext = {
  flagKey: 'f',
  variants: [
    { key: 'on', value: true },
    { key: 'off', value: false },
  ],
  segmentKeys: new Set(),
  variantsOf: () => undefined,
  prerequisitesOf: () => [],
};

const withRules = (...rules: Rule[]): FlagConfigInput => ({ offVariant: 'off', targets: [], rules, defaultRule: { variant: 'off' }, prerequisites: [] });
const ruleOf = (...clauses: Clause[]): Rule => ({ clauses, serve: { variant: 'on' } });
const matches = (...values: string[]): Clause => ({ attribute: 'email', op: 'matches', values });

/** The 400 message a config with these `matches` values in its first rule's second clause gets. */
const messageFor = (...values: string[]): string | undefined => {
  const problems = validateFlagConfig(withRules(ruleOf({ attribute: 'plan', op: 'in', values: ['pro'] }, matches(...values))), ctx);
  return problems.length === 0 ? undefined : validationFailed(problems).message;
};

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
    ['(a*)*\\1', 'rules[0].clauses[1].values[0]: is not a valid regular expression: backreference \\1 is not supported: only patterns that run in linear time are (at position 5)'],
    ['^(?=.*admin)', 'rules[0].clauses[1].values[0]: is not a valid regular expression: lookahead (?= is not supported: only patterns that run in linear time are (at position 1)'],
    ['(?<=@)corp', 'rules[0].clauses[1].values[0]: is not a valid regular expression: lookbehind (?<= is not supported: only patterns that run in linear time are (at position 0)'],
    ['(unclosed', 'rules[0].clauses[1].values[0]: is not a valid regular expression: missing ) for this group (at position 0)'],
    ['a{1001}', 'rules[0].clauses[1].values[0]: is not a valid regular expression: repetition counts may be at most 1000 (at position 1)'],
    ['(a{100}){100}', 'rules[0].clauses[1].values[0]: is not a valid regular expression: the pattern is too large: counted repetitions such as {n,m} expand it to more than 1000 instructions (at position 0)'],
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
