import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aFlag, anEnvironment, aSegment, clause, inSegments, split } from '../../test/builders.js';
import { compileEnvironment } from './compile.js';
import { evaluate, evaluateAll } from './evaluate.js';
import { explain } from './explain.js';
import type { EnvironmentConfig, EvaluationContext, EvaluationResult, FlagKind } from './types.js';

const REASONS = ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'ERROR', 'KILLED', 'PREREQUISITE_FAILED'];

/** A realistic config whose parts get replaced by garbage below. */
function realisticConfig(): EnvironmentConfig {
  return anEnvironment(
    [
      aFlag('f')
        .withPrerequisite('p', 'on')
        .withTarget('off', 'u1')
        .withRule({ variant: 'off' }, clause('plan', 'in', ['pro']), inSegments('s'))
        .withRule(split({ on: 40_000, off: 60_000 }, 'runId'), clause('version', 'semverGt', ['1.0.0']))
        .with({ defaultRule: split({ on: 50_000, off: 50_000 }) })
        .build(),
      aFlag('p')
        .withRule({ variant: 'on' }, clause('email', 'matches', ['@x$']))
        .build(),
    ],
    [aSegment('s', { included: ['u2'], rules: [{ clauses: [clause('age', 'gte', [18])] }] })],
  );
}

/** Replaces the value at a random path of a JSON-like tree with garbage. */
function corrupt(tree: unknown, path: number[], garbage: unknown): unknown {
  if (path.length === 0 || typeof tree !== 'object' || tree === null) return garbage;
  const keys = Object.keys(tree);
  if (keys.length === 0) return garbage;
  const key = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(tree) ? ([...tree] as unknown as Record<string, unknown>) : { ...tree };
  copy[key] = corrupt((tree as Record<string, unknown>)[key], path.slice(1), garbage);
  return copy;
}

function isWellFormed(result: EvaluationResult): boolean {
  return typeof result === 'object' && REASONS.includes(result.reason) && (result.reason !== 'ERROR' || typeof result.errorCode === 'string');
}

const contexts = fc.oneof(
  fc.anything(),
  fc.dictionary(fc.constantFrom('targetingKey', 'plan', 'runId', 'version', 'email', 'age', 'constructor', '__proto__'), fc.anything()),
);
const kinds = fc.option(fc.constantFrom<FlagKind>('boolean', 'string', 'number', 'json'), { nil: undefined });

function exerciseEverything(config: unknown, context: unknown, kind: FlagKind | undefined): void {
  const environment = compileEnvironment(config as EnvironmentConfig);
  for (const key of ['f', 'p', 'missing']) {
    expect(isWellFormed(evaluate(environment, key, context as EvaluationContext, null, kind))).toBe(true);
    expect(isWellFormed(explain(environment, key, context as EvaluationContext, null, kind).result)).toBe(true);
  }
  for (const result of Object.values(evaluateAll(environment, context as EvaluationContext))) expect(isWellFormed(result)).toBe(true);
}

describe('robustness', () => {
  it('never throws on arbitrary garbage configs and contexts', () => {
    fc.assert(fc.property(fc.anything(), contexts, kinds, exerciseEverything), { numRuns: 300 });
  });

  it('never throws when any part of a realistic config is garbage', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.anything(), contexts, kinds, (path, garbage, context, kind) => {
        exerciseEverything(corrupt(realisticConfig(), path, garbage), context, kind);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same result for the same input', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), fc.jsonValue(), contexts, (path, garbage, context) => {
        const config = corrupt(realisticConfig(), path, garbage) as EnvironmentConfig;
        const first = compileEnvironment(config);
        const second = compileEnvironment(structuredClone(config));
        expect(evaluate(second, 'f', context as EvaluationContext, null)).toEqual(evaluate(first, 'f', context as EvaluationContext, null));
      }),
      { numRuns: 300 },
    );
  });

  it('does not modify the config it compiles', () => {
    const config = realisticConfig();
    const copy = structuredClone(config);
    const environment = compileEnvironment(config);
    evaluate(environment, 'f', { targetingKey: 'u3', plan: 'pro' }, null);
    expect(config).toEqual(copy);
    expect(Object.isFrozen(environment)).toBe(true);
  });

  it('lists the problems of a config it could only partly read', () => {
    const environment = compileEnvironment({
      sequence: 3,
      flags: [aFlag('ok').build(), aFlag('bad').withRule({ variant: 'ghost' }).build(), { key: 'worse' } as never, aFlag('ok').build()],
      segments: [{ key: 'broken', included: 'nope' } as never],
    });
    expect(environment.sequence).toBe(3);
    expect(environment.flagKeys()).toEqual(['ok', 'bad', 'worse']);
    expect(environment.problems.map((problem) => problem.flagKey ?? problem.segmentKey)).toEqual(['broken', 'bad', 'worse', 'ok']);
  });
});
