import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HISTOGRAM_MAX_INDEX,
  HISTOGRAM_MIN_INDEX,
  HISTOGRAM_RELATIVE_ERROR,
  histogramBucketLow,
  histogramBucketValue,
  histogramIndex,
  histogramQuantiles,
  mergeHistogramBuckets,
  type HistogramBuckets,
} from './histogram.js';

const histogramOf = (values: number[]): HistogramBuckets => {
  const buckets: HistogramBuckets = {};
  for (const v of values) buckets[histogramIndex(v)] = (buckets[histogramIndex(v)] ?? 0) + 1;
  return buckets;
};

describe('the log2-16 histogram scheme', () => {
  it.each([
    [1, 0],
    [1.0625, 1],
    [1.9999, 15],
    [2, 16],
    [3, 24],
    [1000, 9 * 16 + 15],
    [0.5, -16],
    [0.75, -8],
  ])('puts %d in bucket %d', (value, index) => {
    expect(histogramIndex(value)).toBe(index);
  });

  it('puts zero, negative values and tiny values in the lowest bucket, and huge ones in the highest', () => {
    expect(histogramIndex(0)).toBe(HISTOGRAM_MIN_INDEX);
    expect(histogramIndex(-5)).toBe(HISTOGRAM_MIN_INDEX);
    expect(histogramIndex(1e-30)).toBe(HISTOGRAM_MIN_INDEX);
    expect(histogramIndex(1e30)).toBe(HISTOGRAM_MAX_INDEX);
    expect(histogramBucketValue(HISTOGRAM_MIN_INDEX)).toBe(0);
  });

  it('places every value inside its bucket, and estimates it within 1/32', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e12, noNaN: true }), (value) => {
        const index = histogramIndex(value);
        expect(histogramBucketLow(index)).toBeLessThanOrEqual(value);
        expect(histogramBucketLow(index + 1)).toBeGreaterThan(value);
        expect(Math.abs(histogramBucketValue(index) - value) / value).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR);
      }),
      { numRuns: 5_000 },
    );
  });

  it('is exact at powers of two, where log2 may round', () => {
    for (let e = -60; e <= 60; e++) {
      expect(histogramIndex(2 ** e)).toBe(e * 16);
      expect(histogramIndex(2 ** e * (1 - Number.EPSILON))).toBe(e * 16 - 1);
    }
  });

  it('reads percentiles within the documented error of the exact nearest-rank percentile', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 500 }), (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const estimates = histogramQuantiles(histogramOf(values), [0.5, 0.95, 0.99]);
        [0.5, 0.95, 0.99].forEach((q, i) => {
          const exact = sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
          expect(Math.abs(estimates[i]! - exact) / exact).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('merges by adding bucket counts, so merged percentiles equal those of the union', () => {
    const a = [1, 2, 3, 50, 60];
    const b = [4, 5, 70, 80, 90, 1000];
    const merged = mergeHistogramBuckets(histogramOf(a), histogramOf(b));
    expect(merged).toEqual(histogramOf([...a, ...b]));
    expect(histogramQuantiles(merged, [0.5])).toEqual(histogramQuantiles(histogramOf([...a, ...b]), [0.5]));
  });

  it('answers null for an empty histogram', () => {
    expect(histogramQuantiles({}, [0.5, 0.99])).toEqual([null, null]);
  });
});
