import { createRequire } from 'node:module';
import type jStatModule from 'jstat';

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

export interface VariantEstimate {
  n: number;
  /** The rate (successes / n) or the mean. `null` without observations. */
  value: number | null;
  /** Sample standard deviation (n − 1); `null` below two observations. */
  stdDev: number | null;
  /** Confidence interval of `value`; `null` below two observations. */
  interval: Interval | null;
}

export interface Comparison {
  /** treatment − control */
  absoluteDifference: number;
  absoluteInterval: Interval;
  /** (treatment − control) / control; `null` when the control value is 0. */
  relativeDifference: number | null;
  relativeInterval: Interval | null;
  /** z for rates, Welch's t for means. */
  statistic: number;
  /** Welch–Satterthwaite degrees of freedom (means only). */
  degreesOfFreedom: number | null;
  pValue: number;
  /** Cohen's h for rates, Cohen's d for means. */
  effectSize: number;
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

const normalQuantile = (p: number): number => jStat().normal.inv(p, 0, 1);
const normalCdf = (x: number): number => jStat().normal.cdf(x, 0, 1);

/** Sample variance (n − 1) from aggregates; clamped at 0 against rounding. */
export const sampleVariance = (a: VariantAggregate): number | null => (a.n < 2 ? null : Math.max(0, (a.sumSquares - (a.sum * a.sum) / a.n) / (a.n - 1)));

/** Per-variant estimate with a `confidence` interval: Wald for rates, Student t for means. */
export const estimate = (type: MetricType, a: VariantAggregate, confidence = 0.95): VariantEstimate => {
  if (a.n === 0) return { n: 0, value: null, stdDev: null, interval: null };
  const value = a.sum / a.n;
  if (a.n < 2) return { n: a.n, value, stdDev: null, interval: null };
  if (type === 'rate') {
    const se = Math.sqrt((value * (1 - value)) / a.n);
    const z = normalQuantile(1 - (1 - confidence) / 2);
    return { n: a.n, value, stdDev: Math.sqrt(value * (1 - value)), interval: { lower: value - z * se, upper: value + z * se } };
  }
  const sd = Math.sqrt(sampleVariance(a)!);
  const t = jStat().studentt.inv(1 - (1 - confidence) / 2, a.n - 1);
  const half = (t * sd) / Math.sqrt(a.n);
  return { n: a.n, value, stdDev: sd, interval: { lower: value - half, upper: value + half } };
};

/**
 * Treatment against control at significance `alpha` (two-sided).
 * Rates: two-proportion z-test with the pooled proportion; the difference's interval uses the
 * unpooled (Wald) standard error. Means: Welch's t-test with Welch–Satterthwaite degrees of freedom.
 * The relative interval comes from the delta method for a ratio of independent estimates.
 * `null` when either side has fewer than two observations or no variance at all.
 */
export const compare = (type: MetricType, control: VariantAggregate, treatment: VariantAggregate, alpha = 0.05): Comparison | null => {
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
    pValue = 2 * (1 - normalCdf(Math.abs(statistic)));
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
    pValue = 2 * (1 - jStat().studentt.cdf(Math.abs(statistic), df));
    critical = jStat().studentt.inv(1 - alpha / 2, df);
    const pooledSd = Math.sqrt(((control.n - 1) * s2c + (treatment.n - 1) * s2t) / (control.n + treatment.n - 2));
    effectSize = pooledSd === 0 ? 0 : diff / pooledSd;
  }
  const seDiff = Math.sqrt(varC + varT);
  const relative = c === 0 ? null : diff / c;
  // Delta method: Var(T/C) ≈ (T/C)² (Var T / T² + Var C / C²); for T = 0 it reduces to Var T / C².
  const seRelative = c === 0 ? null : Math.sqrt(varT / (c * c) + (t / c) ** 2 * (varC / (c * c)));
  const comparison: Comparison = {
    absoluteDifference: diff,
    absoluteInterval: { lower: diff - critical * seDiff, upper: diff + critical * seDiff },
    relativeDifference: relative,
    relativeInterval: relative === null || seRelative === null ? null : { lower: relative - critical * seRelative, upper: relative + critical * seRelative },
    statistic,
    degreesOfFreedom: df,
    pValue: Math.min(1, Math.max(0, pValue)),
    effectSize,
    significant: pValue < alpha,
  };
  // Aggregates past float's range (which telemetry's bounds keep out) would answer NaN: no comparison.
  return [comparison.absoluteDifference, comparison.absoluteInterval.lower, comparison.absoluteInterval.upper, statistic, pValue, effectSize, df ?? 0].every(
    Number.isFinite,
  )
    ? comparison
    : null;
};

/**
 * Observations needed per variant to detect an absolute difference `mde` with a two-sided test.
 * Rates (Evan Miller's formulation): n = (z₁₋α/₂·√(2p(1−p)) + z₁₋β·√(p(1−p) + (p+δ)(1−p−δ)))² / δ²,
 * with p the baseline rate. Means (normal approximation, equal groups, common σ):
 * n = 2σ²(z₁₋α/₂ + z₁₋β)² / δ². Rounded up.
 */
export const requiredSampleSize = (
  input:
    | { type: 'rate'; baselineRate: number; mde: number; alpha: number; power: number }
    | { type: 'mean'; stdDev: number; mde: number; alpha: number; power: number },
): number => {
  const zAlpha = normalQuantile(1 - input.alpha / 2);
  const zBeta = normalQuantile(input.power);
  const delta = Math.abs(input.mde);
  if (input.type === 'rate') {
    const p = input.baselineRate;
    // A treatment rate beyond [0, 1] cannot happen: test the reachable direction instead.
    const p2 = p + delta <= 1 ? p + delta : p - delta;
    const sd1 = Math.sqrt(2 * p * (1 - p));
    const sd2 = Math.sqrt(p * (1 - p) + p2 * (1 - p2));
    return Math.ceil((zAlpha * sd1 + zBeta * sd2) ** 2 / (delta * delta));
  }
  return Math.ceil((2 * input.stdDev ** 2 * (zAlpha + zBeta) ** 2) / (delta * delta));
};

/** Pearson chi-square goodness of fit of observed counts against expected shares (normalised here). */
export const sampleRatioMismatch = (observed: number[], expectedShares: number[], threshold = SRM_THRESHOLD): SampleRatioCheck | null => {
  const total = observed.reduce((a, b) => a + b, 0);
  const shareTotal = expectedShares.reduce((a, b) => a + b, 0);
  if (observed.length < 2 || total === 0 || shareTotal <= 0 || expectedShares.some((s) => s <= 0)) return null;
  const expected = expectedShares.map((s) => (s / shareTotal) * total);
  const chiSquare = observed.reduce((acc, o, i) => acc + (o - expected[i]!) ** 2 / expected[i]!, 0);
  const df = observed.length - 1;
  const pValue = 1 - jStat().chisquare.cdf(chiSquare, df);
  return { chiSquare, degreesOfFreedom: df, pValue, observed, expected, mismatch: pValue < threshold };
};
