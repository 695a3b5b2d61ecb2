import type { EvaluationBucket, MetricSeries, MetricStats } from '../../api/evaluationMetrics';

/** The name a chart shows for evaluations that served no variant (the SDK default). */
export const DEFAULT_VARIANT_LABEL = '(default)';

export interface EvaluationChartRow {
  /** Bucket start, epoch ms. */
  t: number;
  total: number;
  /** Evaluations per variant label; every variant of the chart is present (0 when none). */
  counts: Record<string, number>;
}

export interface EvaluationChart {
  rows: EvaluationChartRow[];
  /** Variant labels, most evaluated first. */
  variants: string[];
  total: number;
}

/** What one bar of a bucket chart counts: "per 5 min", "per hour", "per 6 h". */
export const bucketUnit = (minutes: number): string => (minutes === 60 ? 'per hour' : minutes % 60 === 0 ? `per ${minutes / 60} h` : `per ${minutes} min`);

const variantLabel = (variant: string | null) => variant ?? DEFAULT_VARIANT_LABEL;

/**
 * Evaluations of one flag per variant and bucket (reasons summed), ready for a stacked chart.
 * Buckets stay in order and keep zero rows so the time axis has no gaps.
 */
export const evaluationChartData = (buckets: EvaluationBucket[], flag: string): EvaluationChart => {
  const totals = new Map<string, number>();
  const perBucket = buckets.map((bucket) => {
    const counts = new Map<string, number>();
    for (const c of bucket.counts) {
      if (c.flag !== flag) continue;
      const label = variantLabel(c.variant);
      counts.set(label, (counts.get(label) ?? 0) + c.count);
      totals.set(label, (totals.get(label) ?? 0) + c.count);
    }
    return { t: Date.parse(bucket.start), counts };
  });
  const variants = [...totals].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([label]) => label);
  const rows = perBucket
    .sort((a, b) => a.t - b.t)
    .map(({ t, counts }) => {
      const row: Record<string, number> = {};
      for (const v of variants) row[v] = counts.get(v) ?? 0;
      return { t, total: variants.reduce((sum, v) => sum + (row[v] ?? 0), 0), counts: row };
    });
  return { rows, variants, total: rows.reduce((sum, r) => sum + r.total, 0) };
};

/** Evaluations per bucket of every flag (all variants and reasons), for list sparklines. Flags with none are absent. */
export const sparklinesByFlag = (buckets: EvaluationBucket[]): Map<string, { t: number; count: number }[]> => {
  const ordered = [...buckets].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const flags = new Set<string>();
  for (const b of ordered) for (const c of b.counts) if (c.count > 0) flags.add(c.flag);
  const result = new Map<string, { t: number; count: number }[]>();
  for (const flag of flags) {
    result.set(
      flag,
      ordered.map((b) => ({ t: Date.parse(b.start), count: b.counts.filter((c) => c.flag === flag).reduce((sum, c) => sum + c.count, 0) })),
    );
  }
  return result;
};

export interface MetricSummaryRow {
  metric: string;
  variant: string;
  stats: MetricStats;
}

/** One row per metric and variant (totals over the range), sorted by metric then variant. */
export const metricSummaryRows = (series: MetricSeries[]): MetricSummaryRow[] =>
  series
    .filter((s) => s.total.count > 0)
    .map((s) => ({ metric: s.metric, variant: variantLabel(s.variant), stats: s.total }))
    .sort((a, b) => a.metric.localeCompare(b.metric) || a.variant.localeCompare(b.variant));
