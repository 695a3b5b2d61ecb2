import { describe, expect, it } from 'vitest';
import { analyse, type AnalysisSettings } from './experiment-analysis.js';
import { compare } from './experiment-statistics.js';

/**
 * Telemetry is sent by anyone holding an SDK key, and a "rate" is only a rate because the
 * experiment says so: totals that no 0/1 values can have, or that are not finite, must leave the
 * results numeric (no NaN, no null where a number is promised) and say what was left out.
 */

const rate = (successes: number, n: number) => ({ n, sum: successes, sumSquares: successes });
const settings: AnalysisSettings = {
  controlVariant: 'v1',
  treatmentVariants: ['v2'],
  primaryMetric: { name: 'converted', type: 'rate', better: 'increase' },
  guardrailMetrics: [{ name: 'latency', type: 'mean', better: 'decrease' }],
  alpha: 0.05,
  power: 0.8,
  minimumDetectableEffect: 0.05,
  baselineRate: null,
  assumedStdDev: null,
};
const shares = { v1: 50_000, v2: 50_000 };

const hasNaN = (value: unknown): boolean => {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value === 'string') return /NaN|Infinity/.test(value);
  if (Array.isArray(value)) return value.some(hasNaN);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasNaN);
  return false;
};

describe('experiment analysis of impossible telemetry', () => {
  it.each([
    ['a rate above 1 in control', { v1: rate(3000, 1000), v2: rate(100, 1000) }, 'v1'],
    ['a negative rate in control', { v1: rate(-1000, 1000), v2: rate(100, 1000) }, 'v1'],
    ['a rate above 1 in the treatment', { v1: rate(100, 1000), v2: rate(1001, 1000) }, 'v2'],
    ['an infinite sum', { v1: rate(100, 1000), v2: { n: 1000, sum: Infinity, sumSquares: Infinity } }, 'v2'],
    ['a NaN count', { v1: { n: NaN, sum: 1, sumSquares: 1 }, v2: rate(100, 1000) }, 'v1'],
  ])('leaves out %s with a warning, and answers only numbers', (_, converted, bad) => {
    const result = analyse(settings, { converted }, shares);
    expect(hasNaN(result), JSON.stringify(result)).toBe(false);
    expect(result.warnings).toContainEqual(expect.stringMatching(new RegExp(`converted.*${bad}.*left out`)));
    expect(result.recommendation).toBe('keep-collecting');
    expect(result.variants.find((v) => v.variant === bad)).toMatchObject({ n: 0, value: null });
  });

  it('leaves out non-finite mean totals of a guardrail', () => {
    const result = analyse(
      settings,
      {
        converted: { v1: rate(100, 1000), v2: rate(120, 1000) },
        latency: { v1: { n: 1000, sum: 1e5, sumSquares: Infinity }, v2: { n: 1000, sum: 1e5, sumSquares: 1.1e7 } },
      },
      shares,
    );
    expect(hasNaN(result)).toBe(false);
    expect(result.warnings).toContainEqual(expect.stringMatching(/latency.*v1.*left out/));
    expect(result.treatments[0]!.guardrails[0]!.comparison).toBeNull();
  });

  it('compares means of huge values without overflowing the degrees of freedom', () => {
    const huge = (n: number, m: number, sd: number) => ({ n, sum: n * m, sumSquares: (n - 1) * sd * sd + n * m * m });
    const comparison = compare('mean', huge(1000, 1e140, 1e139), huge(1000, 1.1e140, 1e139));
    expect(comparison).not.toBeNull();
    expect(hasNaN(comparison)).toBe(false);
    expect(comparison!.degreesOfFreedom).toBeCloseTo(1998, 0);
    expect(comparison!.significant).toBe(true);
  });
});
