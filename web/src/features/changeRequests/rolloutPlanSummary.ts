import type { NewRolloutPlan } from '../../api/rollouts';

/** What a plan left to the server's defaults gets (see GET /rollout-plans/defaults). */
const DEFAULT_STAGES = 'the default stages: 1%, 5%, 10%, 25%, 50%, 100%';

const minutes = (n: number) => (n >= 60 && n % 60 === 0 ? `${n / 60} h` : `${n} min`);

const STATS: Record<string, string> = { mean: 'mean', p50: 'p50', p95: 'p95', p99: 'p99', errorRate: 'error rate' };

/**
 * A rollout-plan change request in words: what it rolls out, its stages and its guards, each line as
 * the plan states it; what the plan leaves out is the server's default (said so, not guessed).
 */
export const rolloutPlanSummary = (plan: NewRolloutPlan): { headline: string; stages: string[]; guards: string[] } => {
  const headline = `Roll out ${plan.candidateVariant} in place of ${plan.controlVariant}, bucketed by ${plan.bucketBy ?? 'targetingKey'}.`;
  const stages =
    plan.stages && plan.stages.length > 0
      ? plan.stages.map(
          (s) =>
            `${s.percent}%${s.minDurationMinutes > 0 || s.minSamples > 0 ? ` for at least ${minutes(s.minDurationMinutes)} and ${s.minSamples} samples` : ''}`,
        )
      : [DEFAULT_STAGES];
  const g = plan.guards ?? {};
  const errorMetric = g.errorMetric ? `of ${g.errorMetric}` : '(metric chosen by the server)';
  const latencyMetric = g.latencyMetric ? `of ${g.latencyMetric}` : '(metric chosen by the server)';
  const guards = [
    `Error rate ${errorMetric} at most ${g.maxErrorRateRatio ?? 2} × control + ${g.errorRateAllowance ?? 0.005}`,
    `p95 ${latencyMetric} at most ${g.maxLatencyRatio ?? 1.5} × control${g.minLatencyIncreaseMs !== undefined ? ` (differences under ${g.minLatencyIncreaseMs} ms ignored)` : ''}`,
    ...(g.bounds ?? []).map((b) => {
      const stat = `${STATS[b.stat] ?? b.stat} of ${b.metric}`;
      if (b.min !== undefined && b.max !== undefined) return `${stat} between ${b.min} and ${b.max}`;
      return b.max !== undefined ? `${stat} at most ${b.max}` : `${stat} at least ${b.min}`;
    }),
    `Judged after ${g.minSamples ?? 50} samples of candidate and control${g.baselineMinutes !== undefined ? `, baseline over ${minutes(g.baselineMinutes)}` : ''}; a failing guard rolls back to ${plan.controlVariant}`,
  ];
  return { headline, stages, guards };
};
