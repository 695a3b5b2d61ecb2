import type { MetricStats, MetricSeries } from '../../api/telemetry';
import type { RolloutPlan } from '../../api/rollouts';

/** One guard as the scheduler judges it: the candidate's value against a limit derived from control. */
export interface GuardRow {
  guard: string;
  metric: string;
  candidate: number | null;
  control: number | null;
  limit: string;
  /** null: not enough observations yet to judge (or, for the stage's samples, still collecting). */
  passing: boolean | null;
  unit: 'rate' | 'ms' | 'count' | 'value';
}

const totalOf = (series: MetricSeries[], variant: string, metric: string): MetricStats | undefined =>
  series.find((s) => s.variant === variant && s.metric === metric)?.total;

const fmt = (x: number) => (Math.abs(x) < 1 ? x.toFixed(4) : x.toFixed(2));

/**
 * The guards of a plan over the stage window, mirroring the server's checkGuards: error rate within
 * k × control + allowance, p95 within k × control (unless the increase is below the noise floor),
 * metric bounds, and the stage's sample count.
 */
export const guardRows = (plan: Pick<RolloutPlan, 'guards' | 'stages' | 'currentStage' | 'candidateVariant' | 'controlVariant'>, series: MetricSeries[]): GuardRow[] => {
  const { guards } = plan;
  const c = totalOf(series, plan.candidateVariant, guards.errorMetric);
  const k = totalOf(series, plan.controlVariant, guards.errorMetric);
  const enough = (s: MetricStats | undefined) => (s?.count ?? 0) >= guards.minSamples;
  const rows: GuardRow[] = [];

  const stage = plan.stages[plan.currentStage];
  if (stage) {
    const samples = c?.count ?? 0;
    rows.push({ guard: 'Stage samples', metric: guards.errorMetric, candidate: samples, control: k?.count ?? 0, limit: `≥ ${stage.minSamples} to advance`, passing: samples >= stage.minSamples ? true : null, unit: 'count' });
  }

  const cErr = c?.errorRate ?? 0;
  const kErr = k?.errorRate ?? 0;
  const errLimit = guards.maxErrorRateRatio * kErr + guards.errorRateAllowance;
  rows.push({
    guard: 'Error rate',
    metric: guards.errorMetric,
    candidate: c ? cErr : null,
    control: k ? kErr : null,
    limit: `≤ ${guards.maxErrorRateRatio}× control + ${guards.errorRateAllowance} = ${fmt(errLimit)}`,
    passing: enough(c) && enough(k) ? cErr <= errLimit : null,
    unit: 'rate',
  });

  const cl = totalOf(series, plan.candidateVariant, guards.latencyMetric);
  const kl = totalOf(series, plan.controlVariant, guards.latencyMetric);
  const latencyJudged = cl?.p95 != null && kl?.p95 != null && enough(cl) && enough(kl);
  rows.push({
    guard: 'Latency p95',
    metric: guards.latencyMetric,
    candidate: cl?.p95 ?? null,
    control: kl?.p95 ?? null,
    limit: kl?.p95 != null ? `≤ ${guards.maxLatencyRatio}× control = ${fmt(guards.maxLatencyRatio * kl.p95)} ms` : `≤ ${guards.maxLatencyRatio}× control`,
    passing: latencyJudged ? !(cl.p95! > guards.maxLatencyRatio * kl.p95! && cl.p95! - kl.p95! >= guards.minLatencyIncreaseMs) : null,
    unit: 'ms',
  });

  for (const bound of guards.bounds) {
    const stats = totalOf(series, plan.candidateVariant, bound.metric);
    const value = stats ? (stats[bound.stat] ?? null) : null;
    const limits = [bound.min !== undefined ? `≥ ${bound.min}` : null, bound.max !== undefined ? `≤ ${bound.max}` : null].filter(Boolean).join(' and ');
    const judged = value !== null && (stats?.count ?? 0) >= guards.minSamples;
    rows.push({
      guard: `${bound.stat} bound`,
      metric: bound.metric,
      candidate: value,
      control: totalOf(series, plan.controlVariant, bound.metric)?.[bound.stat] ?? null,
      limit: limits || 'none',
      passing: judged ? !((bound.max !== undefined && value > bound.max) || (bound.min !== undefined && value < bound.min)) : null,
      unit: bound.stat === 'errorRate' ? 'rate' : 'value',
    });
  }
  return rows;
};

/** Stages as steps: done, current, or still to come. */
export const stageSteps = (plan: Pick<RolloutPlan, 'stages' | 'currentStage' | 'status'>): { percent: number; state: 'done' | 'current' | 'next' }[] =>
  plan.stages.map((s, i) => ({
    percent: s.percent,
    state: plan.status === 'completed' || i < plan.currentStage ? 'done' : i === plan.currentStage ? 'current' : 'next',
  }));
