import { describe, expect, it } from 'vitest';
import { TelemetryAggregator } from './aggregator.js';
import { histogramQuantiles } from './histogram.js';

describe('TelemetryAggregator', () => {
  it('keeps exact counts, sums, sums of squares and failures per flag, variant and metric', () => {
    const aggregator = new TelemetryAggregator();
    let sum = 0;
    let squares = 0;
    for (let i = 1; i <= 1000; i++) {
      aggregator.record('etl.validate', 'on', 'step.duration_ms', i, i % 10 === 0);
      sum += i;
      squares += i * i;
    }
    aggregator.record('etl.validate', 'off', 'step.duration_ms', 7);
    aggregator.record(null, null, 'rows', 3);
    const { series } = aggregator.drain();
    const on = series.find((s) => s.variant === 'on')!;
    expect(on).toMatchObject({ flag: 'etl.validate', metric: 'step.duration_ms', count: 1000, sum, sumSquares: squares, errors: 100 });
    expect(Object.values(on.histogram.buckets).reduce((a, b) => a + b, 0)).toBe(1000);
    const [p50, p99] = histogramQuantiles(on.histogram.buckets, [0.5, 0.99]);
    expect(Math.abs(p50! - 500) / 500).toBeLessThanOrEqual(1 / 32);
    expect(Math.abs(p99! - 990) / 990).toBeLessThanOrEqual(1 / 32);
    expect(series.find((s) => s.variant === 'off')).toMatchObject({ count: 1, sum: 7, sumSquares: 49 });
    expect(series.find((s) => s.flag === null)).toMatchObject({ variant: null, metric: 'rows', count: 1, sum: 3 });
  });

  it('counts evaluations per flag, variant and reason', () => {
    const aggregator = new TelemetryAggregator();
    for (let i = 0; i < 5; i++) aggregator.recordEvaluation('model', 'v1', 'SPLIT');
    aggregator.recordEvaluation('model', 'v2', 'SPLIT');
    aggregator.recordEvaluation('model', null, 'ERROR');
    expect(aggregator.drain().evaluations).toEqual([
      { flag: 'model', variant: 'v1', reason: 'SPLIT', count: 5 },
      { flag: 'model', variant: 'v2', reason: 'SPLIT', count: 1 },
      { flag: 'model', variant: null, reason: 'ERROR', count: 1 },
    ]);
  });

  it('starts each window from zero, sends nothing for idle series and evicts them', () => {
    const aggregator = new TelemetryAggregator();
    aggregator.record('f', 'on', 'm', 1);
    aggregator.recordEvaluation('f', 'on', 'STATIC');
    expect(aggregator.drain().series).toHaveLength(1);
    expect(aggregator.isEmpty).toBe(true);
    aggregator.record('f', 'on', 'm', 2);
    expect(aggregator.drain().series[0]).toMatchObject({ count: 1, sum: 2, sumSquares: 4 });
    expect(aggregator.drain()).toEqual({ series: [], evaluations: [], samples: [] });
    expect(aggregator.size).toBe(0);
  });

  it('ignores non-finite values', () => {
    const aggregator = new TelemetryAggregator();
    aggregator.record('f', 'on', 'm', Number.NaN);
    aggregator.record('f', 'on', 'm', Number.POSITIVE_INFINITY);
    expect(aggregator.isEmpty).toBe(true);
  });

  it('holds at most maxSeries series and counts what it had to leave out', () => {
    const aggregator = new TelemetryAggregator({ maxSeries: 3, maxEvaluationCounters: 2, maxSamples: 2 });
    for (let i = 0; i < 10; i++) aggregator.record('f', `v${i}`, 'm', 1);
    for (let i = 0; i < 4; i++) aggregator.recordEvaluation('f', `v${i}`, 'SPLIT');
    expect(aggregator.size).toBe(3);
    expect(aggregator.overflowed).toBe(7 + 2);
    const { series, evaluations } = aggregator.drain();
    expect(series).toHaveLength(3);
    expect(evaluations).toHaveLength(2);
  });

  it('keeps a bounded reservoir of samples per window', () => {
    const aggregator = new TelemetryAggregator({ maxSeries: 10, maxEvaluationCounters: 10, maxSamples: 3 });
    for (let i = 0; i < 100; i++) aggregator.offerSample({ kind: 'shadow.disagreement', flag: 'f', variant: 'on', at: 'now', input: i });
    const { samples } = aggregator.drain();
    expect(samples).toHaveLength(3);
    expect(new Set(samples.map((s) => s.input)).size).toBe(3);
    expect(aggregator.drain().samples).toEqual([]);
  });

  it('keeps memory flat however many distinct contexts record values (nothing is keyed by context)', () => {
    const aggregator = new TelemetryAggregator();
    for (let i = 0; i < 100_000; i++) {
      aggregator.recordEvaluation('f', i % 2 === 0 ? 'on' : 'off', 'SPLIT');
      aggregator.record('f', i % 2 === 0 ? 'on' : 'off', 'latency', i % 100);
    }
    expect(aggregator.size).toBe(2);
  });
});
