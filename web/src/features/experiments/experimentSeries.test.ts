import { describe, expect, it } from 'vitest';
import type { ExperimentResults, VariantResult } from '../../api/experiments';
import { formatDifference, formatMetric, formatPValue, pValueText, intervalDomain, intervalRows, sampleProgress } from './experimentSeries';

const variant = (name: string, n: number, value: number | null, interval: [number, number] | null): VariantResult => ({
  variant: name,
  n,
  value,
  stdDev: null,
  interval: interval && { lower: interval[0], upper: interval[1] },
  intervalMethod: 'wilson',
  expectedShare: 0.5,
});

const results = (variants: VariantResult[], requiredSampleSize: number | null = 1000) =>
  ({ experiment: { controlVariant: 'v1' }, variants, requiredSampleSize, sequentialSampleSize: null }) as unknown as ExperimentResults;

describe('intervalRows', () => {
  it('puts control first and carries each 95% interval as a floating range', () => {
    const rows = intervalRows(results([variant('v2', 900, 0.14, [0.12, 0.16]), variant('v1', 1000, 0.1, [0.08, 0.12])]));
    expect(rows).toEqual([
      { variant: 'v1', arm: 'control', n: 1000, value: 0.1, lower: 0.08, upper: 0.12, range: [0.08, 0.12] },
      { variant: 'v2', arm: 'treatment', n: 900, value: 0.14, lower: 0.12, upper: 0.16, range: [0.12, 0.16] },
    ]);
  });

  it('leaves out variants without observations and collapses a missing interval onto the estimate', () => {
    const rows = intervalRows(results([variant('v1', 0, null, null), variant('v2', 3, 0.5, null)]));
    expect(rows).toEqual([{ variant: 'v2', arm: 'treatment', n: 3, value: 0.5, lower: 0.5, upper: 0.5, range: [0.5, 0.5] }]);
  });
});

describe('intervalDomain', () => {
  const row = (lower: number, upper: number) => ({
    variant: 'x',
    arm: 'control' as const,
    n: 1,
    value: (lower + upper) / 2,
    lower,
    upper,
    range: [lower, upper] as [number, number],
  });

  it('pads the span of every interval', () => {
    const [low, high] = intervalDomain([row(10, 20), row(15, 30)], 'mean');
    expect(low).toBeCloseTo(7);
    expect(high).toBeCloseTo(33);
  });

  it('keeps rates between 0 and 1', () => {
    expect(intervalDomain([row(0.01, 0.5), row(0.6, 0.99)], 'rate')).toEqual([0, 1]);
  });
});

describe('formatting', () => {
  it('shows rates as percentages and differences of rates in percentage points', () => {
    expect(formatMetric(0.1234, 'rate')).toBe('12.34%');
    expect(formatMetric(null, 'rate')).toBe('—');
    expect(formatDifference(0.04, 'rate')).toBe('+4.00 pp');
    expect(formatDifference(-2.5, 'mean')).toBe('−2.5');
  });

  it('shows tiny p-values as a bound', () => {
    expect(formatPValue(0.00001)).toBe('< 0.001');
    expect(formatPValue(0.0412)).toBe('0.041');
    expect(pValueText(0.00001)).toBe('p < 0.001');
    expect(pValueText(0.0412)).toBe('p = 0.041');
  });
});

describe('sampleProgress', () => {
  it('measures the smallest variant against the required size per variant', () => {
    expect(sampleProgress(results([variant('v1', 600, 0.1, null), variant('v2', 400, 0.1, null)]))).toEqual({
      current: 400,
      required: 1000,
      percent: 40,
      fixedHorizon: null,
    });
  });

  it("measures a sequential experiment against the always-valid test's sample size, and says the fixed-horizon one beside it", () => {
    const sequential = { ...results([variant('v1', 600, 0.1, null), variant('v2', 400, 0.1, null)]), sequentialSampleSize: 2000 };
    expect(sampleProgress(sequential)).toEqual({ current: 400, required: 2000, percent: 20, fixedHorizon: 1000 });
  });

  it('has no progress until a required size is known, and caps at 100%', () => {
    expect(sampleProgress(results([variant('v1', 5, 1, null)], null))).toEqual({ current: 5, required: null, percent: null, fixedHorizon: null });
    expect(sampleProgress(results([variant('v1', 5000, 1, null)], 1000)).percent).toBe(100);
  });
});
