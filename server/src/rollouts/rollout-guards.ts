import { type SampleRatioCheck, sampleRatioMismatch } from '../experiments/experiment-statistics.js';
import type { MetricStats } from '../telemetry/metric-stats.js';
import type { MetricBound, RolloutGuards, RolloutStage } from './rollout-plan.entity.js';
import { formatPValue, pEquals } from '../experiments/format-p-value.js';
import {
  boundExcess,
  combineBound,
  combineLatency,
  errorRateExcess,
  GUARD_ALPHA,
  latencyExcesses,
  type SequentialGuardFigures,
  sequentialGuard,
} from './sequential-guards.js';

/** Rollout decisions with no I/O: guard checks and whether a stage may advance, fails or waits. */

export const DEFAULT_STAGES: RolloutStage[] = [
  { percent: 1, minDurationMinutes: 30, minSamples: 100 },
  { percent: 5, minDurationMinutes: 60, minSamples: 100 },
  { percent: 10, minDurationMinutes: 120, minSamples: 100 },
  { percent: 25, minDurationMinutes: 240, minSamples: 100 },
  { percent: 50, minDurationMinutes: 360, minSamples: 100 },
  { percent: 100, minDurationMinutes: 0, minSamples: 0 },
];

export const DEFAULT_GUARDS: RolloutGuards = {
  errorMetric: 'model.latency_ms',
  maxErrorRateRatio: 2,
  errorRateAllowance: 0.005,
  latencyMetric: 'model.latency_ms',
  maxLatencyRatio: 1.5,
  minLatencyIncreaseMs: 1,
  bounds: [],
  minSamples: 50,
  baselineMinutes: 60,
};

/** What the guards see for one variant over the stage window, per metric name. */
export type VariantMetrics = Record<string, MetricStats | undefined>;

/** What the scheduler does with a guard, or with the stage. */
export type GuardDecision = 'fail' | 'pass' | 'wait';

/** One guard as the scheduler judges it: the candidate's value against a limit derived from control. */
export interface GuardRow {
  guard: 'stage samples' | 'error rate' | 'latency p95' | 'bound';
  metric: string;
  /** For a bound: which statistic it limits. */
  stat?: MetricBound['stat'];
  candidate: number | null;
  control: number | null;
  /** The limit in words, with the number it comes to. */
  limit: string;
  /** Fixed-horizon verdict: the point estimate against the limit. `null`: too few observations to judge (for stage samples: still collecting). */
  passing: boolean | null;
  /** The always-valid figures (mSPRT); `null` for stage samples, quantile bounds, and before the minimum samples. */
  sequential: SequentialGuardFigures | null;
  /** What the scheduler does with this guard now. */
  decision: GuardDecision;
  /** Which figures decided: the sequential ones, the fixed-horizon ones (at the stage's horizon, or for a quantile bound), or nothing yet. */
  decidedBy: 'sequential' | 'fixed-horizon' | null;
  /** Why this decision, in words. */
  why: string;
  /** Set when the guard fails: the rollback reason's words. */
  failure?: string;
  unit: 'rate' | 'ms' | 'count' | 'value';
}

/** The stage as a whole: roll back, advance, or wait, and why. */
export interface StageVerdict {
  decision: 'fail' | 'advance' | 'wait';
  reasons: string[];
}

/** The stage's window and where it stands against its minimum duration and samples. */
export interface StageWindow {
  elapsedMinutes: number;
  minDurationMinutes: number;
  candidateSamples: number;
  minSamples: number;
  /** Minimum duration and samples both met: undecided guards may now pass on their fixed-horizon figures. */
  horizonReached: boolean;
}

export interface StageStatus {
  window: StageWindow;
  rows: GuardRow[];
  /** The candidate/control split of the error metric's observations against the stage's percent; `null` before any. */
  sampleRatio: SampleRatioCheck | null;
  verdict: StageVerdict;
}

const fmt = (x: number) => (Math.abs(x) < 1 ? x.toFixed(4) : x.toFixed(2));
const interval = (s: SequentialGuardFigures) => `[${fmt(s.interval.lower)}, ${fmt(s.interval.upper)}]`;

/** How many guards of a plan have a sequential test: they share `GUARD_ALPHA`. */
const testedGuards = (guards: RolloutGuards): number => 2 + guards.bounds.filter((b) => b.stat === 'mean' || b.stat === 'errorRate').length;

interface Judged {
  /** Enough observations on the sides this guard reads. */
  judged: boolean;
  /** Fixed-horizon: the point estimate breaks the limit (today's words, for the rollback reason). */
  fixedFailure?: string;
  sequential: SequentialGuardFigures | null;
  notJudged: string;
}

/**
 * The decision for one guard. The sequential figures decide whenever they are clear; an undecided
 * guard passes on its fixed-horizon figure only once the stage has reached its horizon (minimum
 * duration and samples); a guard without sequential figures (a quantile bound) fails on its
 * fixed-horizon figure, as it always has. A guard without its observations never holds the stage.
 */
const decide = (j: Judged, horizonReached: boolean): Pick<GuardRow, 'decision' | 'decidedBy' | 'why' | 'failure'> => {
  if (!j.judged) return { decision: 'wait', decidedBy: null, why: `${j.notJudged}: not judged, and does not hold the stage` };
  const s = j.sequential;
  if (s === null) {
    if (j.fixedFailure)
      return { decision: 'fail', decidedBy: 'fixed-horizon', why: `${j.fixedFailure} (no sequential test for a quantile)`, failure: j.fixedFailure };
    return horizonReached
      ? { decision: 'pass', decidedBy: 'fixed-horizon', why: 'within the limit at the stage horizon (no sequential test for a quantile)' }
      : { decision: 'wait', decidedBy: null, why: 'within the limit so far; passes at the stage horizon (no sequential test for a quantile)' };
  }
  // The figures themselves are in `sequential`; the words say what they mean. A failure quotes them, as the rollback records it.
  const seq = `confidence sequence for ${s.tested}: ${interval(s)}, ${pEquals(s.pValue, 'always-valid p')} (mSPRT, α = ${s.alpha.toPrecision(3)})`;
  if (s.decision === 'fail') {
    const failure = `${j.fixedFailure ?? `${s.tested} is ${fmt(s.excess)}`}; ${seq}, entirely above 0`;
    return { decision: 'fail', decidedBy: 'sequential', why: 'clearly worse than the limit: the confidence sequence lies entirely above 0', failure };
  }
  if (s.decision === 'pass') return { decision: 'pass', decidedBy: 'sequential', why: 'clearly within the limit: the confidence sequence lies at or below 0' };
  if (horizonReached && !j.fixedFailure)
    return {
      decision: 'pass',
      decidedBy: 'fixed-horizon',
      why: 'not yet clear (the confidence sequence straddles 0), but within the limit at the stage horizon',
    };
  return {
    decision: 'wait',
    decidedBy: null,
    why: j.fixedFailure
      ? 'above the limit but not clearly (the confidence sequence straddles 0): waits for more data'
      : 'not yet clear (the confidence sequence straddles 0): passes at the stage horizon if still within the limit',
  };
};

/**
 * Every guard of a plan over a stage window: the error rate within k × control + allowance, p95 within
 * k × control (an increase below the noise floor never fails), metric bounds, and the stage's sample
 * count; each with its fixed-horizon verdict and sequential figures, and what the scheduler does with
 * it. The scheduler's decision and the API's live view both come from here.
 */
export const stageStatus = (guards: RolloutGuards, stage: RolloutStage, candidate: VariantMetrics, control: VariantMetrics, elapsedMs: number): StageStatus => {
  const rows: GuardRow[] = [];
  const enough = (s: MetricStats | undefined): s is MetricStats => (s?.count ?? 0) >= guards.minSamples;
  const alpha = GUARD_ALPHA / testedGuards(guards);
  const horizon = Math.max(stage.minSamples, guards.minSamples);
  const c = candidate[guards.errorMetric];
  const k = control[guards.errorMetric];
  const samples = c?.count ?? 0;
  const window: StageWindow = {
    elapsedMinutes: Math.max(0, elapsedMs) / 60_000,
    minDurationMinutes: stage.minDurationMinutes,
    candidateSamples: samples,
    minSamples: stage.minSamples,
    horizonReached: elapsedMs >= stage.minDurationMinutes * 60_000 && samples >= stage.minSamples,
  };
  const counts = (a: MetricStats | undefined, b: MetricStats | undefined) =>
    `${a?.count ?? 0} candidate and ${b?.count ?? 0} control observations of ${guards.minSamples}`;

  rows.push({
    guard: 'stage samples',
    metric: guards.errorMetric,
    candidate: samples,
    control: k?.count ?? 0,
    limit: `≥ ${stage.minSamples} to advance`,
    passing: samples >= stage.minSamples ? true : null,
    sequential: null,
    decision: samples >= stage.minSamples ? 'pass' : 'wait',
    decidedBy: null,
    why: samples >= stage.minSamples ? `${samples} candidate samples` : `${samples} of ${stage.minSamples} candidate samples`,
    unit: 'count',
  });

  const cErr = c?.errorRate ?? 0;
  const kErr = k?.errorRate ?? 0;
  const errLimit = guards.maxErrorRateRatio * kErr + guards.errorRateAllowance;
  const errorJudged = enough(c) && enough(k);
  const errorFixedFails = errorJudged && cErr > errLimit;
  const errorJudgement: Judged = {
    judged: errorJudged,
    sequential: errorJudged ? sequentialGuard(errorRateExcess(c, k, guards.maxErrorRateRatio, guards.errorRateAllowance), horizon, alpha) : null,
    notJudged: counts(c, k),
    ...(errorFixedFails
      ? {
          fixedFailure:
            `error rate ${fmt(cErr)} on ${guards.errorMetric} exceeds ${guards.maxErrorRateRatio}× control (${fmt(kErr)}) + ` +
            `${guards.errorRateAllowance} = ${fmt(errLimit)}`,
        }
      : {}),
  };
  rows.push({
    guard: 'error rate',
    metric: guards.errorMetric,
    candidate: c ? cErr : null,
    control: k ? kErr : null,
    limit: `≤ ${guards.maxErrorRateRatio}× control + ${guards.errorRateAllowance} = ${fmt(errLimit)}`,
    passing: errorJudged ? !errorFixedFails : null,
    sequential: errorJudgement.sequential,
    ...decide(errorJudgement, window.horizonReached),
    unit: 'rate',
  });

  const cl = candidate[guards.latencyMetric];
  const kl = control[guards.latencyMetric];
  const cp95 = cl?.p95 ?? null;
  const kp95 = kl?.p95 ?? null;
  const latencyJudged = cp95 !== null && kp95 !== null && enough(cl) && enough(kl);
  const latencyFails = latencyJudged && cp95 > guards.maxLatencyRatio * kp95 && cp95 - kp95 >= guards.minLatencyIncreaseMs;
  const latencyJudgement: Judged = {
    judged: latencyJudged,
    sequential: latencyJudged
      ? combineLatency(
          ...(latencyExcesses(cl, kl, guards.maxLatencyRatio, guards.minLatencyIncreaseMs).map((e) => sequentialGuard(e, horizon, alpha)) as [
            SequentialGuardFigures | null,
            SequentialGuardFigures | null,
          ]),
        )
      : null,
    notJudged: counts(cl, kl),
    ...(latencyFails ? { fixedFailure: `p95 ${fmt(cp95)} of ${guards.latencyMetric} exceeds ${guards.maxLatencyRatio}× control (${fmt(kp95)})` } : {}),
  };
  rows.push({
    guard: 'latency p95',
    metric: guards.latencyMetric,
    candidate: cp95,
    control: kp95,
    limit: kp95 !== null ? `≤ ${guards.maxLatencyRatio}× control = ${fmt(guards.maxLatencyRatio * kp95)} ms` : `≤ ${guards.maxLatencyRatio}× control`,
    passing: latencyJudged ? !latencyFails : null,
    sequential: latencyJudgement.sequential,
    ...decide(latencyJudgement, window.horizonReached),
    unit: 'ms',
  });

  for (const bound of guards.bounds) {
    const stats = candidate[bound.metric];
    const value = stats?.[bound.stat] ?? null;
    const judged = value !== null && enough(stats);
    const fixedFailure = !judged
      ? undefined
      : bound.max !== undefined && value > bound.max
        ? `${bound.stat} of ${bound.metric} is ${fmt(value)}, above ${bound.max}`
        : bound.min !== undefined && value < bound.min
          ? `${bound.stat} of ${bound.metric} is ${fmt(value)}, below ${bound.min}`
          : undefined;
    const testable = bound.stat === 'mean' || bound.stat === 'errorRate';
    let sequential: SequentialGuardFigures | null = null;
    if (judged && testable) {
      const parts = boundExcess(stats, bound.stat as 'mean' | 'errorRate', bound);
      sequential = combineBound(parts.map((e) => sequentialGuard(e, horizon, alpha / parts.length)));
    }
    const judgement: Judged = {
      judged,
      sequential,
      notJudged: `${stats?.count ?? 0} candidate observations of ${guards.minSamples}`,
      ...(fixedFailure ? { fixedFailure } : {}),
    };
    rows.push({
      guard: 'bound',
      metric: bound.metric,
      stat: bound.stat,
      candidate: value,
      control: control[bound.metric]?.[bound.stat] ?? null,
      limit: [bound.min !== undefined ? `≥ ${bound.min}` : null, bound.max !== undefined ? `≤ ${bound.max}` : null].filter(Boolean).join(' and '),
      passing: judged ? fixedFailure === undefined : null,
      sequential,
      // A testable bound whose figures cannot be computed falls back to the quantile rule.
      ...decide(judgement, window.horizonReached),
      unit: bound.stat === 'errorRate' ? 'rate' : 'value',
    });
  }

  const sampleRatio = c && k ? sampleRatioMismatch([c.count, k.count], [stage.percent, 100 - stage.percent]) : null;
  return { window, rows, sampleRatio, verdict: stageVerdict(rows, window, sampleRatio, stage.percent) };
};

/**
 * Roll back as soon as any guard fails; advance once the stage has reached its horizon and every
 * judged guard passes; otherwise wait. A sample-ratio mismatch holds the stage (its figures compare
 * groups the split did not make) but does not roll it back: it says the data, not the candidate, is wrong.
 */
const stageVerdict = (rows: GuardRow[], window: StageWindow, srm: SampleRatioCheck | null, percent: number): StageVerdict => {
  const failures = rows.flatMap((r) => (r.decision === 'fail' && r.failure ? [r.failure] : []));
  if (failures.length > 0) return { decision: 'fail', reasons: failures };
  const reasons: string[] = [];
  if (window.elapsedMinutes < window.minDurationMinutes)
    reasons.push(`${window.elapsedMinutes.toFixed(1)} of ${window.minDurationMinutes} minutes of the stage's minimum duration`);
  if (window.candidateSamples < window.minSamples) reasons.push(`${window.candidateSamples} of ${window.minSamples} candidate samples`);
  if (srm?.mismatch)
    reasons.push(
      `sample ratio mismatch: ${srm.observed[0]} candidate and ${srm.observed[1]} control observations for a ${percent}% split ` +
        `(χ² p = ${formatPValue(srm.pValue)} < 0.001); check that the SDKs report the variant they served`,
    );
  // A guard without its observations (`passing: null`) does not hold a stage that reached its horizon.
  for (const row of rows)
    if (row.decision === 'wait' && row.guard !== 'stage samples' && row.passing !== null) reasons.push(`${row.guard} ${row.metric}: ${row.why}`);
  return reasons.length > 0
    ? { decision: 'wait', reasons }
    : { decision: 'advance', reasons: rows.filter((r) => r.guard !== 'stage samples').map((r) => `${r.guard} ${r.metric}: ${r.why}`) };
};

/** Problems with a plan's stages, as field paths. */
export const stageProblems = (stages: RolloutStage[]): Array<{ field: string; reason: string }> => {
  const problems: Array<{ field: string; reason: string }> = [];
  stages.forEach((s, i) => {
    if (i > 0 && s.percent <= stages[i - 1]!.percent) problems.push({ field: `stages[${i}].percent`, reason: 'must be greater than the previous stage' });
  });
  if (stages.length > 0 && stages[stages.length - 1]!.percent !== 100)
    problems.push({ field: `stages[${stages.length - 1}].percent`, reason: 'the last stage must be 100' });
  return problems;
};
