import type { MetricStats } from '../telemetry/metric-stats.js';
import type { RolloutGuards, RolloutStage } from './rollout-plan.entity.js';

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

const fmt = (x: number) => (Math.abs(x) < 1 ? x.toFixed(4) : x.toFixed(2));

/** Checks every guard of the candidate against control over the same window. */
export const checkGuards = (guards: RolloutGuards, candidate: VariantMetrics, control: VariantMetrics): GuardVerdict => {
  const c = candidate[guards.errorMetric];
  const k = control[guards.errorMetric];
  if (!c || !k || c.count < guards.minSamples || k.count < guards.minSamples) return { judged: false, failures: [] };
  const failures: string[] = [];
  const cErr = c.errorRate ?? 0;
  const kErr = k.errorRate ?? 0;
  const errLimit = guards.maxErrorRateRatio * kErr + guards.errorRateAllowance;
  if (cErr > errLimit) failures.push(`error rate ${fmt(cErr)} on ${guards.errorMetric} exceeds ${guards.maxErrorRateRatio}× control (${fmt(kErr)}) + ${guards.errorRateAllowance} = ${fmt(errLimit)}`);
  const cl = candidate[guards.latencyMetric];
  const kl = control[guards.latencyMetric];
  if (cl?.p95 != null && kl?.p95 != null && cl.count >= guards.minSamples && kl.count >= guards.minSamples) {
    if (cl.p95 > guards.maxLatencyRatio * kl.p95 && cl.p95 - kl.p95 >= guards.minLatencyIncreaseMs) failures.push(`p95 ${fmt(cl.p95)} of ${guards.latencyMetric} exceeds ${guards.maxLatencyRatio}× control (${fmt(kl.p95)})`);
  }
  for (const bound of guards.bounds) {
    const stats = candidate[bound.metric];
    if (!stats || stats.count < guards.minSamples) continue;
    const value = stats[bound.stat];
    if (value === null || value === undefined) continue;
    if (bound.max !== undefined && value > bound.max) failures.push(`${bound.stat} of ${bound.metric} is ${fmt(value)}, above ${bound.max}`);
    if (bound.min !== undefined && value < bound.min) failures.push(`${bound.stat} of ${bound.metric} is ${fmt(value)}, below ${bound.min}`);
  }
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
  if (stages.length > 0 && stages[stages.length - 1]!.percent !== 100) problems.push({ field: `stages[${stages.length - 1}].percent`, reason: 'the last stage must be 100' });
  return problems;
};
