import { describe, expect, it } from 'vitest';
import type { MetricStats } from '../telemetry/metric-stats.js';
import { checkGuards, DEFAULT_GUARDS, guardRows, stageDue, stageProblems } from './rollout-guards.js';

const stats = (count: number, errors: number, p95: number, mean = p95 / 2): MetricStats => ({
  count,
  rate: 0,
  sum: mean * count,
  mean,
  stddev: 0,
  p50: mean,
  p95,
  p99: p95,
  errors,
  errorRate: count > 0 ? errors / count : null,
});
const M = DEFAULT_GUARDS.errorMetric;

describe('rollout guards', () => {
  it('do not judge before both sides have the minimum samples', () => {
    expect(checkGuards(DEFAULT_GUARDS, { [M]: stats(49, 49, 10) }, { [M]: stats(1000, 0, 10) })).toEqual({ judged: false, failures: [] });
  });

  it('fail a candidate whose error rate exceeds k× control plus the allowance', () => {
    // control 2% → limit 2 × 2% + 0.5% = 4.5%
    expect(checkGuards(DEFAULT_GUARDS, { [M]: stats(1000, 45, 10) }, { [M]: stats(1000, 20, 10) }).failures).toEqual([]);
    expect(checkGuards(DEFAULT_GUARDS, { [M]: stats(1000, 46, 10) }, { [M]: stats(1000, 20, 10) }).failures[0]).toContain('error rate 0.0460');
    // A control without errors still tolerates the allowance.
    expect(checkGuards(DEFAULT_GUARDS, { [M]: stats(1000, 5, 10) }, { [M]: stats(1000, 0, 10) }).failures).toEqual([]);
  });

  it('fail a candidate whose p95 exceeds k× control, ignoring sub-millisecond noise', () => {
    expect(checkGuards(DEFAULT_GUARDS, { [M]: stats(100, 0, 151) }, { [M]: stats(100, 0, 100) }).failures[0]).toContain('p95 151.00');
    expect(checkGuards(DEFAULT_GUARDS, { [M]: stats(100, 0, 150) }, { [M]: stats(100, 0, 100) }).failures).toEqual([]);
    expect(checkGuards(DEFAULT_GUARDS, { [M]: stats(100, 0, 0.09) }, { [M]: stats(100, 0, 0.03) }).failures).toEqual([]);
  });

  it('check bounds on any tracked metric', () => {
    const guards = { ...DEFAULT_GUARDS, bounds: [{ metric: 'accuracy', stat: 'mean' as const, min: 0.8 }] };
    expect(checkGuards(guards, { [M]: stats(100, 0, 10), accuracy: stats(100, 0, 1, 0.75) }, { [M]: stats(100, 0, 10) }).failures).toEqual([
      'mean of accuracy is 0.7500, below 0.8',
    ]);
    expect(checkGuards(guards, { [M]: stats(100, 0, 10), accuracy: stats(100, 0, 1, 0.85) }, { [M]: stats(100, 0, 10) }).failures).toEqual([]);
  });
});

describe('guard rows', () => {
  const stage = { percent: 5, minDurationMinutes: 60, minSamples: 100 };

  it('show every guard with its values and limit, judging nothing before the minimum samples', () => {
    const guards = { ...DEFAULT_GUARDS, bounds: [{ metric: 'accuracy', stat: 'mean' as const, min: 0.8 }] };
    const rows = guardRows(guards, stage, { [M]: stats(40, 0, 12) }, { [M]: stats(1000, 20, 10) });
    expect(rows.map((r) => [r.guard, r.passing])).toEqual([
      ['stage samples', null],
      ['error rate', null],
      ['latency p95', null],
      ['bound', null],
    ]);
    expect(rows[1]).toMatchObject({ candidate: 0, control: 0.02, limit: '≤ 2× control + 0.005 = 0.0450' });
    expect(rows[2]).toMatchObject({ candidate: 12, control: 10, limit: '≤ 1.5× control = 15.00 ms', unit: 'ms' });
    expect(rows[3]).toMatchObject({ metric: 'accuracy', stat: 'mean', candidate: null, limit: '≥ 0.8' });
  });

  it('say why a guard fails in the words of the rollback, and agree with checkGuards', () => {
    const guards = { ...DEFAULT_GUARDS, bounds: [{ metric: 'accuracy', stat: 'mean' as const, min: 0.8, max: 0.99 }] };
    const candidate = { [M]: stats(1000, 100, 30), accuracy: stats(100, 0, 1, 0.7) };
    const control = { [M]: stats(1000, 20, 10) };
    const rows = guardRows(guards, stage, candidate, control);
    expect(rows.map((r) => [r.guard, r.passing])).toEqual([
      ['stage samples', true],
      ['error rate', false],
      ['latency p95', false],
      ['bound', false],
    ]);
    expect(rows.flatMap((r) => (r.failure ? [r.failure] : []))).toEqual(checkGuards(guards, candidate, control).failures);
    expect(checkGuards(guards, candidate, control).failures).toHaveLength(3);
  });
});

describe('stages', () => {
  it('advance only when both the duration and the samples are met', () => {
    const stage = { percent: 1, minDurationMinutes: 30, minSamples: 100 };
    const start = new Date('2026-01-01T00:00:00Z');
    expect(stageDue(stage, start, new Date('2026-01-01T00:29:59Z'), 1000)).toBe(false);
    expect(stageDue(stage, start, new Date('2026-01-01T00:30:00Z'), 99)).toBe(false);
    expect(stageDue(stage, start, new Date('2026-01-01T00:30:00Z'), 100)).toBe(true);
  });

  it('must grow and end at 100%', () => {
    expect(
      stageProblems([
        { percent: 5, minDurationMinutes: 1, minSamples: 0 },
        { percent: 100, minDurationMinutes: 0, minSamples: 0 },
      ]),
    ).toEqual([]);
    expect(
      stageProblems([
        { percent: 5, minDurationMinutes: 1, minSamples: 0 },
        { percent: 5, minDurationMinutes: 0, minSamples: 0 },
      ]).map((p) => p.reason),
    ).toEqual(['must be greater than the previous stage', 'the last stage must be 100']);
  });
});
