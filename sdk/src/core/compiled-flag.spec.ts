import { describe, expect, it } from 'vitest';
import { aFlag, anEnvironment, aSegment, clause, inSegments, split } from '../../test/builders.js';
import { compileEnvironment, recompileEnvironment, type ConfigProblem } from './compile.js';
import { evaluate } from './evaluate.js';
import type { Clause, FlagConfig, Segment } from './types.js';

/** Compiles `flags` and `segments`, recording what the listener is told, as flag or segment keys with the message. */
function compiled(flags: FlagConfig[], segments: Segment[] = []) {
  const reported: string[] = [];
  const where = (problem: ConfigProblem) => `${problem.flagKey ?? problem.segmentKey}: ${problem.message}`;
  const environment = compileEnvironment(anEnvironment(flags, segments), { onProblems: (problems) => reported.push(...problems.map(where)) });
  return { environment, reported };
}

const unknownOperator = { attribute: 'plan', op: 'like', values: ['pro'] } as unknown as Clause;

describe('lazily compiled parts of a flag', () => {
  it('serves the error of a rule that cannot be read once evaluation reaches it, and reports it then', () => {
    const flag = aFlag('f')
      .withRule({ variant: 'off' }, clause('plan', 'in', ['pro']))
      .withRule({ variant: 'off' }, unknownOperator)
      .build();
    const { environment, reported } = compiled([flag]);
    expect(evaluate(environment, 'f', { plan: 'pro' }, null)).toEqual({ value: false, variant: 'off', reason: 'TARGETING_MATCH', ruleIndex: 0 });
    expect(reported).toEqual([]);
    const failed = evaluate(environment, 'f', { plan: 'free' }, true);
    expect(failed).toEqual({ value: true, reason: 'ERROR', errorCode: 'PARSE_ERROR', errorMessage: 'rule 1: unknown operator like' });
    expect(reported).toEqual(['f: rule 1: unknown operator like']);
    // Compiled once: reached again, nothing new is reported.
    expect(evaluate(environment, 'f', { plan: 'free' }, false).errorCode).toBe('PARSE_ERROR');
    expect(reported).toHaveLength(1);
    expect(environment.problems).toEqual([{ flagKey: 'f', message: 'rule 1: unknown operator like' }]);
  });

  it('lists the problems of rules no evaluation reached, and never throws for them', () => {
    const flag = aFlag('f')
      .withRule({ variant: 'on' }, clause('plan', 'in', ['pro']))
      .withRule({ variant: 'ghost' }, clause('plan', 'in', ['free']))
      .build();
    const { environment, reported } = compiled([flag]);
    expect(evaluate(environment, 'f', { plan: 'pro' }, null).value).toBe(true);
    expect(environment.problems).toEqual([{ flagKey: 'f', message: 'unknown variant "ghost"' }]);
    // Listing the problems compiled the rule, and told the listener.
    expect(reported).toEqual(['f: unknown variant "ghost"']);
    expect(evaluate(environment, 'f', { plan: 'free' }, null)).toMatchObject({ value: null, reason: 'ERROR', errorCode: 'GENERAL' });
  });

  it("resolves a rule's segments when evaluation first reaches the rule", () => {
    const flag = aFlag('f')
      .withRule({ variant: 'on' }, clause('plan', 'in', ['pro']))
      .withRule({ variant: 'off' }, inSegments('broken'))
      .build();
    const { environment, reported } = compiled([flag], [{ ...aSegment('broken'), included: 'nope' as unknown as string[] }]);
    expect(evaluate(environment, 'f', { plan: 'pro' }, null).value).toBe(true);
    expect(reported).toEqual([]);
    expect(evaluate(environment, 'f', { plan: 'free' }, null)).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect(reported).toEqual([
      'broken: segment included must be a list of strings',
      'f: rule 1: segment "broken" cannot be read: segment included must be a list of strings',
    ]);
  });

  it('serves an error for a default rule or an off variant that cannot be read, once evaluation needs it', () => {
    const badDefault = aFlag('default')
      .withRule({ variant: 'on' }, clause('plan', 'in', ['pro']))
      .with({ defaultRule: split({ on: 10, off: 10 }) })
      .build();
    const badOff = aFlag('off').with({ offVariant: 'ghost' }).build();
    const { environment, reported } = compiled([badDefault, badOff]);
    expect(evaluate(environment, 'default', { plan: 'pro' }, null).value).toBe(true);
    expect(evaluate(environment, 'off', {}, null).value).toBe(true);
    expect(reported).toEqual([]);
    expect(evaluate(environment, 'default', { plan: 'free' }, false)).toEqual({
      value: false,
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
      errorMessage: 'rollout weights must sum to 100000, not 20',
    });
    expect(reported).toEqual(['default: rollout weights must sum to 100000, not 20']);
    const killed = compiled([{ ...badOff, killed: true }]);
    expect(evaluate(killed.environment, 'off', {}, false)).toEqual({
      value: false,
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorMessage: 'unknown off variant "ghost"',
    });
    expect(killed.reported).toEqual(['off: unknown off variant "ghost"']);
  });

  it('lists every problem of a flag in config order, whichever parts evaluation reached first', () => {
    const flag = aFlag('f')
      .with({ offVariant: 'ghost-off', defaultRule: { variant: 'ghost-default' } })
      .withRule({ variant: 'ghost-0' }, clause('plan', 'in', ['a']))
      .withRule({ variant: 'ghost-1' }, clause('plan', 'in', ['b']))
      .withPrerequisite('missing', 'on')
      .build();
    const eager = compiled([flag]).environment.problems;
    const lazy = compiled([flag]).environment;
    // The second rule, then the default rule, then the first: compiled in that order.
    for (const plan of ['b', 'c', 'a']) evaluate(lazy, 'f', { plan }, null);
    expect(lazy.problems).toEqual(eager);
    expect(eager.map((problem) => problem.message)).toEqual([
      'unknown variant "ghost-0"',
      'unknown variant "ghost-1"',
      'unknown variant "ghost-default"',
      'unknown off variant "ghost-off"',
      'unknown off variant "ghost-off"',
      'unknown off variant "ghost-off"',
    ]);
  });

  it('serves the error of a flag that cannot be read as a whole, and of rules that are not a list', () => {
    const { environment, reported } = compiled([
      { ...aFlag('broken').build(), salt: 7 as unknown as string },
      { ...aFlag('rules').build(), rules: 'nope' as unknown as FlagConfig['rules'] },
    ]);
    expect(evaluate(environment, 'broken', {}, 'x')).toEqual({ value: 'x', reason: 'ERROR', errorCode: 'PARSE_ERROR', errorMessage: 'salt must be a string' });
    expect(evaluate(environment, 'rules', {}, 'x')).toEqual({ value: 'x', reason: 'ERROR', errorCode: 'PARSE_ERROR', errorMessage: 'rules must be a list' });
    expect(reported).toEqual(['broken: salt must be a string', 'rules: rules must be a list']);
    expect(environment.problems.map((problem) => problem.flagKey)).toEqual(['broken', 'rules']);
  });
});

describe('lazily compiled parts after a change', () => {
  const segmented = aFlag('f')
    .withRule({ variant: 'on' }, clause('plan', 'in', ['pro']))
    .withRule({ variant: 'off' }, inSegments('s'))
    .build();

  it('compiles a rule not reached before a change from the config of the environment evaluating it', () => {
    const before = anEnvironment([segmented], [aSegment('s', { included: ['u1'] })]);
    const first = compileEnvironment(before);
    // The flag compiles; its segment rule is not reached.
    expect(evaluate(first, 'f', { targetingKey: 'u1', plan: 'pro' }, null).ruleIndex).toBe(0);
    const after = { ...before, sequence: 2, segments: [aSegment('s', { included: ['u2'] })] };
    const { environment, affectedKeys } = recompileEnvironment(first, after, new Set(), new Set(['s']));
    expect(affectedKeys).toEqual(['f']);
    expect(evaluate(environment, 'f', { targetingKey: 'u2' }, null)).toMatchObject({ value: false, ruleIndex: 1 });
    expect(evaluate(environment, 'f', { targetingKey: 'u1' }, null).reason).toBe('DEFAULT');
    // A run pinned to the first environment reaches the rule only now: it sees the segment as it was.
    expect(evaluate(first, 'f', { targetingKey: 'u1' }, null)).toMatchObject({ value: false, ruleIndex: 1 });
    expect(evaluate(first, 'f', { targetingKey: 'u2' }, null).reason).toBe('DEFAULT');
  });

  it('recompiles a changed flag whose rules were compiled: the new rules serve, the old environment keeps the old ones', () => {
    const first = compileEnvironment(anEnvironment([segmented], [aSegment('s')]));
    expect(evaluate(first, 'f', { plan: 'pro' }, null).value).toBe(true);
    const changed = aFlag('f')
      .withRule({ variant: 'off' }, clause('plan', 'in', ['pro']))
      .build();
    const { environment } = recompileEnvironment(first, anEnvironment([changed], [aSegment('s')]), new Set(['f']), new Set());
    expect(environment.flags.get('f')).not.toBe(first.flags.get('f'));
    expect(evaluate(environment, 'f', { plan: 'pro' }, null).value).toBe(false);
    expect(evaluate(first, 'f', { plan: 'pro' }, null).value).toBe(true);
  });

  it('shares an unaffected flag, whose rules not reached yet then resolve their segments in the new environment', () => {
    const other = aFlag('other')
      .withRule({ variant: 'on' }, clause('plan', 'in', ['pro']))
      .withRule({ variant: 'off' }, inSegments('t'))
      .build();
    const segments = [aSegment('s'), aSegment('t', { included: ['u1'] })];
    const first = compileEnvironment(anEnvironment([segmented, other], segments));
    // Both flags compile; neither reaches its segment rule.
    evaluate(first, 'f', { plan: 'pro' }, null);
    evaluate(first, 'other', { plan: 'pro' }, null);
    const sharedBefore = first.flags.get('f')!;
    const after = anEnvironment([segmented, other], [aSegment('s', { included: ['u9'] }), segments[1]!]);
    const { environment } = recompileEnvironment(first, after, new Set(), new Set(['s']));
    // `other` names only the unchanged segment: the environments share it, compiled or not.
    expect(environment.flags.get('other')).toBe(first.flags.get('other'));
    expect(environment.flags.get('f')).not.toBe(sharedBefore);
    expect(evaluate(environment, 'other', { targetingKey: 'u1' }, null)).toMatchObject({ value: false, ruleIndex: 1 });
    expect(evaluate(first, 'other', { targetingKey: 'u1' }, null)).toMatchObject({ value: false, ruleIndex: 1 });
    expect(evaluate(environment, 'f', { targetingKey: 'u9' }, null)).toMatchObject({ value: false, ruleIndex: 1 });
    expect(evaluate(first, 'f', { targetingKey: 'u9' }, null).reason).toBe('DEFAULT');
  });
});
