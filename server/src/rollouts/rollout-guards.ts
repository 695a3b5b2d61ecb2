import type { MetricStats } from '../telemetry/metric-stats.js';
import type { MetricBound, RolloutGuards, RolloutStage } from './rollout-plan.entity.js';

/** Rollout decisions with no I/O: guard checks and whether a stage may advance. */

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

export interface GuardVerdict {
  /** Enough observations to judge at all. */
  judged: boolean;
  failures: string[];
}

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
  /** `null`: not enough observations to judge yet (for stage samples: still collecting). */
  passing: boolean | null;
  /** Why it fails, as the rollback reason says it. */
  failure?: string;
  unit: 'rate' | 'ms' | 'count' | 'value';
}

const fmt = (x: number) => (Math.abs(x) < 1 ? x.toFixed(4) : x.toFixed(2));

/**
 * Every guard of a plan over a window: the error rate within k × control + allowance, p95 within
 * k × control (an increase below the noise floor never fails), metric bounds, and, when `stage`
 * is given, its sample count. The scheduler's verdict and the API's live view both come from here.
 */
export const guardRows = (guards: RolloutGuards, stage: RolloutStage | undefined, candidate: VariantMetrics, control: VariantMetrics): GuardRow[] => {
  const rows: GuardRow[] = [];
  const enough = (s: MetricStats | undefined): s is MetricStats => (s?.count ?? 0) >= guards.minSamples;
  const c = candidate[guards.errorMetric];
  const k = control[guards.errorMetric];
  if (stage) {
    const samples = c?.count ?? 0;
    rows.push({
      guard: 'stage samples',
      metric: guards.errorMetric,
      candidate: samples,
      control: k?.count ?? 0,
      limit: `≥ ${stage.minSamples} to advance`,
      passing: samples >= stage.minSamples ? true : null,
      unit: 'count',
    });
  }

  const cErr = c?.errorRate ?? 0;
  const kErr = k?.errorRate ?? 0;
  const errLimit = guards.maxErrorRateRatio * kErr + guards.errorRateAllowance;
  const errorRateJudged = enough(c) && enough(k);
  rows.push({
    guard: 'error rate',
    metric: guards.errorMetric,
    candidate: c ? cErr : null,
    control: k ? kErr : null,
    limit: `≤ ${guards.maxErrorRateRatio}× control + ${guards.errorRateAllowance} = ${fmt(errLimit)}`,
    passing: errorRateJudged ? cErr <= errLimit : null,
    ...(errorRateJudged && cErr > errLimit
      ? {
          failure:
            `error rate ${fmt(cErr)} on ${guards.errorMetric} exceeds ${guards.maxErrorRateRatio}× control (${fmt(kErr)}) + ` +
            `${guards.errorRateAllowance} = ${fmt(errLimit)}`,
        }
      : {}),
    unit: 'rate',
  });

  const cl = candidate[guards.latencyMetric];
  const kl = control[guards.latencyMetric];
  const cp95 = cl?.p95 ?? null;
  const kp95 = kl?.p95 ?? null;
  const latencyJudged = cp95 !== null && kp95 !== null && enough(cl) && enough(kl);
  const latencyFails = latencyJudged && cp95 > guards.maxLatencyRatio * kp95 && cp95 - kp95 >= guards.minLatencyIncreaseMs;
  rows.push({
    guard: 'latency p95',
    metric: guards.latencyMetric,
    candidate: cp95,
    control: kp95,
    limit: kp95 !== null ? `≤ ${guards.maxLatencyRatio}× control = ${fmt(guards.maxLatencyRatio * kp95)} ms` : `≤ ${guards.maxLatencyRatio}× control`,
    passing: latencyJudged ? !latencyFails : null,
    ...(latencyFails ? { failure: `p95 ${fmt(cp95!)} of ${guards.latencyMetric} exceeds ${guards.maxLatencyRatio}× control (${fmt(kp95!)})` } : {}),
    unit: 'ms',
  });

  for (const bound of guards.bounds) {
    const stats = candidate[bound.metric];
    const value = stats?.[bound.stat] ?? null;
    const judged = value !== null && enough(stats);
    const failure = !judged
      ? undefined
      : bound.max !== undefined && value > bound.max
        ? `${bound.stat} of ${bound.metric} is ${fmt(value)}, above ${bound.max}`
        : bound.min !== undefined && value < bound.min
          ? `${bound.stat} of ${bound.metric} is ${fmt(value)}, below ${bound.min}`
          : undefined;
    rows.push({
      guard: 'bound',
      metric: bound.metric,
      stat: bound.stat,
      candidate: value,
      control: control[bound.metric]?.[bound.stat] ?? null,
      limit: [bound.min !== undefined ? `≥ ${bound.min}` : null, bound.max !== undefined ? `≤ ${bound.max}` : null].filter(Boolean).join(' and '),
      passing: judged ? failure === undefined : null,
      ...(failure ? { failure } : {}),
      unit: bound.stat === 'errorRate' ? 'rate' : 'value',
    });
  }
  return rows;
};

/** Checks every guard of the candidate against control over the same window; nothing is judged before the error metric has its samples on both sides. */
export const checkGuards = (guards: RolloutGuards, candidate: VariantMetrics, control: VariantMetrics): GuardVerdict => {
  const c = candidate[guards.errorMetric];
  const k = control[guards.errorMetric];
  if (!c || !k || c.count < guards.minSamples || k.count < guards.minSamples) return { judged: false, failures: [] };
  const failures = guardRows(guards, undefined, candidate, control).flatMap((row) => (row.failure ? [row.failure] : []));
  return { judged: true, failures };
};

/** A healthy stage advances once its duration has passed and the candidate has its samples. */
export const stageDue = (stage: RolloutStage, startedAt: Date, now: Date, candidateSamples: number): boolean =>
  now.getTime() - startedAt.getTime() >= stage.minDurationMinutes * 60_000 && candidateSamples >= stage.minSamples;

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
