import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compare, estimate, requiredSampleSize, sampleRatioMismatch, type VariantAggregate } from './experiment-statistics.js';
import { holmAdjust } from './multiple-comparisons.js';
import { compareRatio, cupedCompare, cupedResidualSd, type PairedAggregate, ratioEstimate, ratioVariance } from './paired-statistics.js';
import { chiSquareUpper, normalTwoSided, studentTTwoSided } from './tail-probabilities.js';

// Figures from scipy and statsmodels (scripts/stats-vectors/generate.py writes testdata/scipy-vectors.json).
interface Vectors {
  normalTwoSided: Array<{ z: number; p: number }>;
  studentTTwoSided: Array<{ t: number; df: number; p: number }>;
  chiSquareUpper: Array<{ x: number; df: number; p: number }>;
  wilson: Array<{ successes: number; n: number; alpha: number; lower: number; upper: number }>;
  rates: Array<{
    control: [number, number];
    treatment: [number, number];
    alpha: number;
    difference: number;
    lower: number;
    upper: number;
    z?: number;
    p?: number;
  }>;
  means: Array<{
    control: [number, number, number];
    treatment: [number, number, number];
    alpha: number;
    t: number;
    p: number;
    df: number;
    lower: number;
    upper: number;
  }>;
  rateSampleSizes: Array<{ baselineRate: number; mde: number; alpha: number; power: number; powers: Record<string, number> }>;
  sampleRatio: Array<{ observed: number[]; shares: number[]; chiSquare: number; p: number }>;
  ratios: Array<{
    control: PairedAggregate;
    treatment: PairedAggregate;
    alpha: number;
    controlRatio: number;
    treatmentRatio: number;
    controlVariance: number;
    treatmentVariance: number;
    z: number;
    p: number;
    lower: number;
    upper: number;
    controlLower: number;
    controlUpper: number;
  }>;
  cuped: Array<{
    control: PairedAggregate;
    treatment: PairedAggregate;
    alpha: number;
    theta: number;
    difference: number;
    t: number;
    p: number;
    df: number;
    lower: number;
    upper: number;
    varianceReduction: number;
    residualSd: number;
  }>;
  holm: Array<{ p: number[]; adjusted: number[] }>;
}
const vectors = JSON.parse(readFileSync(new URL('./testdata/scipy-vectors.json', import.meta.url), 'utf8')) as Vectors;

/** Equal to 1e-6 relative; values below 1e-12 in size (differences that should be 0) to 1e-12 absolute. */
const close = (actual: number, expected: number, what: string) => {
  const tolerance = Math.max(1e-6 * Math.abs(expected), 1e-12);
  expect(Math.abs(actual - expected), `${what}: ${actual} against ${expected}`).toBeLessThanOrEqual(tolerance);
};
const proportion = (successes: number, n: number): VariantAggregate => ({ n, sum: successes, sumSquares: successes });
/** Aggregates with exactly this mean and sample standard deviation. */
const fromMoments = ([n, mean, sd]: [number, number, number]): VariantAggregate => ({ n, sum: n * mean, sumSquares: (n - 1) * sd * sd + n * mean * mean });

describe('tail probabilities match scipy to 1e-6, far into the tail', () => {
  it.each(vectors.normalTwoSided)('normal two-sided at z = $z', ({ z, p }) => close(normalTwoSided(z), p, `z = ${z}`));
  it.each(vectors.studentTTwoSided)('Student t two-sided at t = $t, df = $df', ({ t, df, p }) => close(studentTTwoSided(t, df), p, `t = ${t}, df = ${df}`));
  it.each(vectors.chiSquareUpper)('chi-square upper tail at x = $x, df = $df', ({ x, df, p }) => close(chiSquareUpper(x, df), p, `x = ${x}, df = ${df}`));
});

describe('Wilson intervals per arm match statsmodels and stay inside [0, 1]', () => {
  it.each(vectors.wilson)('$successes of $n at alpha $alpha', ({ successes, n, alpha, lower, upper }) => {
    const result = estimate('rate', proportion(successes, n), 1 - alpha);
    expect(result.intervalMethod).toBe('wilson');
    close(result.interval!.lower, lower, 'lower');
    close(result.interval!.upper, upper, 'upper');
    expect(result.interval!.lower).toBeGreaterThanOrEqual(0);
    expect(result.interval!.upper).toBeLessThanOrEqual(1);
  });
});

describe('rate comparisons match statsmodels: pooled z-test and Newcombe interval', () => {
  it.each(vectors.rates)('control $control, treatment $treatment', ({ control, treatment, alpha, difference, lower, upper, z, p }) => {
    const result = compare('rate', proportion(...control), proportion(...treatment), alpha);
    if (z === undefined) {
      // All or no conversions in both arms: the pooled z-test has no variance to work with.
      expect(result).toBeNull();
      return;
    }
    expect(result).not.toBeNull();
    close(result!.absoluteDifference, difference, 'difference');
    expect(result!.absoluteIntervalMethod).toBe('newcombe');
    close(result!.absoluteInterval.lower, lower, 'Newcombe lower');
    close(result!.absoluteInterval.upper, upper, 'Newcombe upper');
    expect(result!.absoluteInterval.lower).toBeGreaterThanOrEqual(-1);
    expect(result!.absoluteInterval.upper).toBeLessThanOrEqual(1);
    close(result!.statistic, z, 'z');
    close(result!.pValue, p!, 'p');
  });
});

describe("mean comparisons match scipy's Welch t-test", () => {
  it.each(vectors.means)('control $control, treatment $treatment', ({ control, treatment, alpha, t, p, df, lower, upper }) => {
    const result = compare('mean', fromMoments(control), fromMoments(treatment), alpha)!;
    // Aggregates rebuilt from moments carry rounding of about 1e-12 relative in the variance.
    close(result.statistic, t, 't');
    close(result.degreesOfFreedom!, df, 'df');
    close(result.pValue, p, 'p');
    expect(result.absoluteIntervalMethod).toBe('welch-t');
    close(result.absoluteInterval.lower, lower, 'lower');
    close(result.absoluteInterval.upper, upper, 'upper');
  });
});

describe("rate sample sizes give statsmodels' nominal power, and no less", () => {
  it.each(vectors.rateSampleSizes)('baseline $baselineRate, MDE $mde, power $power', (row) => {
    const size = requiredSampleSize({ type: 'rate', ...row });
    expect(size.problem).toBeUndefined();
    const n = size.n!;
    const powerAt = (k: number) => row.powers[String(k)];
    expect(powerAt(n), `statsmodels has the power at ${n}`).toBeDefined();
    // The smallest n whose power reaches the target. statsmodels also counts rejections in the wrong
    // direction as power; for rare events that adds up to 1e-6, which the formula leaves out.
    expect(powerAt(n)!).toBeGreaterThanOrEqual(row.power);
    expect(powerAt(n - 1)!).toBeLessThan(row.power + 1e-5);
    expect(powerAt(n - 2)!).toBeLessThan(row.power);
  });
});

describe('sample-ratio check matches scipy.stats.chisquare', () => {
  it.each(vectors.sampleRatio)('observed $observed against shares $shares', ({ observed, shares, chiSquare, p }) => {
    const result = sampleRatioMismatch(observed, shares)!;
    close(result.chiSquare, chiSquare, 'chi-square');
    close(result.pValue, p, 'p');
    expect(result.mismatch).toBe(p < 0.001);
  });
});

describe('ratio metrics match the delta method computed by numpy/scipy from the raw pairs', () => {
  it.each(vectors.ratios)('ratio vector %#', (row) => {
    close(ratioVariance(row.control)!, row.controlVariance, 'control variance');
    close(ratioVariance(row.treatment)!, row.treatmentVariance, 'treatment variance');
    const estimated = ratioEstimate(row.control, 1 - row.alpha);
    expect(estimated.intervalMethod).toBe('delta-method');
    close(estimated.value!, row.controlRatio, 'control ratio');
    close(estimated.interval!.lower, row.controlLower, 'control lower');
    close(estimated.interval!.upper, row.controlUpper, 'control upper');
    const result = compareRatio(row.control, row.treatment, row.alpha, 0.01)!;
    expect(result.test).toBe('delta-z');
    close(result.absoluteDifference, row.treatmentRatio - row.controlRatio, 'difference');
    close(result.statistic, row.z, 'z');
    close(result.pValue, row.p, 'p');
    close(result.absoluteInterval.lower, row.lower, 'lower');
    close(result.absoluteInterval.upper, row.upper, 'upper');
    expect(result.sequential?.method).toBe('msprt');
  });
});

describe("CUPED matches statsmodels' OLS (θ, adjusted difference) and scipy's Welch t on the adjusted values", () => {
  it.each(vectors.cuped)('CUPED vector %#', (row) => {
    const result = cupedCompare(row.control, row.treatment, row.alpha, 1)!;
    expect(result.method).toBe('cuped');
    close(result.theta, row.theta, 'theta');
    close(result.absoluteDifference, row.difference, 'adjusted difference');
    close(result.statistic, row.t, 't');
    close(result.degreesOfFreedom!, row.df, 'df');
    close(result.pValue, row.p, 'p');
    close(result.absoluteInterval.lower, row.lower, 'lower');
    close(result.absoluteInterval.upper, row.upper, 'upper');
    close(result.varianceReduction, row.varianceReduction, 'variance reduction');
    close(cupedResidualSd([row.control, row.treatment])!, row.residualSd, 'residual standard deviation');
  });
});

describe("Holm's adjustment matches statsmodels' multipletests(method='holm')", () => {
  it.each(vectors.holm)('p-values %#', ({ p, adjusted }) => {
    holmAdjust(p).forEach((a, i) => close(a, adjusted[i]!, `adjusted p ${i}`));
  });
});
