import { describe, expect, it } from 'vitest';
import type { RolloutPlan } from '../../api/rollouts';
import type { MetricSeries, MetricStats } from '../../api/telemetry';
import { guardRows, stageSteps } from './guardRows';

const stats = (overrides: Partial<MetricStats>): MetricStats => ({
  count: 0, rate: 0, sum: 0, mean: null, stddev: null, p50: null, p95: null, p99: null, errors: 0, errorRate: null, ...overrides,
});
const series = (variant: string, metric: string, total: Partial<MetricStats>): MetricSeries => ({ flag: 'f', variant, metric, total: stats(total), points: [] });

const plan = {
  candidateVariant: 'v2',
  controlVariant: 'v1',
  currentStage: 1,
  stages: [
    { percent: 1, minDurationMinutes: 30, minSamples: 100 },
    { percent: 5, minDurationMinutes: 60, minSamples: 100 },
    { percent: 100, minDurationMinutes: 0, minSamples: 0 },
  ],
  guards: {
    errorMetric: 'model.latency_ms', maxErrorRateRatio: 2, errorRateAllowance: 0.005, latencyMetric: 'model.latency_ms',
    maxLatencyRatio: 1.5, minLatencyIncreaseMs: 1, bounds: [{ metric: 'accuracy', stat: 'mean' as const, min: 0.9 }], minSamples: 50, baselineMinutes: 60,
  },
} satisfies Partial<RolloutPlan>;

describe('guardRows', () => {
  it('judges error rate and p95 against limits derived from control, like the scheduler', () => {
    const rows = guardRows(plan, [
      series('v1', 'model.latency_ms', { count: 400, errorRate: 0.01, p95: 100 }),
      series('v2', 'model.latency_ms', { count: 120, errorRate: 0.03, p95: 140 }),
      series('v2', 'accuracy', { count: 120, mean: 0.85 }),
    ]);
    expect(rows.map((r) => [r.guard, r.candidate, r.passing])).toEqual([
      ['Stage samples', 120, true],
      ['Error rate', 0.03, false],
      ['Latency p95', 140, true],
      ['mean bound', 0.85, false],
    ]);
    expect(rows[1]!.limit).toBe('≤ 2× control + 0.005 = 0.0250');
    expect(rows[2]!.limit).toBe('≤ 1.5× control = 150.00 ms');
  });

  it('does not judge before both variants have the minimum samples', () => {
    const rows = guardRows(plan, [series('v1', 'model.latency_ms', { count: 400, errorRate: 0 }), series('v2', 'model.latency_ms', { count: 10, errorRate: 0.5, p95: 900 })]);
    expect(rows.find((r) => r.guard === 'Error rate')!.passing).toBeNull();
    expect(rows.find((r) => r.guard === 'Latency p95')!.passing).toBeNull();
    expect(rows.find((r) => r.guard === 'Stage samples')!.passing).toBeNull();
  });

  it('ignores a latency increase below the noise floor', () => {
    const rows = guardRows({ ...plan, guards: { ...plan.guards, minLatencyIncreaseMs: 5 } }, [
      series('v1', 'model.latency_ms', { count: 100, p95: 2 }),
      series('v2', 'model.latency_ms', { count: 100, p95: 4 }),
    ]);
    expect(rows.find((r) => r.guard === 'Latency p95')!.passing).toBe(true);
  });
});

describe('stageSteps', () => {
  it('marks stages before the current one done', () => {
    expect(stageSteps({ ...plan, status: 'running' }).map((s) => s.state)).toEqual(['done', 'current', 'next']);
    expect(stageSteps({ ...plan, status: 'completed' }).map((s) => s.state)).toEqual(['done', 'done', 'done']);
  });
});
