import { describe, expect, it } from 'vitest';
import { aFlag, anEnvironment, aSegment, clause, inSegments } from '../../test/builders.js';
import { compileEnvironment } from './compile.js';
import { evaluate } from './evaluate.js';
import type { Clause, EvaluationContext, Segment } from './types.js';

/** Whether a rule with this one clause matches the context, observed through `evaluate`. */
function ruleMatches(ruleClause: Clause, context: EvaluationContext, segments: Segment[] = []): boolean {
  const flag = aFlag('f')
    .withRule({ variant: 'on' }, ruleClause)
    .with({ defaultRule: { variant: 'off' } })
    .build();
  const environment = compileEnvironment(anEnvironment([flag], segments));
  expect(environment.problems).toEqual([]);
  const result = evaluate(environment, 'f', context, false);
  expect(['TARGETING_MATCH', 'DEFAULT']).toContain(result.reason);
  return result.reason === 'TARGETING_MATCH';
}

type Case = [description: string, clause: Clause, context: EvaluationContext, matches: boolean];

const ctx = (attributes: Record<string, unknown>): EvaluationContext => ({ targetingKey: 'user-1', ...attributes });

const CASES: Case[] = [
  // in / notIn
  ['in matches an equal string', clause('plan', 'in', ['free', 'pro']), ctx({ plan: 'pro' }), true],
  ['in does not match another string', clause('plan', 'in', ['free', 'pro']), ctx({ plan: 'enterprise' }), false],
  ['in compares types strictly (number vs numeric string)', clause('age', 'in', ['42']), ctx({ age: 42 }), false],
  ['in matches an equal number', clause('age', 'in', [42]), ctx({ age: 42 }), true],
  ['in matches an equal boolean', clause('beta', 'in', [true]), ctx({ beta: true }), true],
  ['in is case-sensitive', clause('plan', 'in', ['Pro']), ctx({ plan: 'pro' }), false],
  ['in matches when any array element is a value', clause('groups', 'in', ['admins']), ctx({ groups: ['users', 'admins'] }), true],
  ['in does not match an empty array', clause('groups', 'in', ['admins']), ctx({ groups: [] }), false],
  ['in does not match an object attribute', clause('plan', 'in', ['pro']), ctx({ plan: { name: 'pro' } }), false],
  ['in reads targetingKey as an attribute', clause('targetingKey', 'in', ['user-1']), ctx({}), true],
  ['notIn matches a value equal to none of the values', clause('plan', 'notIn', ['free']), ctx({ plan: 'pro' }), true],
  ['notIn does not match a listed value', clause('plan', 'notIn', ['free', 'pro']), ctx({ plan: 'pro' }), false],
  ['notIn does not match an array containing a listed value', clause('groups', 'notIn', ['admins']), ctx({ groups: ['users', 'admins'] }), false],
  ['notIn matches an array containing no listed value', clause('groups', 'notIn', ['admins']), ctx({ groups: ['users'] }), true],
  ['notIn is false for a missing attribute', clause('plan', 'notIn', ['free']), ctx({}), false],
  // strings
  ['contains matches a substring', clause('email', 'contains', ['@example']), ctx({ email: 'a@example.com' }), true],
  ['contains does not match when absent', clause('email', 'contains', ['@corp']), ctx({ email: 'a@example.com' }), false],
  ['contains ignores non-string attributes', clause('id', 'contains', ['12']), ctx({ id: 123 }), false],
  ['startsWith matches a prefix', clause('region', 'startsWith', ['eu-']), ctx({ region: 'eu-west-1' }), true],
  ['startsWith does not match a suffix', clause('region', 'startsWith', ['west-1']), ctx({ region: 'eu-west-1' }), false],
  ['endsWith matches a suffix', clause('email', 'endsWith', ['.org', '.com']), ctx({ email: 'a@example.com' }), true],
  ['endsWith does not match a prefix', clause('email', 'endsWith', ['a@']), ctx({ email: 'a@example.com' }), false],
  ['matches tests a regular expression', clause('email', 'matches', ['^[a-z]+@example\\.com$']), ctx({ email: 'ann@example.com' }), true],
  ['matches is unanchored unless the pattern anchors', clause('email', 'matches', ['example']), ctx({ email: 'ann@example.com' }), true],
  ['matches does not match a non-matching string', clause('email', 'matches', ['^b']), ctx({ email: 'ann@example.com' }), false],
  ['matches treats an invalid pattern as no match', clause('email', 'matches', ['(unclosed']), ctx({ email: '(unclosed' }), false],
  ['matches still uses valid patterns beside an invalid one', clause('email', 'matches', ['[', 'ann']), ctx({ email: 'ann@x' }), true],
  ['matches ignores non-string attributes', clause('n', 'matches', ['1']), ctx({ n: 1 }), false],
  // numbers
  ['lt matches a smaller number', clause('age', 'lt', [18]), ctx({ age: 17 }), true],
  ['lt does not match an equal number', clause('age', 'lt', [18]), ctx({ age: 18 }), false],
  ['lt matches when below any value', clause('age', 'lt', [10, 20]), ctx({ age: 15 }), true],
  ['lt does not coerce numeric strings', clause('age', 'lt', [18]), ctx({ age: '17' }), false],
  ['lt ignores numeric-string clause values', clause('age', 'lt', ['18']), ctx({ age: 17 }), false],
  ['lte matches an equal number', clause('age', 'lte', [18]), ctx({ age: 18 }), true],
  ['lte does not match a larger number', clause('age', 'lte', [18]), ctx({ age: 19 }), false],
  ['gt matches a larger number', clause('score', 'gt', [0.5]), ctx({ score: 0.51 }), true],
  ['gt does not match an equal number', clause('score', 'gt', [0.5]), ctx({ score: 0.5 }), false],
  ['gt matches when above any value', clause('score', 'gt', [10, 1]), ctx({ score: 5 }), true],
  ['gte matches an equal number', clause('score', 'gte', [0.5]), ctx({ score: 0.5 }), true],
  ['gte does not match a smaller number', clause('score', 'gte', [0.5]), ctx({ score: 0.49 }), false],
  ['gt never matches NaN', clause('score', 'gt', [0]), ctx({ score: Number.NaN }), false],
  // semver
  ['semverEq matches an equal version', clause('version', 'semverEq', ['1.2.3']), ctx({ version: '1.2.3' }), true],
  ['semverEq reads 1.2 as 1.2.0', clause('version', 'semverEq', ['1.2.0']), ctx({ version: '1.2' }), true],
  ['semverEq ignores build metadata', clause('version', 'semverEq', ['1.2.3']), ctx({ version: '1.2.3+build.7' }), true],
  ['semverEq does not match a pre-release of the version', clause('version', 'semverEq', ['1.2.3']), ctx({ version: '1.2.3-rc.1' }), false],
  ['semverLt matches an older version', clause('version', 'semverLt', ['2.0.0']), ctx({ version: '1.9.9' }), true],
  ['semverLt ranks a pre-release below its release', clause('version', 'semverLt', ['2.0.0']), ctx({ version: '2.0.0-beta' }), true],
  ['semverLt compares numeric pre-release identifiers numerically', clause('version', 'semverLt', ['1.0.0-beta.11']), ctx({ version: '1.0.0-beta.2' }), true],
  ['semverLt does not match an equal version', clause('version', 'semverLt', ['2.0.0']), ctx({ version: '2.0.0' }), false],
  ['semverGt matches a newer version', clause('version', 'semverGt', ['1.2.3']), ctx({ version: '1.10.0' }), true],
  ['semverGt does not match an older version', clause('version', 'semverGt', ['1.2.3']), ctx({ version: '1.2.2' }), false],
  ['semver operators do not match an invalid attribute', clause('version', 'semverGt', ['1.0.0']), ctx({ version: 'v2.0.0' }), false],
  ['semver operators ignore invalid clause values', clause('version', 'semverEq', ['latest']), ctx({ version: '1.0.0' }), false],
  // dates
  ['before matches an earlier ISO date', clause('signup', 'before', ['2024-01-01T00:00:00Z']), ctx({ signup: '2023-12-31T23:59:59Z' }), true],
  ['before does not match the same instant', clause('signup', 'before', ['2024-01-01T00:00:00Z']), ctx({ signup: '2024-01-01' }), false],
  ['before compares epoch milliseconds with ISO dates', clause('signup', 'before', ['2024-01-01T00:00:00Z']), ctx({ signup: 1_700_000_000_000 }), true],
  ['before honours zone offsets', clause('signup', 'before', ['2024-01-01T00:00:00Z']), ctx({ signup: '2024-01-01T00:30:00+01:00' }), true],
  ['after matches a later date', clause('signup', 'after', [1_700_000_000_000]), ctx({ signup: '2024-01-01' }), true],
  ['after does not match an earlier date', clause('signup', 'after', ['2024-01-01']), ctx({ signup: '2023-06-01' }), false],
  ['after does not match an unparseable date', clause('signup', 'after', ['2024-01-01']), ctx({ signup: 'tomorrow' }), false],
  // exists
  ['exists matches a present attribute', clause('plan', 'exists', []), ctx({ plan: 'free' }), true],
  ['exists matches falsy values', clause('plan', 'exists', []), ctx({ plan: '' }), true],
  ['exists does not match null', clause('plan', 'exists', []), ctx({ plan: null }), false],
  ['exists does not match a missing attribute', clause('plan', 'exists', []), ctx({}), false],
  // missing attributes and negation
  ['every operator fails on a missing attribute', clause('plan', 'in', ['free']), ctx({}), false],
  ['a negated operator matches a missing attribute', clause('plan', 'in', ['free'], true), ctx({}), true],
  ['a negated exists matches a missing attribute', clause('plan', 'exists', [], true), ctx({}), true],
  ['a negated exists does not match a present attribute', clause('plan', 'exists', [], true), ctx({ plan: 'x' }), false],
  ['negate inverts a match', clause('plan', 'in', ['free'], true), ctx({ plan: 'free' }), false],
  ['negate inverts a non-match', clause('plan', 'in', ['free'], true), ctx({ plan: 'pro' }), true],
  ['inherited object properties are not attributes', clause('constructor', 'exists', []), ctx({}), false],
  ['an own attribute named like an inherited property is read', clause('constructor', 'in', ['x']), ctx({ constructor: 'x' }), true],
];

describe('attribute clauses', () => {
  it.each(CASES)('%s', (_description, ruleClause, context, expected) => {
    expect(ruleMatches(ruleClause, context)).toBe(expected);
  });
});

describe('segment clauses', () => {
  const segments = [
    aSegment('beta', { included: ['user-in'], excluded: ['user-out', 'user-in'], rules: [{ clauses: [clause('plan', 'in', ['pro'])] }] }),
    aSegment('staff', { rules: [{ clauses: [clause('email', 'endsWith', ['@corp.com']), clause('verified', 'in', [true])] }] }),
  ];

  it.each<[string, Clause, EvaluationContext, boolean]>([
    ['matches a key in the included list', inSegments('beta'), { targetingKey: 'user-in' }, true],
    ['gives the included list precedence over the excluded list', inSegments('beta'), { targetingKey: 'user-in', plan: 'free' }, true],
    ['does not match a key in the excluded list even when a rule matches', inSegments('beta'), { targetingKey: 'user-out', plan: 'pro' }, false],
    ['matches a context that satisfies a segment rule', inSegments('beta'), { targetingKey: 'user-2', plan: 'pro' }, true],
    ['does not match a context outside lists and rules', inSegments('beta'), { targetingKey: 'user-2', plan: 'free' }, false],
    ['ANDs the clauses of a segment rule', inSegments('staff'), { targetingKey: 'u', email: 'a@corp.com', verified: false }, false],
    ['matches when all clauses of a segment rule match', inSegments('staff'), { targetingKey: 'u', email: 'a@corp.com', verified: true }, true],
    ['matches membership in any named segment', inSegments('beta', 'staff'), { targetingKey: 'u', email: 'a@corp.com', verified: true }, true],
    ['treats an unknown segment as having no members', inSegments('nope'), { targetingKey: 'user-in' }, false],
    ['negated matches a context in none of the segments', { ...inSegments('beta'), negate: true }, { targetingKey: 'user-2' }, true],
    ['uses segment rules for contexts without a targetingKey', inSegments('beta'), { plan: 'pro' }, true],
  ])('%s', (_description, ruleClause, context, expected) => {
    expect(ruleMatches(ruleClause, context, segments)).toBe(expected);
  });
});
