import type { ExperimentResults, MetricType, Recommendation } from '../../api/experiments';

/** One variant's estimate in the interval chart: the bar spans the 95% CI, the dot is the estimate. */
export interface IntervalRow {
  variant: string;
  /** Not `role`: recharts copies a row's fields onto its SVG shapes, and `role="control"` is an invalid ARIA role. */
  arm: 'control' | 'treatment';
  n: number;
  value: number;
  lower: number;
  upper: number;
  /** [lower, upper], the shape recharts draws as a floating bar. */
  range: [number, number];
}

/** Variants with an estimate, control first, in the metric's unit (rates stay 0–1). */
export const intervalRows = (results: Pick<ExperimentResults, 'variants' | 'experiment'>): IntervalRow[] => {
  const control = results.experiment.controlVariant;
  return results.variants
    .filter((v) => v.value !== null)
    .map((v): IntervalRow => {
      const value = v.value as number;
      const lower = v.interval?.lower ?? value;
      const upper = v.interval?.upper ?? value;
      return { variant: v.variant, arm: v.variant === control ? 'control' : 'treatment', n: v.n, value, lower, upper, range: [lower, upper] };
    })
    .sort((a, b) => (a.arm === b.arm ? 0 : a.arm === 'control' ? -1 : 1));
};

/** An axis that shows every interval with some air around it; rates never leave 0–1. */
export const intervalDomain = (rows: IntervalRow[], type: MetricType): [number, number] => {
  if (rows.length === 0) return type === 'rate' ? [0, 1] : [0, 1];
  const low = Math.min(...rows.map((r) => r.lower));
  const high = Math.max(...rows.map((r) => r.upper));
  const pad = (high - low || Math.abs(high) || 1) * 0.15;
  const domain: [number, number] = [low - pad, high + pad];
  if (type === 'rate') return [Math.max(0, domain[0]), Math.min(1, domain[1])];
  return domain;
};

/** Rates as percentages, means as plain numbers. */
export const formatMetric = (value: number | null | undefined, type: MetricType, digits = 2): string => {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (type === 'rate') return `${(value * 100).toFixed(digits)}%`;
  // Ratios (errors per row) are often small: significant digits, not decimals.
  if (type === 'ratio') return value.toLocaleString('en-US', { maximumSignificantDigits: digits + 2 });
  return value.toLocaleString('en-US', { maximumFractionDigits: digits + 1 });
};

/** A difference of rates in percentage points, of means in the metric unit, with its sign. */
export const formatDifference = (value: number, type: MetricType): string => {
  const sign = value > 0 ? '+' : value < 0 ? '−' : '';
  const magnitude = Math.abs(value);
  if (type === 'rate') return `${sign}${(magnitude * 100).toFixed(2)} pp`;
  if (type === 'ratio') return `${sign}${magnitude.toLocaleString('en-US', { maximumSignificantDigits: 4 })}`;
  return `${sign}${magnitude.toLocaleString('en-US', { maximumFractionDigits: 3 })}`;
};

export const formatPValue = (p: number): string => (p < 0.001 ? '< 0.001' : p.toFixed(3));

/** "p < 0.001" or "p = 0.041". */
export const pValueText = (p: number): string => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/**
 * How far the smallest variant is towards the sample size the experiment needs: in sequential
 * analysis the one at which the always-valid test has its power (`fixedHorizon` then says what a
 * fixed-horizon analysis would need).
 */
export const sampleProgress = (
  results: Pick<ExperimentResults, 'variants' | 'requiredSampleSize' | 'sequentialSampleSize'>,
): { current: number; required: number | null; percent: number | null; fixedHorizon: number | null } => {
  const current = results.variants.length === 0 ? 0 : Math.min(...results.variants.map((v) => v.n));
  const required = results.sequentialSampleSize ?? results.requiredSampleSize;
  const fixedHorizon = results.sequentialSampleSize === null ? null : results.requiredSampleSize;
  if (required === null || required <= 0) return { current, required, percent: null, fixedHorizon };
  return { current, required, percent: Math.min(100, Math.round((current / required) * 100)), fixedHorizon };
};

export const RECOMMENDATION_LABELS: Record<Recommendation, string> = {
  promote: 'Promote',
  'keep-collecting': 'Keep collecting',
  'keep-control': 'Keep control',
  'no-difference': 'No difference',
};

export const recommendationTone = (recommendation: Recommendation) =>
  recommendation === 'promote' ? 'on' : recommendation === 'keep-control' ? 'killed' : recommendation === 'keep-collecting' ? 'info' : 'neutral';
