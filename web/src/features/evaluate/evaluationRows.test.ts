import { describe, expect, it } from 'vitest';
import type { FlagEvaluation } from '../../api/evaluate';
import { contextFromLink, parseContext } from './contextText';
import { describeRule, filterEvaluations, showValue } from './evaluationRows';

const row = (overrides: Partial<FlagEvaluation>): FlagEvaluation => ({
  flagKey: 'etl.validate',
  kind: 'boolean',
  value: true,
  variant: 'on',
  reason: 'STATIC',
  rule: null,
  version: 1,
  ...overrides,
});

const flags = [
  row({}),
  row({
    flagKey: 'model.sentiment',
    kind: 'string',
    value: 'model-v2',
    variant: 'v2',
    reason: 'TARGETING_MATCH',
    rule: { index: 1, description: 'eu canary' },
  }),
  row({ flagKey: 'ops.gpu', value: null, variant: undefined, reason: 'DISABLED' }),
];

describe('evaluation rows', () => {
  it('describes the deciding rule counting from 1, by description or id', () => {
    expect(describeRule({ index: 1, description: 'eu canary', id: 'r2' })).toBe('rule 2: eu canary');
    expect(describeRule({ index: 0, id: 'r1' })).toBe('rule 1: r1');
    expect(describeRule({ index: 4 })).toBe('rule 5');
    expect(describeRule(null)).toBeNull();
  });

  it("shows values as JSON, and the caller's default where no variant is served", () => {
    expect(flags.map(showValue)).toEqual(['true', '"model-v2"', "caller's default"]);
  });

  it('filters on every word across key, variant, value, reason and rule', () => {
    expect(filterEvaluations(flags, '').map((f) => f.flagKey)).toEqual(['etl.validate', 'model.sentiment', 'ops.gpu']);
    expect(filterEvaluations(flags, 'MODEL').map((f) => f.flagKey)).toEqual(['model.sentiment']);
    expect(filterEvaluations(flags, 'targeting canary').map((f) => f.flagKey)).toEqual(['model.sentiment']);
    expect(filterEvaluations(flags, 'disabled').map((f) => f.flagKey)).toEqual(['ops.gpu']);
    expect(filterEvaluations(flags, 'canary disabled')).toEqual([]);
  });
});

describe('parseContext', () => {
  it('accepts a JSON object and names what is wrong with anything else', () => {
    expect(parseContext('{"targetingKey": "run-1"}')).toEqual({ context: { targetingKey: 'run-1' } });
    expect(parseContext('{"a":').error).toMatch(/^Not valid JSON/);
    for (const text of ['[1]', '"run-1"', 'null', '7']) expect(parseContext(text).error).toBe('The context is a JSON object, e.g. {"targetingKey": "run-42"}');
  });

  it('reads a context from a link only when it parses', () => {
    expect(contextFromLink('{"runId":"r"}')).toEqual({ runId: 'r' });
    expect(contextFromLink('nope')).toBeUndefined();
    expect(contextFromLink(null)).toBeUndefined();
  });
});
