import { type Interval, sequentialTest } from '../experiments/experiment-statistics.js';
import type { MetricStats } from '../telemetry/metric-stats.js';

/**
 * The always-valid side of the guards, with no I/O. Each guard is a limit on a candidate figure
 * (its error rate, its mean latency, a bound's statistic); what is tested is the candidate's
 * excess over that limit, a linear combination of the two variants' means, whose variance the
 * aggregates give. The experiments' mSPRT (normal mixture) turns the excess and its variance into
 * a confidence sequence: it covers the true excess at every look with probability ≥ 1 − α, so
 * the scheduler may read it every second without inflating its error rates.
 *
 *   fail      the whole sequence lies above 0: the candidate is worse than the limit.
 *   pass      the whole sequence lies at or below 0: it is not.
 *   undecided the sequence straddles 0.
 */

/** The false-rollback rate a plan tolerates over its whole life, shared between its tested guards. */
export const GUARD_ALPHA = 0.05;

export type SequentialDecision = 'fail' | 'pass' | 'undecided';

export interface SequentialGuardFigures {
  method: 'msprt';
  /** What the sequence is about, in words (for the latency guard: the mean, see `latencyExcess`). */
  tested: string;
  /** Point estimate of the excess over the limit; > 0 means worse than the limit. */
  excess: number;
  /** Confidence sequence for the excess. */
  interval: Interval;
  intervalMethod: 'confidence-sequence';
  /** Always-valid p-value for "the excess is 0" (two-sided). */
  pValue: number;
  /** τ of the N(0, τ²) mixture, tuned so that the sequence is narrowest at the stage's planned samples. */
  mixingStdDev: number;
  /** This guard's share of `GUARD_ALPHA` (Bonferroni over the plan's tested guards). */
  alpha: number;
  decision: SequentialDecision;
}

/** An estimate of the excess over a limit and the variance of that estimate. */
export interface Excess {
  tested: string;
  excess: number;
  variance: number;
  /** Candidate observations behind it: the mixture is tuned against the stage's planned samples. */
  candidateCount: number;
  /** The values the excess can take, when bounded (an error rate's): the confidence sequence is cut to them. */
  range?: { lower: number; upper: number };
}

/**
 * τ² that makes the mSPRT sequence narrowest when the candidate has `horizon` observations
 * (Howard et al. 2021, the choice GrowthBook makes): τ² = V(horizon)·(−2 ln α + ln(1 − 2 ln α)),
 * with the variance at the horizon extrapolated from today's as V·n/horizon.
 */
const mixingVariance = (e: Excess, horizon: number, alpha: number): number => {
  const atHorizon = (e.variance * e.candidateCount) / Math.max(1, horizon);
  return atHorizon * (-2 * Math.log(alpha) + Math.log(1 - 2 * Math.log(alpha)));
};

/** The sequential figures for one guard's excess; `horizon`: the candidate observations the stage plans for. */
export const sequentialGuard = (e: Excess, horizon: number, alpha: number): SequentialGuardFigures | null => {
  if (!Number.isFinite(e.excess) || !Number.isFinite(e.variance)) return null;
  const base = { method: 'msprt' as const, tested: e.tested, excess: e.excess, intervalMethod: 'confidence-sequence' as const, alpha };
  if (e.variance <= 0) {
    // Every observation alike on both sides: the excess is known exactly, and its sign decides.
    const decision: SequentialDecision = e.excess > 0 ? 'fail' : 'pass';
    return { ...base, interval: { lower: e.excess, upper: e.excess }, pValue: e.excess === 0 ? 1 : 0, mixingStdDev: 0, decision };
  }
  const tau = Math.sqrt(mixingVariance(e, horizon, alpha));
  const test = sequentialTest(e.excess, e.variance, tau, alpha, e.range);
  if (!test) return null;
  const decision: SequentialDecision = test.interval.lower > 0 ? 'fail' : test.interval.upper <= 0 ? 'pass' : 'undecided';
  return { ...base, interval: test.interval, pValue: test.pValue, mixingStdDev: tau, decision };
};

/**
 * Variance of a rate's estimate, with the rate taken as (x + 1)/(n + 2): a side with no errors yet
 * still has an uncertain rate (0 of 100 does not prove 0 %), and a zero variance would claim it does.
 */
const rateVariance = (errors: number, n: number): number => {
  const p = (errors + 1) / (n + 2);
  return (p * (1 - p)) / n;
};

/** Variance of a mean's estimate from the population standard deviation telemetry reports. */
const meanVariance = (s: MetricStats): number => ((s.stddev ?? 0) ** 2 * s.count) / (s.count - 1) / s.count;

/** Candidate error rate − (k × control error rate + allowance). */
export const errorRateExcess = (candidate: MetricStats, control: MetricStats, k: number, allowance: number): Excess => ({
  tested: `candidate error rate − (${k} × control error rate + ${allowance})`,
  excess: candidate.errors / candidate.count - (k * control.errors) / control.count - allowance,
  variance: rateVariance(candidate.errors, candidate.count) + k * k * rateVariance(control.errors, control.count),
  candidateCount: candidate.count,
  // Both rates lie in [0, 1].
  range: { lower: -k - allowance, upper: 1 - allowance },
});

/**
 * The latency guard limits p95, and a quantile has no variance that count, sum and sum of squares
 * can give; its sequential figure is on the mean instead, against the same limit: candidate mean −
 * max(k × control mean, control mean + the noise floor). The larger of the two limits binds, so the
 * excess over it is the smaller of the two excesses; each is tested, and the binding one is shown.
 */
export const latencyExcesses = (candidate: MetricStats, control: MetricStats, k: number, floorMs: number): [Excess, Excess] => {
  const cm = candidate.mean ?? 0;
  const km = control.mean ?? 0;
  const vc = meanVariance(candidate);
  const vk = meanVariance(control);
  return [
    { tested: `candidate mean − ${k} × control mean`, excess: cm - k * km, variance: vc + k * k * vk, candidateCount: candidate.count },
    { tested: `candidate mean − (control mean + ${floorMs} ms)`, excess: cm - km - floorMs, variance: vc + vk, candidateCount: candidate.count },
  ];
};

/** The latency guard's decision: it fails only when both limits are clearly exceeded, passes when either clearly holds. */
export const combineLatency = (a: SequentialGuardFigures | null, b: SequentialGuardFigures | null): SequentialGuardFigures | null => {
  if (!a || !b) return a ?? b;
  const binding = a.excess <= b.excess ? a : b;
  const decision: SequentialDecision =
    a.decision === 'fail' && b.decision === 'fail' ? 'fail' : a.decision === 'pass' || b.decision === 'pass' ? 'pass' : 'undecided';
  return { ...binding, decision };
};

/** A bound on the candidate's mean or error rate: its value beyond the bound (one side per bound). */
export const boundExcess = (candidate: MetricStats, stat: 'mean' | 'errorRate', limit: { min?: number; max?: number }): Excess[] => {
  const value = stat === 'mean' ? (candidate.mean ?? 0) : candidate.errors / candidate.count;
  const variance = stat === 'mean' ? meanVariance(candidate) : rateVariance(candidate.errors, candidate.count);
  const name = stat === 'mean' ? 'mean' : 'error rate';
  return [
    ...(limit.max !== undefined ? [{ tested: `${name} − ${limit.max}`, excess: value - limit.max, variance, candidateCount: candidate.count }] : []),
    ...(limit.min !== undefined ? [{ tested: `${limit.min} − ${name}`, excess: limit.min - value, variance, candidateCount: candidate.count }] : []),
  ];
};

/** A bound with a minimum and a maximum fails when either is clearly crossed, passes when both clearly hold. */
export const combineBound = (parts: Array<SequentialGuardFigures | null>): SequentialGuardFigures | null => {
  if (parts.some((p) => p === null) || parts.length === 0) return null;
  const all = parts as SequentialGuardFigures[];
  const worst = all.reduce((a, b) => (b.excess > a.excess ? b : a));
  const decision: SequentialDecision = all.some((p) => p.decision === 'fail') ? 'fail' : all.every((p) => p.decision === 'pass') ? 'pass' : 'undecided';
  return { ...worst, decision };
};
