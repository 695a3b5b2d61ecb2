import { createRequire } from 'node:module';
import type jStatModule from 'jstat';
import { chiSquareUpper, normalTwoSided, studentTPower, studentTQuantile, studentTTwoSided } from './tail-probabilities.js';

// Loaded by the first statistic rather than at start: only reading an experiment's results needs
// it, and most starts never do. jstat is CommonJS, so a synchronous require keeps these functions sync.
let loaded: typeof jStatModule | undefined;
const jStat = (): typeof jStatModule => (loaded ??= createRequire(import.meta.url)('jstat') as typeof jStatModule);

/**
 * The statistics behind experiments, with no I/O: sample sizes, confidence intervals, tests,
 * effect sizes and the sample-ratio-mismatch check. Inputs are the aggregates telemetry keeps
 * per variant (count, sum, sum of squares), so nothing needs the raw observations.
 */

export type MetricType = 'rate' | 'mean';

/** Aggregates of one metric for one variant; for a rate the values are 0/1, so sum = successes. */
export interface VariantAggregate {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * How an interval was computed, named in the API response: Wilson score intervals for a rate (they
 * stay inside [0, 1], unlike Wald's 94%–102% for 49/50), Student t for a mean; for a difference,
 * Newcombe's hybrid score interval built from the two Wilson intervals, or Welch's t.
 */
export type EstimateIntervalMethod = 'wilson' | 'student-t' | 'delta-method';
export type DifferenceIntervalMethod = 'newcombe' | 'welch-t' | 'delta-method' | 'cuped-welch-t';

export interface VariantEstimate {
  n: number;
  /** The rate (successes / n) or the mean. `null` without observations. */
  value: number | null;
  /** Sample standard deviation (n − 1); `null` below two observations. */
  stdDev: number | null;
  /** Confidence interval of `value`; `null` below two observations. */
  interval: Interval | null;
  intervalMethod: EstimateIntervalMethod;
}

export interface Comparison {
  /** treatment − control */
  absoluteDifference: number;
  absoluteInterval: Interval;
  absoluteIntervalMethod: DifferenceIntervalMethod;
  /** (treatment − control) / control; `null` when the control value is 0. */
  relativeDifference: number | null;
  relativeInterval: Interval | null;
  /** z for rates, Welch's t for means. */
  statistic: number;
  /** Welch–Satterthwaite degrees of freedom (means only). */
  degreesOfFreedom: number | null;
  pValue: number;
  /** Which fixed-horizon test gave `statistic` and `pValue` (`delta-z`: ratio metrics; `cuped-welch-t`: CUPED-adjusted values). */
  test: 'pooled-z' | 'welch-t' | 'delta-z' | 'cuped-welch-t';
  /** Cohen's h for rates, Cohen's d for means. */
  effectSize: number;
  significant: boolean;
  /** The always-valid figures beside the fixed-horizon ones; `null` when they cannot be computed. */
  sequential: SequentialComparison | null;
}

/**
 * mSPRT with a normal mixture (Johari, Pekelis and Walsh, "Always valid inference", 2017): a p-value
 * and a confidence sequence that hold however often, and whenever, the results are read. The mixing
 * distribution over the true difference is N(0, τ²) with τ the experiment's minimum detectable effect.
 */
export interface SequentialComparison {
  method: 'msprt';
  /** min(1, 1/Λ), where Λ is the mixture likelihood ratio of the difference against 0. */
  pValue: number;
  /** Confidence sequence for treatment − control at the comparison's alpha. */
  interval: Interval;
  intervalMethod: 'confidence-sequence';
  /** τ: the standard deviation of the mixing distribution. */
  mixingStdDev: number;
  significant: boolean;
}

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  observed: number[];
  expected: number[];
  /** p < 0.001: the split is not what the rollout weights promise; the results are not trustworthy. */
  mismatch: boolean;
}

export const SRM_THRESHOLD = 0.001;

export const normalQuantile = (p: number): number => jStat().normal.inv(p, 0, 1);

/** Wilson's score interval for `successes` of `n` at critical value `z`; always inside [0, 1]. */
export const wilsonInterval = (successes: number, n: number, z: number): Interval => {
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
};

/**
 * Newcombe's hybrid score interval (his method 10) for p₂ − p₁, from each rate's Wilson interval:
 * it stays inside [−1, 1] and keeps its coverage near 0 and 1, where Wald's collapses.
 */
export const newcombeInterval = (p1: number, w1: Interval, p2: number, w2: Interval): Interval => {
  const diff = p2 - p1;
  return {
    lower: Math.max(-1, diff - Math.sqrt((p2 - w2.lower) ** 2 + (w1.upper - p1) ** 2)),
    upper: Math.min(1, diff + Math.sqrt((w2.upper - p2) ** 2 + (p1 - w1.lower) ** 2)),
  };
};

/** Sample variance (n − 1) from aggregates; clamped at 0 against rounding. */
export const sampleVariance = (a: VariantAggregate): number | null => (a.n < 2 ? null : Math.max(0, (a.sumSquares - (a.sum * a.sum) / a.n) / (a.n - 1)));

/** Per-variant estimate with a `confidence` interval: Wilson for rates, Student t for means. */
export const estimate = (type: MetricType, a: VariantAggregate, confidence = 0.95): VariantEstimate => {
  const intervalMethod: EstimateIntervalMethod = type === 'rate' ? 'wilson' : 'student-t';
  if (a.n === 0) return { n: 0, value: null, stdDev: null, interval: null, intervalMethod };
  const value = a.sum / a.n;
  if (a.n < 2) return { n: a.n, value, stdDev: null, interval: null, intervalMethod };
  if (type === 'rate') {
    const z = normalQuantile(1 - (1 - confidence) / 2);
    // The sample standard deviation of the 0/1 values, over n − 1 like a mean's: √(p(1−p)) alone is the n one (0.14 for 49/50, not 0.1414).
    const stdDev = Math.sqrt((value * (1 - value) * a.n) / (a.n - 1));
    return { n: a.n, value, stdDev, interval: wilsonInterval(a.sum, a.n, z), intervalMethod };
  }
  const sd = Math.sqrt(sampleVariance(a)!);
  const t = studentTQuantile(1 - (1 - confidence) / 2, a.n - 1);
  const half = (t * sd) / Math.sqrt(a.n);
  return { n: a.n, value, stdDev: sd, interval: { lower: value - half, upper: value + half }, intervalMethod };
};

/**
 * The mSPRT for a difference `diff` whose estimate has variance `variance` (the unpooled one), with
 * a N(0, τ²) mixture: Λ = √(V/(V+τ²))·exp(diff²τ² / (2V(V+τ²))). Ville's inequality bounds the chance
 * that Λ ever reaches 1/α under no difference by α, so neither figure needs the look count; they need
 * no state between reads either. `null` for a variance of 0 (no test at all) or a τ that is not positive.
 * `range`: the values the difference can take, which the sequence is cut to.
 */
export const sequentialTest = (diff: number, variance: number, tau: number, alpha: number, range?: Interval): SequentialComparison | null => {
  if (!(variance > 0) || !(tau > 0) || !Number.isFinite(diff)) return null;
  const t2 = tau * tau;
  const sum = variance + t2;
  // In logs: with a large n, exp(...) overflows long before the p-value stops being meaningful.
  const logLambda = 0.5 * Math.log(variance / sum) + (diff * diff * t2) / (2 * variance * sum);
  const pValue = Math.min(1, Math.exp(-logLambda));
  const half = Math.sqrt(((2 * variance * sum) / t2) * (Math.log(1 / alpha) + 0.5 * Math.log(sum / variance)));
  if (!Number.isFinite(half) || !Number.isFinite(pValue)) return null;
  return {
    method: 'msprt',
    pValue,
    // Cut to what the parameter can be (a rate difference lies in [−1, 1]): the true value never leaves it, so coverage is unchanged.
    interval: range ? { lower: Math.max(range.lower, diff - half), upper: Math.min(range.upper, diff + half) } : { lower: diff - half, upper: diff + half },
    intervalMethod: 'confidence-sequence',
    mixingStdDev: tau,
    significant: pValue <= alpha,
  };
};

const RATE_DIFFERENCES: Interval = { lower: -1, upper: 1 };

/**
 * Treatment against control at significance `alpha` (two-sided).
 * Rates: two-proportion z-test with the pooled proportion; the difference's interval is
 * Newcombe's hybrid score interval. Means: Welch's t-test with Welch–Satterthwaite degrees of freedom.
 * The relative interval comes from the delta method for a ratio of independent estimates.
 * `null` when either side has fewer than two observations or no variance at all.
 */
export const compare = (type: MetricType, control: VariantAggregate, treatment: VariantAggregate, alpha = 0.05, mixingStdDev?: number): Comparison | null => {
  if (control.n < 2 || treatment.n < 2) return null;
  const c = control.sum / control.n;
  const t = treatment.sum / treatment.n;
  const diff = t - c;
  let varC: number;
  let varT: number;
  let statistic: number;
  let df: number | null = null;
  let pValue: number;
  let critical: number;
  let effectSize: number;
  if (type === 'rate') {
    varC = (c * (1 - c)) / control.n;
    varT = (t * (1 - t)) / treatment.n;
    const pooled = (control.sum + treatment.sum) / (control.n + treatment.n);
    const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
    if (sePooled === 0) return null;
    statistic = diff / sePooled;
    pValue = normalTwoSided(statistic);
    critical = normalQuantile(1 - alpha / 2);
    effectSize = 2 * Math.asin(Math.sqrt(t)) - 2 * Math.asin(Math.sqrt(c));
  } else {
    const s2c = sampleVariance(control)!;
    const s2t = sampleVariance(treatment)!;
    varC = s2c / control.n;
    varT = s2t / treatment.n;
    const se = Math.sqrt(varC + varT);
    if (se === 0) return null;
    statistic = diff / se;
    // (varC + varT)² / (varC² / (nC − 1) + varT² / (nT − 1)), divided through by (varC + varT)² so
    // that variances near float's range (values of 1e140) cannot overflow it into NaN.
    const shareC = varC / (varC + varT);
    df = 1 / (shareC ** 2 / (control.n - 1) + (1 - shareC) ** 2 / (treatment.n - 1));
    pValue = studentTTwoSided(statistic, df);
    critical = studentTQuantile(1 - alpha / 2, df);
    const pooledSd = Math.sqrt(((control.n - 1) * s2c + (treatment.n - 1) * s2t) / (control.n + treatment.n - 2));
    effectSize = pooledSd === 0 ? 0 : diff / pooledSd;
  }
  const seDiff = Math.sqrt(varC + varT);
  const relative = c === 0 ? null : diff / c;
  // Delta method: Var(T/C) ≈ (T/C)² (Var T / T² + Var C / C²); for T = 0 it reduces to Var T / C².
  const seRelative = c === 0 ? null : Math.sqrt(varT / (c * c) + (t / c) ** 2 * (varC / (c * c)));
  const absoluteInterval =
    type === 'rate'
      ? newcombeInterval(c, wilsonInterval(control.sum, control.n, critical), t, wilsonInterval(treatment.sum, treatment.n, critical))
      : { lower: diff - critical * seDiff, upper: diff + critical * seDiff };
  const comparison: Comparison = {
    absoluteDifference: diff,
    absoluteInterval,
    absoluteIntervalMethod: type === 'rate' ? 'newcombe' : 'welch-t',
    relativeDifference: relative,
    relativeInterval: relative === null || seRelative === null ? null : { lower: relative - critical * seRelative, upper: relative + critical * seRelative },
    statistic,
    degreesOfFreedom: df,
    pValue: Math.min(1, Math.max(0, pValue)),
    test: type === 'rate' ? 'pooled-z' : 'welch-t',
    effectSize,
    significant: pValue < alpha,
    sequential: mixingStdDev === undefined ? null : sequentialTest(diff, varC + varT, mixingStdDev, alpha, type === 'rate' ? RATE_DIFFERENCES : undefined),
  };
  // Aggregates past float's range (which telemetry's bounds keep out) would answer NaN: no comparison.
  return [comparison.absoluteDifference, comparison.absoluteInterval.lower, comparison.absoluteInterval.upper, statistic, pValue, effectSize, df ?? 0].every(
    Number.isFinite,
  )
    ? comparison
    : null;
};

export type SampleSizeInput =
  | { type: 'rate'; baselineRate: number; mde: number; alpha: number; power: number }
  | {
      type: 'mean';
      stdDev: number;
      mde: number;
      alpha: number;
      power: number;
      /** The test the analysis runs: Student/Welch t (means, CUPED), or a z-test (ratios' delta method). Default t. */
      test?: 't' | 'z';
    };

/** A sample size, or why the settings cannot give one (said to the user as it is). */
export type SampleSize = { n: number; problem?: never } | { n?: never; problem: string };

/**
 * Observations needed per variant to detect an absolute difference `mde` with a two-sided test.
 * Rates, the pooled-variance formula (Fleiss), whose power at n is the nominal power of the pooled
 * z-test the analysis runs: n = (z₁₋α/₂·√(2p̄(1−p̄)) + z₁₋β·√(p₁(1−p₁) + p₂(1−p₂)))² / δ², with p₁ the
 * baseline, p₂ = p₁ ± δ and p̄ their mean. Means tested with t (equal groups, common σ): the
 * smallest n at which the two-sided Student t-test has the nominal power (noncentral t, as
 * statsmodels' TTestIndPower), found upwards from the normal formula n = 2σ²(z₁₋α/₂ + z₁₋β)² / δ²,
 * which is one to a few observations short (63 instead of 64 for half a standard deviation). Means
 * tested with z (ratios): that normal formula, rounded up.
 *
 * Settings that give no meaningful n are a problem rather than a number: a rate difference that
 * leaves [0, 1] both ways, an effect so large that fewer than two observations would "detect" it,
 * or an n too large to be an exact integer.
 */
export const requiredSampleSize = (input: SampleSizeInput): SampleSize => {
  const zAlpha = normalQuantile(1 - input.alpha / 2);
  const zBeta = normalQuantile(input.power);
  const delta = Math.abs(input.mde);
  let raw: number;
  if (input.type === 'rate') {
    const p1 = input.baselineRate;
    // Test the direction that stays a rate; when neither does, no experiment can show the effect.
    const p2 = p1 + delta <= 1 ? p1 + delta : p1 - delta;
    if (p2 < 0)
      return { problem: `a difference of ${delta} from a rate of ${p1} leaves [0, 1] both ways (${p1 + delta} and ${p1 - delta}); it can never be observed` };
    const mean = (p1 + p2) / 2;
    const sdNull = Math.sqrt(2 * mean * (1 - mean));
    const sdAlternative = Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
    raw = (zAlpha * sdNull + zBeta * sdAlternative) ** 2 / (delta * delta);
  } else {
    raw = (2 * input.stdDev ** 2 * (zAlpha + zBeta) ** 2) / (delta * delta);
  }
  const n = Math.ceil(raw);
  if (!Number.isFinite(raw) || n > Number.MAX_SAFE_INTEGER)
    return { problem: `it needs more than ${Number.MAX_SAFE_INTEGER} observations per variant; choose a larger minimum detectable effect` };
  if (n < 2)
    return {
      problem:
        input.type === 'mean'
          ? `a difference of ${delta} is ${(delta / input.stdDev).toPrecision(3)} standard deviations (σ = ${input.stdDev}): fewer than 2 observations would "detect" it, so the sample-size formula does not apply; choose a smaller minimum detectable effect`
          : `a difference of ${delta} needs fewer than 2 observations per variant; choose a smaller minimum detectable effect`,
    };
  return { n: input.type === 'mean' && input.test !== 'z' ? tTestSampleSize(delta / input.stdDev, input.alpha, input.power, n) : n };
};

/**
 * Observations per variant at which the mSPRT (τ = `mde`, level `alpha`) rejects, at that look
 * alone, an absolute difference of `mde` with probability `power`. The fixed-horizon test reaches
 * the power at `fixedN`; the always-valid test pays for being readable at any time with a wider
 * boundary, and at `fixedN` has about half the power (0.41 at that single look, 0.51 read 50 times,
 * for α 0.05 and power 0.8), so a sequential "no difference" waits for this n instead. The spread
 * of the difference comes from `fixedN` itself (the normal formula backwards: n·δ² / (z₁₋α/₂ + z₁₋β)²,
 * `fixedN` being the sample size at the same α), so rates, means, ratios and CUPED get it the same way. It
 * counts only the last look: the earlier ones can only add power (about 0.86 at this n, read 50
 * times), so the n errs on the safe side. `null` when it would pass exact integers.
 */
export const sequentialSampleSize = (input: { fixedN: number; mde: number; alpha: number; power: number }): number | null => {
  const delta = Math.abs(input.mde);
  const tau2 = delta * delta;
  const perPair = (input.fixedN * delta * delta) / (normalQuantile(1 - input.alpha / 2) + normalQuantile(input.power)) ** 2;
  const logBound = Math.log(1 / input.alpha);
  const reaches = (n: number): boolean => {
    const v = perPair / n;
    const half = Math.sqrt(((2 * v * (v + tau2)) / tau2) * (logBound + 0.5 * Math.log((v + tau2) / v)));
    const sd = Math.sqrt(v);
    return jStat().normal.cdf((delta - half) / sd, 0, 1) + jStat().normal.cdf((-delta - half) / sd, 0, 1) >= input.power;
  };
  if (!(perPair > 0) || !Number.isFinite(perPair)) return null;
  // Power grows with n: gallop up from the fixed-horizon n to a bracket, then bisect.
  let low = Math.max(1, input.fixedN - 1);
  let high = Math.max(2, input.fixedN);
  while (!reaches(high)) {
    low = high;
    high *= 2;
    if (high > Number.MAX_SAFE_INTEGER) return null;
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (reaches(mid)) high = mid;
    else low = mid;
  }
  return high;
};

/** The smallest n per group at which the two-sided t-test on effect size d has `power`, searched from the normal formula's n. */
const tTestSampleSize = (d: number, alpha: number, power: number, from: number): number => {
  const reaches = (n: number) => studentTPower(d * Math.sqrt(n / 2), studentTQuantile(1 - alpha / 2, 2 * n - 2), 2 * n - 2) >= power;
  // The t-test needs about z²₁₋α/₂/4 more observations than the formula whatever n is; the two-sided power also counts
  // rejections in the wrong direction (as statsmodels' does), which at large n reaches the target thousands of n below
  // it. Power grows with n, so gallop to a bracket, then bisect.
  let low: number;
  let high: number;
  if (reaches(from)) {
    high = from;
    let step = 1;
    while (high - step > 2 && reaches(high - step)) step *= 2;
    low = Math.max(2, high - step) - 1;
    if (low < 2 && reaches(2)) return 2;
  } else {
    low = from;
    let step = 1;
    while (!reaches(low + step) && low + step < Number.MAX_SAFE_INTEGER) step *= 2;
    high = low + step;
  }
  // Invariant: low does not reach the power, high does.
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (reaches(mid)) high = mid;
    else low = mid;
  }
  return high;
};

/** Pearson chi-square goodness of fit of observed counts against expected shares (normalised here). */
export const sampleRatioMismatch = (observed: number[], expectedShares: number[], threshold = SRM_THRESHOLD): SampleRatioCheck | null => {
  const total = observed.reduce((a, b) => a + b, 0);
  const shareTotal = expectedShares.reduce((a, b) => a + b, 0);
  if (observed.length < 2 || total === 0 || shareTotal <= 0 || expectedShares.some((s) => s <= 0)) return null;
  const expected = expectedShares.map((s) => (s / shareTotal) * total);
  const chiSquare = observed.reduce((acc, o, i) => acc + (o - expected[i]!) ** 2 / expected[i]!, 0);
  const df = observed.length - 1;
  const pValue = chiSquareUpper(chiSquare, df);
  return { chiSquare, degreesOfFreedom: df, pValue, observed, expected, mismatch: pValue < threshold };
};
