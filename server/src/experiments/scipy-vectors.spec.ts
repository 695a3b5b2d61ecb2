import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyse, type AnalysisSettings } from './experiment-analysis.js';
import {
  compare,
  type Comparison,
  estimate,
  requiredSampleSize,
  sampleRatioMismatch,
  type SequentialComparison,
  sequentialTest,
  type VariantAggregate,
} from './experiment-statistics.js';
import type { ExperimentMetric } from './experiment.entity.js';
import { holmAdjust } from './multiple-comparisons.js';
import { compareRatio, cupedCompare, cupedResidualSd, type PairedAggregate, ratioEstimate, ratioVariance } from './paired-statistics.js';
import { analyseSegments } from './segment-analysis.js';
import { chiSquareUpper, normalTwoSided, studentTTwoSided } from './tail-probabilities.js';

// Figures from scipy and statsmodels (scripts/stats-vectors/generate.py writes testdata/scipy-vectors.json).
/** The mSPRT by quadrature and root finding: `null` where no test exists (no variance). */
type Msprt = { p: number; lower: number; upper: number; significant: boolean } | null;
/** The relative difference and its delta-method interval; `null` with a control value of 0. */
interface Relative {
  relative: number | null;
  relativeLower: number | null;
  relativeUpper: number | null;
}
/** statsmodels' NormalIndPower around a sample size: two-sided, and in the effect's direction only (one-sided at α/2). */
interface NormalPowers {
  powers: Record<string, number>;
  formulaPowers: Record<string, number>;
}
/** The t-test's sample size: the smallest n at which statsmodels' TTestIndPower reaches the power, with its power at n − 1 and n. */
interface TSampleSize {
  sampleSize: number;
  tPowers: Record<string, number>;
}
interface Vectors {
  normalTwoSided: Array<{ z: number; p: number }>;
  studentTTwoSided: Array<{ t: number; df: number; p: number }>;
  chiSquareUpper: Array<{ x: number; df: number; p: number }>;
  wilson: Array<{ successes: number; n: number; alpha: number; lower: number; upper: number; value: number; stdDev: number }>;
  rates: Array<
    {
      control: [number, number];
      treatment: [number, number];
      alpha: number;
      difference: number;
      lower: number;
      upper: number;
      z?: number;
      p?: number;
      effectSize?: number;
      tau?: number;
      sequential?: Msprt;
    } & Partial<Relative>
  >;
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
  ratios: Array<
    Relative & {
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
      controlStdDev: number;
      effectSize: number;
      tau: number;
      sequential: Msprt;
    }
  >;
  cuped: Array<
    Relative & {
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
      controlValue: number;
      treatmentValue: number;
      effectSize: number;
      tau: number;
      sequential: Msprt;
    }
  >;
  holm: Array<{ p: number[]; adjusted: number[] }>;
  meanSampleSizes: Array<{ stdDev: number; mde: number; alpha: number; power: number; raw: number } & NormalPowers & TSampleSize>;
  meanArms: Array<{ aggregate: VariantAggregate; confidence: number; value: number; stdDev: number; interval: [number, number] }>;
  meanComparisons: Array<
    Relative & {
      control: VariantAggregate;
      treatment: VariantAggregate;
      alpha: number;
      tau: number;
      difference: number;
      t: number;
      p: number;
      df: number;
      lower: number;
      upper: number;
      effectSize: number;
      sequential: Msprt;
    }
  >;
  sequential: Array<{ diff: number; variance: number; tau: number; alpha: number; expected: Msprt }>;
  analyses: Array<{
    variants: string[];
    shares: Record<string, number>;
    alpha: number;
    power: number;
    mde: number;
    totals: Record<string, Record<string, VariantAggregate>>;
    pooledSd: number;
    sampleSizeRaw: number;
    samplePowers: NormalPowers;
    sampleSize: number;
    tPowers: Record<string, number>;
    comparisonAlpha: number;
    expected: number[];
    chiSquare: number;
    srmP: number;
    arms: Array<{ value: number; stdDev: number; interval: [number, number] }>;
    treatments: Array<{ variant: string; t: number; p: number; sequential: Msprt; guardrails: Array<{ p: number; tau: number; sequential: Msprt }> }>;
  }>;
  rateAnalyses: Array<{
    variants: string[];
    alpha: number;
    power: number;
    mde: number;
    totals: Record<string, VariantAggregate>;
    comparisonAlpha: number;
    powers: Record<string, number>;
    arms: Array<{ value: number; stdDev: number; interval: [number, number] }>;
    treatments: Array<Relative & { variant: string; z: number; p: number; lower: number; upper: number; effectSize: number; sequential: Msprt }>;
  }>;
  ratioAnalyses: Array<{
    variants: string[];
    alpha: number;
    power: number;
    mde: number;
    pairs: Record<string, PairedAggregate>;
    comparisonAlpha: number;
    sampleSizeRaw: number;
    samplePowers: NormalPowers;
    arms: Array<{ value: number; stdDev: number; interval: [number, number] }>;
    treatments: Array<Relative & { variant: string; z: number; p: number; effectSize: number; sequential: Msprt }>;
  }>;
  cupedAnalyses: Array<{
    variants: string[];
    alpha: number;
    power: number;
    mde: number;
    totals: Record<string, VariantAggregate>;
    pairs: Record<string, PairedAggregate>;
    comparisonAlpha: number;
    residualSd: number;
    sampleSizeRaw: number;
    samplePowers: NormalPowers;
    sampleSize: number;
    tPowers: Record<string, number>;
    treatments: Array<
      Relative & {
        variant: string;
        theta: number;
        difference: number;
        t: number;
        p: number;
        df: number;
        unadjustedT: number;
        unadjustedP: number;
        controlValue: number;
        treatmentValue: number;
        effectSize: number;
        sequential: Msprt;
      }
    >;
  }>;
  segments: Array<{
    type: 'rate' | 'mean';
    treatments: string[];
    alpha: number;
    mde: number;
    totals: Record<string, Record<string, VariantAggregate>>;
    family: Array<{ segment: string; variant: string; p: number; sequentialP: number; adjusted: number; adjustedSequential: number }>;
  }>;
}
const vectors = JSON.parse(readFileSync(new URL('./testdata/scipy-vectors.json', import.meta.url), 'utf8')) as Vectors;

/** Equal to 1e-6 relative; values below 1e-12 in size (differences that should be 0) to 1e-12 absolute. */
const close = (actual: number, expected: number, what: string) => {
  const tolerance = Math.max(1e-6 * Math.abs(expected), 1e-12);
  expect(Math.abs(actual - expected), `${what}: ${actual} against ${expected}`).toBeLessThanOrEqual(tolerance);
};
/** The mSPRT figures against the quadrature: p-value, confidence-sequence ends, significance, τ. */
const sameSequential = (actual: SequentialComparison | null, expected: Msprt, tau: number, what: string) => {
  if (expected === null) {
    expect(actual, `${what}: no mSPRT without variance`).toBeNull();
    return;
  }
  expect(actual, `${what}: mSPRT`).not.toBeNull();
  expect(actual!.method).toBe('msprt');
  expect(actual!.intervalMethod).toBe('confidence-sequence');
  close(actual!.mixingStdDev, tau, `${what}: τ`);
  close(actual!.pValue, expected.p, `${what}: always-valid p`);
  close(actual!.interval.lower, expected.lower, `${what}: confidence-sequence lower`);
  close(actual!.interval.upper, expected.upper, `${what}: confidence-sequence upper`);
  expect(actual!.significant, `${what}: significant`).toBe(expected.significant);
};
/** The relative difference and its interval against the delta method computed by numpy. */
/** Welch's t, its degrees of freedom, p, the fixed-horizon verdict and the interval, against scipy. */
const sameWelch = (actual: Comparison, expected: { t: number; df: number; p: number; alpha: number; lower: number; upper: number }) => {
  close(actual.statistic, expected.t, 't');
  close(actual.degreesOfFreedom!, expected.df, 'df');
  close(actual.pValue, expected.p, 'p');
  expect(actual.significant, 'significant').toBe(expected.p < expected.alpha);
  close(actual.absoluteInterval.lower, expected.lower, 'lower');
  close(actual.absoluteInterval.upper, expected.upper, 'upper');
};
const sameRelative = (actual: Comparison, expected: Partial<Relative>, what: string) => {
  if (expected.relative === null) {
    expect(actual.relativeDifference, `${what}: no relative difference from a control of 0`).toBeNull();
    expect(actual.relativeInterval).toBeNull();
    return;
  }
  close(actual.relativeDifference!, expected.relative!, `${what}: relative difference`);
  close(actual.relativeInterval!.lower, expected.relativeLower!, `${what}: relative lower`);
  close(actual.relativeInterval!.upper, expected.relativeUpper!, `${what}: relative upper`);
};
/**
 * n per group reaches the nominal power by statsmodels' NormalIndPower, two-sided, and is the smallest n that does by the
 * power the normal-approximation formula solves for (rejections in the effect's direction).
 */
const reachesPower = (n: number, power: number, { powers, formulaPowers }: NormalPowers) => {
  expect(powers[String(n)], `statsmodels has the power at ${n}`).toBeDefined();
  expect(powers[String(n)]!, `two-sided power at ${n}`).toBeGreaterThanOrEqual(power);
  expect(formulaPowers[String(n)]!, `power in the effect's direction at ${n}`).toBeGreaterThanOrEqual(power);
  if (n > 2) expect(formulaPowers[String(n - 1)]!, `power in the effect's direction at ${n - 1}`).toBeLessThan(power);
};
/** n is statsmodels' t-test sample size: the power reaches the target at n and not at n − 1 (and neither sits on the edge). */
const reachesTPower = (n: number, power: number, { sampleSize, tPowers }: TSampleSize) => {
  expect(n).toBe(sampleSize);
  // One observation moves the power by about 6e-11 at n = 6e9; the power here agrees with scipy's nct to about 1e-15.
  expect(Math.abs(tPowers[String(n)]! - power), 'no vector sits within 1e-11 of the target power').toBeGreaterThan(1e-11);
  expect(tPowers[String(n)]!, `t-test power at ${n}`).toBeGreaterThanOrEqual(power);
  if (n > 2) expect(tPowers[String(n - 1)]!, `t-test power at ${n - 1}`).toBeLessThan(power);
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
  it.each(vectors.wilson)('$successes of $n at alpha $alpha', ({ successes, n, alpha, lower, upper, value, stdDev }) => {
    const result = estimate('rate', proportion(successes, n), 1 - alpha);
    expect(result.intervalMethod).toBe('wilson');
    close(result.interval!.lower, lower, 'lower');
    close(result.interval!.upper, upper, 'upper');
    expect(result.interval!.lower).toBeGreaterThanOrEqual(0);
    expect(result.interval!.upper).toBeLessThanOrEqual(1);
    close(result.value!, value, 'rate');
    close(result.stdDev!, stdDev, "sample standard deviation of the 0/1 values (numpy's std, ddof=1)");
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
    expect(result!.significant, 'significant').toBe(p! < alpha);
  });

  it.each(vectors.rates.filter((row) => row.z !== undefined))(
    "relative difference (delta method), Cohen's h and the mSPRT: control $control, treatment $treatment",
    (row) => {
      const result = compare('rate', proportion(...row.control), proportion(...row.treatment), row.alpha, row.tau)!;
      sameRelative(result, row, 'rates');
      close(result.effectSize, row.effectSize!, "Cohen's h (statsmodels' proportion_effectsize)");
      sameSequential(result.sequential, row.sequential!, row.tau!, 'rates');
    },
  );
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
    expect(result.significant, 'significant').toBe(row.p < row.alpha);
    close(result.absoluteInterval.lower, row.lower, 'lower');
    close(result.absoluteInterval.upper, row.upper, 'upper');
    expect(result.sequential?.method).toBe('msprt');
  });

  it.each(vectors.ratios)("ratio vector %#: relative difference, one unit's spread, Cohen's d and the mSPRT", (row) => {
    close(ratioEstimate(row.control, 1 - row.alpha).stdDev!, row.controlStdDev, 'control: standard deviation of the linearised values');
    const result = compareRatio(row.control, row.treatment, row.alpha, row.tau)!;
    sameRelative(result, row, 'ratio');
    close(result.effectSize, row.effectSize, "Cohen's d on the linearised values");
    sameSequential(result.sequential, row.sequential, row.tau, 'ratio');
  });
});

describe("CUPED matches statsmodels' OLS (θ, adjusted difference) and scipy's Welch t on the adjusted values", () => {
  it.each(vectors.cuped)('CUPED vector %#', (row) => {
    const result = cupedCompare(row.control, row.treatment, row.alpha, 1)!;
    expect(result.method).toBe('cuped');
    close(result.theta, row.theta, 'theta');
    close(result.absoluteDifference, row.difference, 'adjusted difference');
    sameWelch(result, row);
    close(result.varianceReduction, row.varianceReduction, 'variance reduction');
    close(cupedResidualSd([row.control, row.treatment])!, row.residualSd, 'residual standard deviation');
  });

  it.each(vectors.cuped)("CUPED vector %#: adjusted means, relative difference, Cohen's d and the mSPRT", (row) => {
    const result = cupedCompare(row.control, row.treatment, row.alpha, row.tau)!;
    close(result.controlValue, row.controlValue, 'adjusted control mean (OLS at the overall covariate mean)');
    close(result.treatmentValue, row.treatmentValue, 'adjusted treatment mean');
    expect([result.controlN, result.treatmentN]).toEqual([row.control.n, row.treatment.n]);
    sameRelative(result, row, 'CUPED');
    close(result.effectSize, row.effectSize, "Cohen's d on y − θx");
    sameSequential(result.sequential, row.sequential, row.tau, 'CUPED');
  });
});

describe("Holm's adjustment matches statsmodels' multipletests(method='holm')", () => {
  it.each(vectors.holm)('p-values %#', ({ p, adjusted }) => {
    holmAdjust(p).forEach((a, i) => close(a, adjusted[i]!, `adjusted p ${i}`));
  });
});

describe("mean sample sizes are the t-test's own (statsmodels' TTestIndPower); a z-tested mean's is the normal formula (NormalIndPower)", () => {
  it.each(vectors.meanSampleSizes)('σ $stdDev, MDE $mde, α $alpha, power $power', (row) => {
    const size = requiredSampleSize({ type: 'mean', stdDev: row.stdDev, mde: row.mde, alpha: row.alpha, power: row.power });
    expect(size.problem).toBeUndefined();
    reachesTPower(size.n!, row.power, row);
    const z = requiredSampleSize({ type: 'mean', stdDev: row.stdDev, mde: row.mde, alpha: row.alpha, power: row.power, test: 'z' });
    // 2σ²(z₁₋α/₂ + z₁₋β)²/δ², rounded up. jstat's and scipy's quantiles agree to about 1e-15, so no vector may sit within
    // 1e-12 (relative) of an integer, where the two could round differently.
    expect(Math.abs(row.raw - Math.round(row.raw))).toBeGreaterThan(1e-12 * row.raw);
    expect(z.n).toBe(Math.ceil(row.raw));
    reachesPower(z.n!, row.power, row);
  });
});

describe('per-arm mean, standard deviation and Student t interval match numpy and scipy.stats.t.interval', () => {
  it.each(vectors.meanArms)('arm %# (n = $aggregate.n, confidence $confidence)', (row) => {
    const result = estimate('mean', row.aggregate, row.confidence);
    expect(result.intervalMethod).toBe('student-t');
    expect(result.n).toBe(row.aggregate.n);
    close(result.value!, row.value, 'mean');
    close(result.stdDev!, row.stdDev, 'standard deviation (ddof=1)');
    close(result.interval!.lower, row.interval[0], 'lower');
    close(result.interval!.upper, row.interval[1], 'upper');
  });
});

describe("mean comparisons from raw values match scipy (Welch), numpy (delta method, Cohen's d) and the mSPRT by quadrature", () => {
  it.each(vectors.meanComparisons)('comparison %# (n = $control.n and $treatment.n)', (row) => {
    const result = compare('mean', row.control, row.treatment, row.alpha, row.tau)!;
    close(result.absoluteDifference, row.difference, 'difference');
    sameWelch(result, row);
    sameRelative(result, row, 'means');
    close(result.effectSize, row.effectSize, "Cohen's d (pooled standard deviation)");
    sameSequential(result.sequential, row.sequential, row.tau, 'means');
  });
});

describe('mSPRT: always-valid p-value (scipy.integrate.quad of the mixture) and confidence sequence (scipy.optimize.brentq)', () => {
  it.each(vectors.sequential)('difference $diff, variance $variance, τ $tau, α $alpha', ({ diff, variance, tau, alpha, expected }) => {
    sameSequential(sequentialTest(diff, variance, tau, alpha), expected, tau, 'mSPRT');
  });
});

describe('whole analyses from raw values: sample size, arms, α split, guardrail mixtures, sample-ratio check', () => {
  it.each(vectors.analyses)('analysis %# ($variants)', (row) => {
    const [control, ...treatments] = row.variants;
    const result = analyse(
      {
        controlVariant: control!,
        treatmentVariants: treatments,
        primaryMetric: { name: 'revenue', type: 'mean', better: 'increase' },
        guardrailMetrics: [
          { name: 'errors', type: 'rate', better: 'decrease' },
          { name: 'latency', type: 'mean', better: 'decrease' },
        ],
        alpha: row.alpha,
        power: row.power,
        minimumDetectableEffect: row.mde,
        baselineRate: null,
        assumedStdDev: null,
        analysis: 'sequential',
      },
      row.totals,
      row.shares,
    );
    // The t-test's sample size from the pooled standard deviation of every arm (statsmodels' TTestIndPower).
    reachesTPower(result.requiredSampleSize!, row.power, row);
    close(result.comparisonAlpha, row.comparisonAlpha, 'comparison alpha');
    row.arms.forEach((arm, i) => {
      const variant = result.variants[i]!;
      close(variant.value!, arm.value, `${variant.variant}: mean`);
      close(variant.stdDev!, arm.stdDev, `${variant.variant}: standard deviation`);
      close(variant.interval!.lower, arm.interval[0], `${variant.variant}: lower`);
      close(variant.interval!.upper, arm.interval[1], `${variant.variant}: upper`);
    });
    const shareTotal = Object.values(row.shares).reduce((a, b) => a + b, 0);
    result.variants.forEach((v) => close(v.expectedShare, row.shares[v.variant]! / shareTotal, `${v.variant}: expected share`));
    close(result.sampleRatio!.chiSquare, row.chiSquare, 'χ²');
    close(result.sampleRatio!.pValue, row.srmP, 'χ² p');
    expect(result.sampleRatio!.degreesOfFreedom).toBe(row.variants.length - 1);
    expect(result.sampleRatio!.mismatch).toBe(row.srmP < 0.001);
    result.sampleRatio!.expected.forEach((e, i) => close(e, row.expected[i]!, `expected count ${i}`));
    row.treatments.forEach((expected, i) => {
      const treatment = result.treatments[i]!;
      expect(treatment.variant).toBe(expected.variant);
      close(treatment.comparison!.statistic, expected.t, `${expected.variant}: t`);
      close(treatment.comparison!.pValue, expected.p, `${expected.variant}: p`);
      expect(treatment.comparison!.significant, `${expected.variant}: significant`).toBe(expected.p < row.comparisonAlpha);
      sameSequential(treatment.comparison!.sequential, expected.sequential, row.mde, `${expected.variant}`);
      expected.guardrails.forEach((g, j) => {
        const guardrail = treatment.guardrails[j]!;
        close(guardrail.comparison!.pValue, g.p, `${expected.variant}, ${guardrail.metric}: p`);
        // Guardrails are judged at the experiment's α, not split between the treatments.
        expect(guardrail.comparison!.significant, `${expected.variant}, ${guardrail.metric}: significant`).toBe(g.p < row.alpha);
        sameSequential(guardrail.comparison!.sequential, g.sequential, g.tau, `${expected.variant}, ${guardrail.metric}`);
      });
    });
  });
});

describe("segments: per-segment tests and mSPRTs, Holm-adjusted over the family as statsmodels' multipletests does", () => {
  it.each(vectors.segments)('segments %# ($type)', (row) => {
    const result = analyseSegments(
      {
        attribute: 'region',
        metric: { name: 'm', type: row.type, better: 'increase' },
        controlVariant: 'control',
        treatmentVariants: row.treatments,
        alpha: row.alpha,
        minimumDetectableEffect: row.mde,
        analysis: 'sequential',
      },
      row.totals,
    );
    expect(result.familySize).toBe(row.family.length);
    const found = result.segments.flatMap((s) => s.treatments.filter((t) => t.comparison !== null).map((t) => ({ segment: s.value, ...t })));
    expect(found).toHaveLength(row.family.length);
    for (const expected of row.family) {
      const what = `${expected.segment}/${expected.variant}`;
      const t = found.find((f) => f.segment === expected.segment && f.variant === expected.variant)!;
      expect(t, what).toBeDefined();
      close(t.comparison!.pValue, expected.p, `${what}: p`);
      expect(t.comparison!.significant, `${what}: fixed-horizon significance`).toBe(expected.p < row.alpha);
      close(t.comparison!.sequential?.pValue ?? 1, expected.sequentialP, `${what}: always-valid p`);
      close(t.adjustedPValue!, expected.adjusted, `${what}: Holm-adjusted p`);
      close(t.adjustedSequentialPValue!, expected.adjustedSequential, `${what}: Holm-adjusted always-valid p`);
      expect(t.significant, what).toBe(expected.adjustedSequential < row.alpha);
    }
    // Each segment's arms: observations and the mean (the rate) of each variant.
    for (const segment of result.segments)
      for (const v of segment.variants) {
        const a = row.totals[segment.value]![v.variant]!;
        expect(v.n).toBe(a.n);
        if (a.n === 0) expect(v.value).toBeNull();
        else close(v.value!, a.sum / a.n, `${segment.value}/${v.variant}: value`);
      }
  });
});

/** The settings of a whole analysis: one primary metric, no guardrails, sequential. */
const settingsOf = (
  row: { variants: string[]; alpha: number; power: number; mde: number },
  primaryMetric: ExperimentMetric,
  cuped = false,
): AnalysisSettings => ({
  controlVariant: row.variants[0]!,
  treatmentVariants: row.variants.slice(1),
  primaryMetric,
  guardrailMetrics: [],
  alpha: row.alpha,
  power: row.power,
  minimumDetectableEffect: row.mde,
  baselineRate: null,
  assumedStdDev: null,
  analysis: 'sequential',
  cuped,
});
const equalShares = (variants: string[]) => Object.fromEntries(variants.map((v) => [v, 1]));
const sameArms = (
  actual: Array<{ variant: string; value: number | null; stdDev: number | null; interval: { lower: number; upper: number } | null }>,
  expected: Array<{ value: number; stdDev: number; interval: [number, number] }>,
) =>
  expected.forEach((arm, i) => {
    const variant = actual[i]!;
    close(variant.value!, arm.value, `${variant.variant}: value`);
    close(variant.stdDev!, arm.stdDev, `${variant.variant}: standard deviation`);
    close(variant.interval!.lower, arm.interval[0], `${variant.variant}: lower`);
    close(variant.interval!.upper, arm.interval[1], `${variant.variant}: upper`);
  });

describe("whole analyses of a rate: sample size from the control's rate at statsmodels' power, Wilson arms, tests at α / treatments", () => {
  it.each(vectors.rateAnalyses)('rate analysis %# ($variants)', (row) => {
    const result = analyse(settingsOf(row, { name: 'converted', type: 'rate', better: 'increase' }), { converted: row.totals }, equalShares(row.variants));
    const n = result.requiredSampleSize!;
    expect(row.powers[String(n)], `statsmodels has the power at ${n}`).toBeDefined();
    expect(row.powers[String(n)]!).toBeGreaterThanOrEqual(row.power);
    expect(row.powers[String(n - 1)]!).toBeLessThan(row.power + 1e-5);
    expect(row.powers[String(n - 2)]!).toBeLessThan(row.power);
    close(result.comparisonAlpha, row.comparisonAlpha, 'comparison alpha');
    sameArms(result.variants, row.arms);
    row.treatments.forEach((expected, i) => {
      const c = result.treatments[i]!.comparison!;
      const what = expected.variant;
      close(c.statistic, expected.z, `${what}: z`);
      close(c.pValue, expected.p, `${what}: p`);
      expect(c.significant, `${what}: significant`).toBe(expected.p < row.comparisonAlpha);
      close(c.absoluteInterval.lower, expected.lower, `${what}: Newcombe lower`);
      close(c.absoluteInterval.upper, expected.upper, `${what}: Newcombe upper`);
      sameRelative(c, expected, what);
      close(c.effectSize, expected.effectSize, `${what}: Cohen's h`);
      sameSequential(c.sequential, expected.sequential, row.mde, what);
    });
  });
});

describe('whole analyses of a ratio metric: delta-method arms, sample size from the pooled linearised spread, delta-method tests', () => {
  it.each(vectors.ratioAnalyses)('ratio analysis %# ($variants)', (row) => {
    const result = analyse(
      settingsOf(row, { name: 'precision', type: 'ratio', numerator: 'tp', denominator: 'predicted', better: 'increase' }),
      {},
      equalShares(row.variants),
      { ratio: row.pairs },
    );
    expect(Math.abs(row.sampleSizeRaw - Math.round(row.sampleSizeRaw))).toBeGreaterThan(1e-9 * row.sampleSizeRaw);
    expect(result.requiredSampleSize).toBe(Math.ceil(row.sampleSizeRaw));
    reachesPower(result.requiredSampleSize!, row.power, row.samplePowers);
    close(result.comparisonAlpha, row.comparisonAlpha, 'comparison alpha');
    sameArms(result.variants, row.arms);
    expect(result.variants.map((v) => v.intervalMethod)).toEqual(row.variants.map(() => 'delta-method'));
    row.treatments.forEach((expected, i) => {
      const c = result.treatments[i]!.comparison!;
      const what = expected.variant;
      expect(c.test).toBe('delta-z');
      close(c.statistic, expected.z, `${what}: z`);
      close(c.pValue, expected.p, `${what}: p`);
      expect(c.significant, `${what}: significant`).toBe(expected.p < row.comparisonAlpha);
      sameRelative(c, expected, what);
      close(c.effectSize, expected.effectSize, `${what}: Cohen's d`);
      sameSequential(c.sequential, expected.sequential, row.mde, what);
    });
  });
});

describe("whole analyses with CUPED: sample size from the residual spread of statsmodels' OLS, adjusted comparisons decide", () => {
  it.each(vectors.cupedAnalyses)('CUPED analysis %# ($variants)', (row) => {
    const result = analyse(settingsOf(row, { name: 'score', type: 'mean', better: 'increase' }, true), { score: row.totals }, equalShares(row.variants), {
      cuped: row.pairs,
    });
    expect(result.sampleSizeBasis).toBe('cuped');
    close(cupedResidualSd(row.variants.map((v) => row.pairs[v]!))!, row.residualSd, 'residual standard deviation');
    reachesTPower(result.requiredSampleSize!, row.power, row);
    row.treatments.forEach((expected, i) => {
      const treatment = result.treatments[i]!;
      const what = expected.variant;
      expect(treatment.decidedOn).toBe('cuped');
      close(treatment.comparison!.statistic, expected.unadjustedT, `${what}: unadjusted t`);
      close(treatment.comparison!.pValue, expected.unadjustedP, `${what}: unadjusted p`);
      const c = treatment.adjusted!;
      close(c.theta, expected.theta, `${what}: θ`);
      close(c.absoluteDifference, expected.difference, `${what}: adjusted difference`);
      close(c.controlValue, expected.controlValue, `${what}: adjusted control mean`);
      close(c.treatmentValue, expected.treatmentValue, `${what}: adjusted treatment mean`);
      close(c.statistic, expected.t, `${what}: t`);
      close(c.degreesOfFreedom!, expected.df, `${what}: df`);
      close(c.pValue, expected.p, `${what}: p`);
      expect(c.significant, `${what}: significant`).toBe(expected.p < row.comparisonAlpha);
      sameRelative(c, expected, what);
      close(c.effectSize, expected.effectSize, `${what}: Cohen's d`);
      sameSequential(c.sequential, expected.sequential, row.mde, what);
    });
  });
});
