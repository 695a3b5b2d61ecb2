import { METRICS } from '@signalbox/sdk/telemetry';
import type { ReportedMetric } from '../telemetry/telemetry.service.js';
import type { GuardMetricSources, MetricSource } from './rollout-plan.entity.js';

/**
 * Which metrics a plan's guards watch when its request does not name them, with no I/O.
 *
 * The rule, in order:
 * 1. A metric the request names is kept as it is.
 * 2. Error metric: among the metrics SDKs reported under the flag in the last 7 days, a per-call
 *    metric of the SDK's helpers (`model.latency_ms` from `route().run()`, `step.duration_ms` from
 *    `step()`) before any other; then the most observations in the baseline window; then the most
 *    recently seen; then by name.
 * 3. Latency metric: the same ranking over the reported metrics that carry values (not only 0 and 1),
 *    the error metric first when it carries values.
 * 4. Nothing fitting reported: the helper metric the flag's kind suggests (`step.duration_ms` for a
 *    boolean flag, which gates a step; `model.latency_ms` otherwise, which routes a model), and the
 *    plan says it has no data for it yet. While such a plan waits for its baseline, the scheduler
 *    re-applies the rule, so a flag that starts reporting other names does not wait forever.
 */

/** The helpers' per-call metrics, and the call that records each. */
export const CALL_METRICS: ReadonlyMap<string, string> = new Map([
  [METRICS.modelLatency, 'route().run()'],
  [METRICS.stepDuration, 'step()'],
]);

const fallbackMetric = (flagKind: string): string => (flagKind === 'boolean' ? METRICS.stepDuration : METRICS.modelLatency);

/** What a flag that reported nothing fitting gets: the helper metric its kind suggests, for both guards. */
export const fallbackFor = (flagKind: string) => ({ errorMetric: fallbackMetric(flagKind), latencyMetric: fallbackMetric(flagKind) });

const byFit = (first?: string) => (a: ReportedMetric, b: ReportedMetric) =>
  Number(b.metric === first) - Number(a.metric === first) ||
  Number(CALL_METRICS.has(b.metric)) - Number(CALL_METRICS.has(a.metric)) ||
  b.samples - a.samples ||
  b.lastSeen.getTime() - a.lastSeen.getTime() ||
  (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0);

export interface GuardMetricChoice {
  errorMetric: string;
  latencyMetric: string;
  metricSource: GuardMetricSources;
}

/** The guard metrics for a plan: those the request names, the rest chosen from what the flag reported (see the rule above). */
export const chooseGuardMetrics = (
  requested: { errorMetric?: string; latencyMetric?: string },
  reported: readonly ReportedMetric[],
  fallback: { errorMetric: string; latencyMetric: string },
): GuardMetricChoice => {
  const pick = (source: readonly ReportedMetric[], otherwise: string, first?: string): { metric: string; source: MetricSource } => {
    const best = [...source].sort(byFit(first))[0];
    return best ? { metric: best.metric, source: 'reported' } : { metric: otherwise, source: 'fallback' };
  };
  const error = requested.errorMetric !== undefined ? { metric: requested.errorMetric, source: 'request' as const } : pick(reported, fallback.errorMetric);
  const latency =
    requested.latencyMetric !== undefined
      ? { metric: requested.latencyMetric, source: 'request' as const }
      : pick(
          reported.filter((m) => m.carriesValues),
          fallback.latencyMetric,
          error.metric,
        );
  return { errorMetric: error.metric, latencyMetric: latency.metric, metricSource: { errorMetric: error.source, latencyMetric: latency.source } };
};

/** One guard metric of a plan, explained: why it was chosen and whether it has data. */
export interface GuardMetricNote {
  guard: keyof GuardMetricSources;
  metric: string;
  chosenBy: MetricSource;
  /** Observations under the flag in the baseline window. */
  samples: number;
  /** `null`: never reported under the flag (in the last 7 days). */
  lastSeen: string | null;
  /** Why this metric, in words. */
  why: string;
  /** What the plan cannot judge for lack of data, in words; `null` when the metric has observations in the window. */
  warning: string | null;
}

const recordedBy = (metric: string): string => {
  const call = CALL_METRICS.get(metric);
  return call ? ` (${call} records it)` : '';
};

/** Each guard metric with its reason and, when it has no recent data, what the plan waits for. */
export const guardMetricNotes = (
  guards: { errorMetric: string; latencyMetric: string; minSamples: number; baselineMinutes: number; metricSource?: GuardMetricSources },
  reported: readonly ReportedMetric[],
  controlVariant?: string,
): GuardMetricNote[] =>
  (['errorMetric', 'latencyMetric'] as const).map((guard) => {
    const metric = guards[guard];
    const chosenBy = guards.metricSource?.[guard] ?? 'request';
    const seen = reported.find((m) => m.metric === metric);
    const why =
      chosenBy === 'request'
        ? 'named in the request'
        : chosenBy === 'reported'
          ? `reported by the flag's SDKs${recordedBy(metric)}`
          : `no fitting metric reported under the flag yet; the default for its kind${recordedBy(metric)}`;
    const control = controlVariant ? ` from control '${controlVariant}'` : ' from control';
    const waits =
      guard === 'errorMetric'
        ? `the plan waits for ${guards.minSamples} observations of it${control} in ${guards.baselineMinutes} minutes before its first stage`
        : 'the latency guard cannot judge until both variants report it';
    const warning = !seen
      ? `No data reported for ${metric} under this flag yet: ${waits}.`
      : seen.samples === 0
        ? `No data for ${metric} in the last ${guards.baselineMinutes} minutes (last seen ${seen.lastSeen.toISOString()}): ${waits}.`
        : null;
    return { guard, metric, chosenBy, samples: seen?.samples ?? 0, lastSeen: seen?.lastSeen.toISOString() ?? null, why, warning };
  });
