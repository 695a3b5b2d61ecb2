import { describe, expect, it } from 'vitest';
import { aFlag, anEnvironment, aSegment, clause, inSegments, split } from '../../test/builders.js';
import { compileEnvironment } from './compile.js';
import { evaluate } from './evaluate.js';
import { explain } from './explain.js';

const environment = compileEnvironment(
  anEnvironment(
    [
      aFlag('f')
        .withPrerequisite('gate', 'on')
        .withTarget('off', 'vip')
        .withRule({ variant: 'off' }, clause('country', 'in', ['fr']), clause('plan', 'in', ['enterprise']))
        .withRule({ variant: 'off' }, inSegments('beta'))
        .withRule(split({ on: 30_000, off: 70_000 }, 'runId'), clause('plan', 'in', ['pro']))
        .build(),
      aFlag('gate').build(),
      aFlag('killed').with({ killed: true }).build(),
    ],
    [aSegment('beta', { excluded: ['user-1'], rules: [{ clauses: [clause('plan', 'in', ['pro'])] }] })],
  ),
);

describe('explain', () => {
  it('names the deciding rule and, for each earlier rule, the first clause that failed and the value seen', () => {
    const context = { targetingKey: 'user-1', country: 'fr', plan: 'pro', runId: 'run-42' };
    const explanation = explain(environment, 'f', context, false);

    expect(explanation.result).toEqual(evaluate(environment, 'f', context, false));
    expect(explanation.decidedBy).toBe('RULE');
    expect(explanation.ruleIndex).toBe(2);
    expect(explanation.prerequisites).toEqual([{ flag: 'gate', requiredVariant: 'on', passed: true, servedVariant: 'on', servedReason: 'STATIC' }]);
    expect(explanation.targetMatched).toBe(false);
    expect(explanation.rules).toEqual([
      { index: 0, matched: false, failedClause: { index: 1, clause: clause('plan', 'in', ['enterprise']), attributeValue: 'pro' } },
      { index: 1, matched: false, failedClause: { index: 0, clause: inSegments('beta'), segments: [{ segment: 'beta', member: false, by: 'excluded' }] } },
      { index: 2, matched: true },
    ]);
    expect(explanation.rollout).toMatchObject({ bucketBy: 'runId', unit: 'run-42', cumulativeWeights: [30_000, 100_000] });
  });

  it('reports an individual target as the deciding step', () => {
    const explanation = explain(environment, 'f', { targetingKey: 'vip' });
    expect(explanation).toMatchObject({ decidedBy: 'TARGETS', targetMatched: true, rules: [] });
  });

  it('reports a missing attribute by leaving the seen value out', () => {
    const explanation = explain(environment, 'f', { targetingKey: 'user-2' });
    expect(explanation.rules[0]).toEqual({ index: 0, matched: false, failedClause: { index: 0, clause: clause('country', 'in', ['fr']) } });
    expect(explanation.decidedBy).toBe('DEFAULT_RULE');
  });

  it('reports a missing bucketBy value', () => {
    const explanation = explain(environment, 'f', { targetingKey: 'user-1', plan: 'pro' });
    expect(explanation.result.errorCode).toBe('TARGETING_KEY_MISSING');
    expect(explanation.rollout).toEqual({ bucketBy: 'runId', cumulativeWeights: [30_000, 100_000] });
  });

  it('reports the kill switch, unknown flags and type mismatches', () => {
    expect(explain(environment, 'killed', {}).decidedBy).toBe('KILLED');
    expect(explain(environment, 'ghost', {}).result.errorCode).toBe('FLAG_NOT_FOUND');
    expect(explain(environment, 'f', {}, 'x', 'string').decidedBy).toBe('TYPE_MISMATCH');
  });
});
