import type { CatalogueMetric } from '../../api/metrics';

/** A metric name the form offers, with what the SDKs reported of it. */
export interface MetricOption {
  metric: string;
  label: string;
}

const count = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

/**
 * The reported names to offer for a guard, best first: for latency, metrics that carry values
 * (durations) before 0/1 metrics, whose p95 means nothing; then the most observations; then by name.
 */
export const metricOptions = (reported: readonly CatalogueMetric[], guard: 'errorMetric' | 'latencyMetric'): MetricOption[] =>
  [...reported]
    .sort(
      (a, b) =>
        (guard === 'latencyMetric' ? Number(b.carriesValues) - Number(a.carriesValues) : 0) ||
        b.samples - a.samples ||
        (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0),
    )
    .map((m) => ({
      metric: m.metric,
      label:
        m.samples > 0
          ? `${count(m.samples, 'sample')}, ${count(m.errors, 'error')} recently${m.carriesValues ? '' : ' (0/1 values)'}`
          : `no samples recently (last seen ${m.lastSeen})`,
    }));

/**
 * Why a guard on `metric` would have nothing to judge, in the words the form shows; `null` when
 * the flag reports it (or the catalogue is not loaded, so nothing is known yet).
 */
export const metricWarning = (metric: string, reported: readonly CatalogueMetric[] | undefined, windowMinutes: number): string | null => {
  const name = metric.trim();
  if (reported === undefined || name === '') return null;
  const seen = reported.find((m) => m.metric === name);
  if (!seen) return 'no data reported for this metric yet';
  if (seen.samples === 0) return `no data reported for this metric in the last ${windowMinutes} minutes`;
  return null;
};
