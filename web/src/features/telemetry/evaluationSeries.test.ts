import { describe, expect, it } from 'vitest';
import type { EvaluationBucket, MetricStats } from '../../api/evaluationMetrics';
import { bucketUnit, evaluationChartData, metricSummaryRows, sparklinesByFlag } from './evaluationSeries';

const bucket = (start: string, counts: EvaluationBucket['counts']): EvaluationBucket => ({ start, end: start, counts });

describe('evaluationChartData', () => {
  const buckets = [
    bucket('2026-01-01T00:05:00.000Z', [
      { flag: 'checkout', variant: 'on', reason: 'FALLTHROUGH', count: 3 },
      { flag: 'checkout', variant: 'on', reason: 'TARGET_MATCH', count: 2 },
      { flag: 'checkout', variant: null, reason: 'ERROR', count: 1 },
      { flag: 'other', variant: 'on', reason: 'FALLTHROUGH', count: 50 },
    ]),
    bucket('2026-01-01T00:00:00.000Z', [{ flag: 'checkout', variant: 'off', reason: 'FALLTHROUGH', count: 4 }]),
    bucket('2026-01-01T00:10:00.000Z', []),
  ];

  it('sums reasons per variant, orders buckets and keeps empty ones', () => {
    const chart = evaluationChartData(buckets, 'checkout');
    expect(chart.variants).toEqual(['on', 'off', '(default)']);
    expect(chart.total).toBe(10);
    expect(chart.rows).toEqual([
      { t: Date.parse('2026-01-01T00:00:00.000Z'), total: 4, counts: { on: 0, off: 4, '(default)': 0 } },
      { t: Date.parse('2026-01-01T00:05:00.000Z'), total: 6, counts: { on: 5, off: 0, '(default)': 1 } },
      { t: Date.parse('2026-01-01T00:10:00.000Z'), total: 0, counts: { on: 0, off: 0, '(default)': 0 } },
    ]);
  });

  it('reports no variants and a zero total for a flag without evaluations', () => {
    const chart = evaluationChartData(buckets, 'missing');
    expect(chart.variants).toEqual([]);
    expect(chart.total).toBe(0);
    expect(chart.rows.every((r) => r.total === 0)).toBe(true);
  });
});

describe('sparklinesByFlag', () => {
  it('gives each evaluated flag one ordered point per bucket', () => {
    const lines = sparklinesByFlag([
      bucket('2026-01-01T01:00:00.000Z', [{ flag: 'a', variant: 'x', reason: 'R', count: 2 }]),
      bucket('2026-01-01T00:00:00.000Z', [
        { flag: 'a', variant: 'x', reason: 'R', count: 1 },
        { flag: 'a', variant: 'y', reason: 'R', count: 1 },
        { flag: 'b', variant: 'x', reason: 'R', count: 0 },
      ]),
    ]);
    expect([...lines.keys()]).toEqual(['a']);
    expect(lines.get('a')).toEqual([
      { t: Date.parse('2026-01-01T00:00:00.000Z'), count: 2 },
      { t: Date.parse('2026-01-01T01:00:00.000Z'), count: 2 },
    ]);
  });
});

describe('metricSummaryRows', () => {
  const stats = (count: number): MetricStats => ({ count, rate: 0, sum: 0, mean: 1, stddev: 0, p50: 1, p95: 2, p99: 3, errors: 0, errorRate: 0 });
  it('drops empty series, labels the default variant and sorts', () => {
    const rows = metricSummaryRows([
      { flag: 'f', variant: 'b', metric: 'step.duration_ms', total: stats(2), points: [] },
      { flag: 'f', variant: null, metric: 'step.duration_ms', total: stats(1), points: [] },
      { flag: 'f', variant: 'a', metric: 'checkout.errors', total: stats(0), points: [] },
    ]);
    expect(rows.map((r) => `${r.metric}/${r.variant}`)).toEqual(['step.duration_ms/(default)', 'step.duration_ms/b']);
  });
});

describe('bucketUnit', () => {
  it('names what one bar counts', () => {
    expect(bucketUnit(5)).toBe('per 5 min');
    expect(bucketUnit(60)).toBe('per hour');
    expect(bucketUnit(360)).toBe('per 6 h');
  });
});
