import { MetricSeries } from '@signalbox/sdk/telemetry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seriesProblems } from './series-consistency.js';

const recorded = (values: number[]) => {
  const series = new MetricSeries('f', 'v', 'm');
  for (const v of values) series.record(v, false);
  const record = series.toRecord();
  return { count: record.count, sum: record.sum, sumSquares: record.sumSquares, buckets: record.histogram.buckets };
};

describe('series consistency', () => {
  it('passes every record an SDK builds, whatever its values', () => {
    const value = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e40, max: 1e40 }),
      fc.integer({ min: -1000, max: 1000 }),
      fc.constantFrom(0, 1, -0, 2 ** -64, 2 ** -64 * 1.0625, 2 ** 63 * 1.9375, 2 ** 64, 1e-300, 5e-324),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1 }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 0, maxLength: 200 }), (values) => {
        expect(seriesProblems(recorded(values))).toEqual([]);
      }),
      { numRuns: 500, seed: 14 },
    );
    // A million 0/1 values: rounding in the running sums stays within the tolerance.
    expect(seriesProblems(recorded(Array.from({ length: 1_000_000 }, (_, i) => (i % 3 === 0 ? 1 : 0.1))))).toEqual([]);
  });

  it('refuses what the histogram contradicts', () => {
    const rate = recorded([1, 0, 1]);
    expect(seriesProblems({ ...rate, sum: 3.5, sumSquares: 5 })).toEqual([
      { field: 'sum', reason: 'must be at most 2.125 for the values its histogram holds' },
    ]);
    const ones = recorded([1, 1]);
    expect(seriesProblems({ ...ones, sum: -2 })).toEqual([{ field: 'sum', reason: 'must be at least 2 for the values its histogram holds' }]);
    expect(seriesProblems({ ...ones, sumSquares: 1.5 })).toEqual([{ field: 'sumSquares', reason: 'must be at least 2 for the values its histogram holds' }]);
    const signed = recorded([-3, 3]);
    expect(seriesProblems({ ...signed, sum: -20, sumSquares: 18 })).toEqual([{ field: 'sumSquares', reason: 'must be at least sum² / count (200)' }]);
    // Negative values share the lowest bucket with zero: a negative sum there is consistent.
    expect(seriesProblems(recorded([-5, -7]))).toEqual([]);
  });
});
