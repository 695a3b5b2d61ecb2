import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aFlag, anEnvironment, aSegment, clause, inSegments, split } from '../../test/builders.js';
import { affectedFlagKeys } from './affected.js';
import { compileEnvironment, recompileEnvironment, type CompiledEnvironment } from './compile.js';
import { evaluate } from './evaluate.js';
import { explain } from './explain.js';
import type { EnvironmentConfig, EvaluationContext, FlagConfig, Segment } from './types.js';

const FLAG_KEYS = ['a', 'b', 'c', 'd', 'e'] as const;
const SEGMENT_KEYS = ['s1', 's2'] as const;

/** Ways a flag can look, each a function of its key; several refer to other flags and segments, some are broken. */
const FLAG_SHAPES: Array<(key: string) => FlagConfig> = [
  (key) => aFlag(key).build(),
  (key) => aFlag(key).with({ on: false }).build(),
  (key) => aFlag(key).with({ killed: true }).build(),
  (key) => aFlag(key).withRule({ variant: 'off' }, inSegments('s1')).build(),
  (key) =>
    aFlag(key)
      .withRule({ variant: 'off' }, inSegments('s2'), clause('plan', 'in', ['pro']))
      .build(),
  (key) => aFlag(key).withPrerequisite('a', 'on').build(),
  (key) => aFlag(key).withPrerequisite('b', 'on').withTarget('off', 'u1').build(),
  (key) => aFlag(key).withPrerequisite('c', 'off').withPrerequisite('d', 'on').build(),
  (key) =>
    aFlag(key)
      .withPrerequisite('e', 'on')
      .withRule(split({ on: 30_000, off: 70_000 }), clause('age', 'gte', [18]))
      .build(),
  (key) =>
    aFlag(key)
      .with({ defaultRule: split({ on: 50_000, off: 50_000 }) })
      .build(),
  (key) =>
    aFlag(key)
      .withRule({ variant: 'missing' }, clause('plan', 'in', ['free']))
      .build(),
  (key) => ({ ...aFlag(key).build(), variants: 'broken' as unknown as FlagConfig['variants'] }),
  (key) => aFlag(key).withKind('string', { on: 'v2', off: 'v1' }).withRule({ variant: 'on' }, inSegments('s1', 's2')).build(),
];

const SEGMENT_SHAPES: Array<(key: string) => Segment> = [
  (key) => aSegment(key, { included: ['u1'] }),
  (key) => aSegment(key, { excluded: ['u2'], rules: [{ clauses: [clause('plan', 'in', ['pro'])] }] }),
  (key) => aSegment(key, { rules: [{ clauses: [clause('age', 'lt', [30])] }] }),
  (key) => ({ ...aSegment(key), rules: 'broken' as unknown as Segment['rules'] }),
];

/** An environment state: which shape each present flag and segment has (absent ones are deleted). */
interface State {
  flags: Array<number | null>;
  segments: Array<number | null>;
}

const states = fc.record({
  flags: fc.array(fc.option(fc.nat(FLAG_SHAPES.length - 1), { nil: null }), { minLength: FLAG_KEYS.length, maxLength: FLAG_KEYS.length }),
  segments: fc.array(fc.option(fc.nat(SEGMENT_SHAPES.length - 1), { nil: null }), { minLength: SEGMENT_KEYS.length, maxLength: SEGMENT_KEYS.length }),
});

function configOf(state: State, sequence: number): EnvironmentConfig {
  const flags = FLAG_KEYS.flatMap((key, i) => (state.flags[i] === null ? [] : [FLAG_SHAPES[state.flags[i]!]!(key)]));
  const segments = SEGMENT_KEYS.flatMap((key, i) => (state.segments[i] === null ? [] : [SEGMENT_SHAPES[state.segments[i]!]!(key)]));
  return { ...anEnvironment(flags, segments), sequence };
}

function changedBetween(before: State, after: State): { flags: Set<string>; segments: Set<string> } {
  return {
    flags: new Set(FLAG_KEYS.filter((_, i) => before.flags[i] !== after.flags[i])),
    segments: new Set(SEGMENT_KEYS.filter((_, i) => before.segments[i] !== after.segments[i])),
  };
}

const CONTEXTS: EvaluationContext[] = [
  { targetingKey: 'u1' },
  { targetingKey: 'u2', plan: 'pro', age: 20 },
  { targetingKey: 'u3', plan: 'free', age: 40 },
  { plan: 'pro' },
];

/** Everything an evaluation or an explanation can observe must be the same. */
function expectSameBehaviour(actual: CompiledEnvironment, expected: CompiledEnvironment): void {
  expect(actual.sequence).toBe(expected.sequence);
  expect([...actual.flags.keys()]).toEqual([...expected.flags.keys()]);
  expect([...actual.segments.keys()]).toEqual([...expected.segments.keys()]);
  expect([...actual.brokenSegments]).toEqual([...expected.brokenSegments]);
  expect(actual.problems).toEqual(expected.problems);
  for (const key of [...FLAG_KEYS, 'missing']) {
    for (const context of CONTEXTS) {
      expect(evaluate(actual, key, context, null)).toEqual(evaluate(expected, key, context, null));
      expect(explain(actual, key, context, null)).toEqual(explain(expected, key, context, null));
    }
  }
}

/**
 * Reads the flags of `lazy` in `order` (compiling them then, with what they need) and expects each
 * to behave as in `eager`, compiled at once; then everything else.
 */
function expectSameBehaviourReadInOrder(lazy: CompiledEnvironment, eager: CompiledEnvironment, order: readonly string[]): void {
  void eager.problems; // reading them compiles every flag
  for (const key of order) {
    const context = CONTEXTS[key.charCodeAt(0) % CONTEXTS.length];
    expect(explain(lazy, key, context, null)).toEqual(explain(eager, key, context, null));
  }
  expectSameBehaviour(lazy, eager);
}

const reads = fc.array(fc.constantFrom(...FLAG_KEYS, 'missing'), { maxLength: 6 });

describe('lazy compilation', () => {
  it('behaves like a full compile, whatever is read first and whatever was read before a change', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ state: states, before: reads, old: reads }), { minLength: 1, maxLength: 5 }), reads, (steps, order) => {
        let config = configOf(steps[0]!.state, 1);
        let environment = compileEnvironment(config);
        for (let i = 1; i < steps.length; i++) {
          // Some flags compiled before the change, some not: the next environment shares both kinds.
          for (const key of steps[i]!.before) evaluate(environment, key, CONTEXTS[0], null);
          const previous = environment;
          const previousConfig = config;
          config = configOf(steps[i]!.state, i + 1);
          const changed = changedBetween(steps[i - 1]!.state, steps[i]!.state);
          environment = recompileEnvironment(previous, config, changed.flags, changed.segments).environment;
          // A run pinned to the old environment reads flags after the change: they compile for it, as they were.
          expectSameBehaviourReadInOrder(previous, compileEnvironment(previousConfig), steps[i]!.old);
        }
        expectSameBehaviourReadInOrder(environment, compileEnvironment(config), order);
      }),
      { numRuns: 300 },
    );
  });

  it('compiles a flag with its prerequisites and segments when first read, and reports their problems then', () => {
    const reported: string[][] = [];
    const config = anEnvironment(
      [
        aFlag('plain').build(),
        aFlag('child').withPrerequisite('parent', 'on').build(),
        aFlag('parent')
          .withRule({ variant: 'ghost' }, clause('plan', 'in', ['pro']))
          .build(),
        aFlag('segmented').withRule({ variant: 'off' }, inSegments('unreadable')).build(),
        aFlag('plain').build(),
      ],
      [{ ...aSegment('unreadable'), included: 'nope' as unknown as string[] }],
    );
    const environment = compileEnvironment(config, { onProblems: (problems) => reported.push(problems.map((p) => p.flagKey ?? p.segmentKey ?? '?')) });
    // The config's shape is known at once: the second "plain" is a duplicate.
    expect(reported).toEqual([['plain']]);
    evaluate(environment, 'plain', {}, null);
    evaluate(environment, 'plain', {}, null);
    expect(reported).toEqual([['plain']]);
    expect(evaluate(environment, 'child', { plan: 'pro' }, null).reason).toBe('PREREQUISITE_FAILED');
    expect(reported).toEqual([['plain'], ['parent']]);
    expect(evaluate(environment, 'segmented', {}, null).errorCode).toBe('PARSE_ERROR');
    expect(reported).toEqual([['plain'], ['parent'], ['unreadable'], ['segmented']]);
    // Everything, in config order, as a full compile lists it; nothing is reported twice.
    expect(environment.problems.map((p) => p.flagKey ?? p.segmentKey)).toEqual(['unreadable', 'parent', 'segmented', 'plain']);
    expect(reported).toHaveLength(4);
  });
});

describe('recompileEnvironment', () => {
  it('behaves exactly like a full compile, step after step, whatever changes', () => {
    fc.assert(
      fc.property(fc.array(states, { minLength: 2, maxLength: 6 }), (steps) => {
        let environment = compileEnvironment(configOf(steps[0]!, 1));
        for (let i = 1; i < steps.length; i++) {
          const config = configOf(steps[i]!, i + 1);
          const changed = changedBetween(steps[i - 1]!, steps[i]!);
          const { environment: next, affectedKeys } = recompileEnvironment(environment, config, changed.flags, changed.segments);
          expectSameBehaviour(next, compileEnvironment(config));
          const sources = new Map(config.flags.map((flag) => [flag.key, flag]));
          expect(affectedKeys).toEqual(affectedFlagKeys(sources, changed.flags, changed.segments));
          environment = next;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('compiles only the affected flags and reuses the others as they are', () => {
    const before = anEnvironment(
      [
        aFlag('root').build(),
        aFlag('child').withPrerequisite('root', 'on').build(),
        aFlag('segmented').withRule({ variant: 'off' }, inSegments('s')).build(),
        aFlag('other').build(),
      ],
      [aSegment('s', { included: ['u1'] })],
    );
    const first = compileEnvironment(before);
    const after = { ...before, sequence: 2, flags: [{ ...before.flags[0]!, on: false }, ...before.flags.slice(1)] };
    const { environment, affectedKeys } = recompileEnvironment(first, after, new Set(['root']), new Set());
    expect(affectedKeys).toEqual(['root', 'child']);
    expect(environment.flags.get('other')).toBe(first.flags.get('other'));
    expect(environment.flags.get('segmented')).toBe(first.flags.get('segmented'));
    expect(environment.flags.get('child')).not.toBe(first.flags.get('child'));
    expect(environment.flags.get('child')!.prerequisites[0]!.flag).toBe(environment.flags.get('root'));
    expect(evaluate(environment, 'child', { targetingKey: 'x' }, null).reason).toBe('PREREQUISITE_FAILED');
    // The previous environment is untouched: a run pinned to it still sees the old config.
    expect(evaluate(first, 'child', { targetingKey: 'x' }, null).reason).toBe('STATIC');
  });

  it('recompiles the flags on a changed segment', () => {
    const before = anEnvironment(
      [aFlag('segmented').withRule({ variant: 'off' }, inSegments('s')).build(), aFlag('other').build()],
      [aSegment('s', { included: ['u1'] })],
    );
    const first = compileEnvironment(before);
    const after = { ...before, segments: [aSegment('s', { included: ['u2'] })] };
    const { environment, affectedKeys } = recompileEnvironment(first, after, new Set(), new Set(['s']));
    expect(affectedKeys).toEqual(['segmented']);
    expect(evaluate(environment, 'segmented', { targetingKey: 'u2' }, null).value).toBe(false);
    expect(evaluate(environment, 'segmented', { targetingKey: 'u1' }, null).value).toBe(true);
    expect(environment.flags.get('other')).toBe(first.flags.get('other'));
  });

  it('compiles from scratch when the config is not well-formed, and reports what a full compile reports', () => {
    const first = compileEnvironment(anEnvironment([aFlag('a').build()]));
    const duplicate = anEnvironment([aFlag('a').build(), aFlag('a').with({ on: false }).build()]);
    const { environment } = recompileEnvironment(first, duplicate, new Set(['a']), new Set());
    expectSameBehaviourFor(environment, compileEnvironment(duplicate));
    const notAList = { sequence: 3, flags: 'nope', segments: [] } as unknown as EnvironmentConfig;
    const broken = recompileEnvironment(first, notAList, new Set(['a']), new Set());
    expect(broken.environment.problems).toEqual(compileEnvironment(notAList).problems);
    expect(broken.affectedKeys).toEqual(['a']);
    // And from an environment that had such problems, back to a good config.
    const recovered = recompileEnvironment(broken.environment, anEnvironment([aFlag('a').build()]), new Set(['a']), new Set());
    expect(evaluate(recovered.environment, 'a', {}, null).value).toBe(true);
  });
});

function expectSameBehaviourFor(actual: CompiledEnvironment, expected: CompiledEnvironment): void {
  expect(actual.problems).toEqual(expected.problems);
  expect([...actual.flags.keys()]).toEqual([...expected.flags.keys()]);
  expect(evaluate(actual, 'a', { targetingKey: 'x' }, null)).toEqual(evaluate(expected, 'a', { targetingKey: 'x' }, null));
}
