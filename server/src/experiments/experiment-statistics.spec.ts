import { describe, expect, it } from 'vitest';
import { compare, estimate, requiredSampleSize, sampleRatioMismatch, type VariantAggregate } from './experiment-statistics.js';

const aggregate = (values: number[]): VariantAggregate => ({
  n: values.length,
  sum: values.reduce((a, b) => a + b, 0),
  sumSquares: values.reduce((a, b) => a + b * b, 0),
});
const proportion = (successes: number, n: number): VariantAggregate => ({ n, sum: successes, sumSquares: successes });

describe('two-proportion z-test', () => {
  // Physicians' Health Study (aspirin and myocardial infarction), as analysed in Agresti,
  // "An Introduction to Categorical Data Analysis" (2nd ed.), §2.2 and §2.4: placebo 189/11034,
  // aspirin 104/11037; difference 0.0077 with 95% CI (0.005, 0.011); Pearson X² = 25.01 (= z²).
  const placebo = proportion(189, 11034);
  const aspirin = proportion(104, 11037);

  it('matches the published chi-square, difference and confidence interval', () => {
    const result = compare('rate', aspirin, placebo, 0.05)!;
    expect(result.absoluteDifference).toBeCloseTo(0.0077, 4);
    expect(result.statistic ** 2).toBeCloseTo(25.01, 1);
    expect(result.absoluteInterval.lower).toBeCloseTo(0.005, 3);
    expect(result.absoluteInterval.upper).toBeCloseTo(0.011, 3);
    expect(result.pValue).toBeLessThan(1e-6);
    expect(result.significant).toBe(true);
  });

  it('reports the per-variant rate with its Wilson interval', () => {
    const placeboRate = estimate('rate', placebo);
    expect(placeboRate.value).toBeCloseTo(0.0171, 4);
    expect(placeboRate.intervalMethod).toBe('wilson');
    // statsmodels' proportion_confint(189, 11034, method='wilson') = (0.0148705, 0.0197233).
    expect(placeboRate.interval!.lower).toBeCloseTo(0.0148705, 6);
    expect(placeboRate.interval!.upper).toBeCloseTo(0.0197233, 6);
  });

  it('reports the sample standard deviation of the 0/1 values, over n − 1 as documented (it was √(p(1−p)): 0.14 for 49/50)', () => {
    // numpy.std([1] * 49 + [0], ddof=1) = √(49/50 · 1/50 · 50/49) = √(1/50) = 0.141421…; 1 of 2: √(1/2) = 0.707107.
    expect(estimate('rate', proportion(49, 50)).stdDev).toBeCloseTo(Math.sqrt(1 / 50), 12);
    expect(estimate('rate', proportion(1, 2)).stdDev).toBeCloseTo(Math.SQRT1_2, 12);
    expect(estimate('rate', proportion(3, 3)).stdDev).toBe(0);
  });

  it('keeps rate intervals inside [0, 1] at the edges (Wald gave 94.12%–101.88% for 49/50 and 100%–100% for 50/50)', () => {
    const nearlyAll = estimate('rate', proportion(49, 50)).interval!;
    expect(nearlyAll.upper).toBeLessThanOrEqual(1);
    expect(nearlyAll.lower).toBeCloseTo(0.895, 4);
    const all = estimate('rate', proportion(50, 50)).interval!;
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(0.9287, 4);
    const difference = compare('rate', proportion(45, 50), proportion(50, 50))!;
    expect(difference.absoluteIntervalMethod).toBe('newcombe');
    expect(difference.absoluteInterval.upper).toBeLessThanOrEqual(1);
    expect(difference.absoluteInterval.lower).toBeGreaterThan(-1);
  });

  it("computes Cohen's h as the difference of arcsine-transformed proportions", () => {
    // Cohen (1988), Table 6.2.1: φ(0.50) = 1.5708, φ(0.25) = 1.0472, so h = 0.5236.
    expect(compare('rate', proportion(250, 1000), proportion(500, 1000))!.effectSize).toBeCloseTo(0.5236, 4);
  });

  it('finds no difference between equal rates', () => {
    const result = compare('rate', proportion(100, 1000), proportion(100, 1000))!;
    expect(result.statistic).toBe(0);
    expect(result.pValue).toBeCloseTo(1, 10);
    expect(result.significant).toBe(false);
  });
});

describe('always-valid figures for rates', () => {
  it('keep the confidence sequence of a rate difference inside [−1, 1], however few the observations', () => {
    const c = compare('rate', { n: 3, sum: 2, sumSquares: 2 }, { n: 3, sum: 3, sumSquares: 3 }, 0.05, 0.05)!;
    expect(c.sequential!.interval.lower).toBe(-1);
    expect(c.sequential!.interval.upper).toBe(1);
    const wide = compare('rate', { n: 40, sum: 1, sumSquares: 1 }, { n: 40, sum: 39, sumSquares: 39 }, 0.05, 0.5)!;
    expect(wide.sequential!.interval.upper).toBeLessThanOrEqual(1);
    expect(wide.sequential!.interval.lower).toBeGreaterThan(0);
  });
});

describe("Welch's t-test", () => {
  // R's documentation example `t.test(extra ~ group, data = sleep)` (Student's 1908 sleep data):
  // t = -1.8608, df = 17.776, p-value = 0.07939, 95% CI of group1 − group2: (-3.3654832, 0.2054832).
  const group1 = aggregate([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]);
  const group2 = aggregate([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]);

  it('matches R for the sleep data', () => {
    // compare() is treatment − control; R reports group1 − group2, so group2 is the control here.
    const result = compare('mean', group2, group1, 0.05)!;
    expect(result.statistic).toBeCloseTo(-1.8608, 4);
    expect(result.degreesOfFreedom).toBeCloseTo(17.776, 3);
    expect(result.pValue).toBeCloseTo(0.07939, 5);
    expect(result.absoluteInterval.lower).toBeCloseTo(-3.3654832, 5);
    expect(result.absoluteInterval.upper).toBeCloseTo(0.2054832, 5);
    expect(result.significant).toBe(false);
    expect(result.relativeDifference).toBeCloseTo((0.75 - 2.33) / 2.33, 10);
  });

  it("computes Cohen's d with the pooled standard deviation", () => {
    // sd(group1) = 1.789010, sd(group2) = 2.002249 (R): pooled = sqrt((1.789010² + 2.002249²) / 2).
    const pooled = Math.sqrt((1.78901 ** 2 + 2.002249 ** 2) / 2);
    expect(compare('mean', group2, group1)!.effectSize).toBeCloseTo((0.75 - 2.33) / pooled, 4);
  });

  it('gives each mean a Student t interval', () => {
    // R: t.test(sleep$extra[1:10]) → mean 0.75, 95% CI (-0.5297804, 2.0297804).
    const result = estimate('mean', group1);
    expect(result.value).toBeCloseTo(0.75, 10);
    expect(result.interval!.lower).toBeCloseTo(-0.5297804, 5);
    expect(result.interval!.upper).toBeCloseTo(2.0297804, 5);
  });

  it('answers null without enough observations', () => {
    expect(compare('mean', aggregate([1]), aggregate([1, 2]))).toBeNull();
    expect(estimate('mean', aggregate([])).value).toBeNull();
  });
});

describe('required sample size', () => {
  const n = (input: Parameters<typeof requiredSampleSize>[0]) => {
    const size = requiredSampleSize(input);
    if (size.n === undefined) throw new Error(size.problem);
    return size.n;
  };

  it('uses the pooled-variance formula for a rate (baseline 20 %, +5 points, α 0.05, power 0.8: 1,094)', () => {
    // Evan Miller's calculator shows 1,030 from the baseline-variance formula, whose power at that n
    // is 0.77; 1,094 is the smallest n at which statsmodels' power of the pooled z-test reaches 0.8.
    expect(n({ type: 'rate', baselineRate: 0.2, mde: 0.05, alpha: 0.05, power: 0.8 })).toBe(1094);
  });

  it('needs more observations for a smaller effect and more power', () => {
    const base = n({ type: 'rate', baselineRate: 0.1, mde: 0.02, alpha: 0.05, power: 0.8 });
    expect(n({ type: 'rate', baselineRate: 0.1, mde: 0.01, alpha: 0.05, power: 0.8 })).toBeGreaterThan(3 * base);
    expect(n({ type: 'rate', baselineRate: 0.1, mde: 0.02, alpha: 0.05, power: 0.9 })).toBeGreaterThan(base);
  });

  it('tests the direction that stays a rate, and refuses an effect that leaves [0, 1] both ways', () => {
    expect(n({ type: 'rate', baselineRate: 0.9, mde: 0.2, alpha: 0.05, power: 0.8 })).toBe(
      n({ type: 'rate', baselineRate: 0.7, mde: 0.2, alpha: 0.05, power: 0.8 }),
    );
    // Baseline 0.5 with an MDE of 0.6 once gave n = 9, computed for a rate of −0.1.
    expect(requiredSampleSize({ type: 'rate', baselineRate: 0.5, mde: 0.6, alpha: 0.05, power: 0.8 }).problem).toMatch(/leaves \[0, 1\] both ways/);
    expect(requiredSampleSize({ type: 'rate', baselineRate: 0.3, mde: 0.8, alpha: 0.05, power: 0.8 }).problem).toMatch(/never be observed/);
  });

  it('refuses an n too large to be an exact integer, and an effect fewer than two observations would detect', () => {
    expect(requiredSampleSize({ type: 'rate', baselineRate: 0.5, mde: 1e-9, alpha: 0.05, power: 0.8 }).problem).toMatch(/more than 9007199254740991/);
    // An MDE of 1e300 once gave a required n of 0 and a verdict on two observations.
    expect(requiredSampleSize({ type: 'mean', stdDev: 3, mde: 1e300, alpha: 0.05, power: 0.8 }).problem).toMatch(/fewer than 2 observations/);
  });

  it("gives means the t-test's own sample size (d = 0.5: 64 per group, as Cohen's Table 2.4.1 and statsmodels' TTestIndPower say)", () => {
    // The normal formula 2(1.959964 + 0.841621)² / 0.5² = 62.79 → 63 leaves the t-test at power 0.795; TTestIndPower: 63.77 → 64.
    expect(n({ type: 'mean', stdDev: 1, mde: 0.5, alpha: 0.05, power: 0.8 })).toBe(64);
    expect(n({ type: 'mean', stdDev: 10, mde: 2, alpha: 0.05, power: 0.8 })).toBe(394);
    // A z-tested mean (a ratio's delta method) keeps the normal formula, which is exact for it.
    expect(n({ type: 'mean', stdDev: 1, mde: 0.5, alpha: 0.05, power: 0.8, test: 'z' })).toBe(63);
  });
});

describe('sample-ratio mismatch', () => {
  it('warns for a 52/48 split of 10,000 on a 50/50 experiment (χ² = 16, p = 6.3e-5)', () => {
    const check = sampleRatioMismatch([5200, 4800], [50, 50])!;
    expect(check.chiSquare).toBeCloseTo(16, 10);
    // Upper tail of χ²(1) at 16 = 2(1 − Φ(4)) = 6.334e-5.
    expect(check.pValue).toBeCloseTo(6.334e-5, 7);
    expect(check.mismatch).toBe(true);
  });

  it('accepts a split within chance and matches the χ²(1) 5 % critical value 3.841', () => {
    expect(sampleRatioMismatch([5050, 4950], [1, 1])!.mismatch).toBe(false);
    // 3.841 is the textbook 95th percentile of χ²(1): 2000 + x vs 2000 − x with 2x²/2000 = 3.841.
    const x = Math.sqrt(3.841459 * 1000);
    expect(sampleRatioMismatch([2000 + x, 2000 - x], [1, 1])!.pValue).toBeCloseTo(0.05, 5);
  });

  it('uses unequal expected shares from the rollout weights', () => {
    expect(sampleRatioMismatch([9000, 1000], [90_000, 10_000])!.chiSquare).toBeCloseTo(0, 10);
    expect(sampleRatioMismatch([9000, 1000], [50, 50])!.mismatch).toBe(true);
  });
});
