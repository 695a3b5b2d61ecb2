import { histogramQuantiles, mergeHistogramBuckets, type HistogramBuckets } from '@signalbox/sdk/telemetry';

/** Aggregates of a metric over some span, as the API reports them. */
export interface MetricStats {
  count: number;
  /** Values per second over the span. */
  rate: number;
  sum: number;
  /** `null` when there are no values. */
  mean: number | null;
  /** Population standard deviation (from the sum of squares); `null` when there are no values. */
  stddev: number | null;
  /** Estimated from the merged `log2-16` histogram (within ~3.1 %). */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errors: number;
  /** errors / count; `null` when there are no values. */
  errorRate: number | null;
}

/** Mergeable running aggregates (what a rollup row holds). */
export class MetricAccumulator {
  count = 0;
  sum = 0;
  sumSquares = 0;
  errors = 0;
  readonly histogram: HistogramBuckets = {};

  add(part: { count: number; sum: number; sumSquares: number; errors: number; histogram: Readonly<HistogramBuckets> }): this {
    this.count += part.count;
    this.sum += part.sum;
    this.sumSquares += part.sumSquares;
    this.errors += part.errors;
    mergeHistogramBuckets(this.histogram, part.histogram);
    return this;
  }

  stats(spanSeconds: number): MetricStats {
    const { count, sum, errors } = this;
    const [p50, p95, p99] = histogramQuantiles(this.histogram, [0.5, 0.95, 0.99]);
    const mean = count > 0 ? sum / count : null;
    // Rounding can push the variance of near-constant values slightly below zero.
    const stddev = mean === null ? null : Math.sqrt(Math.max(0, this.sumSquares / count - mean * mean));
    return {
      count,
      rate: spanSeconds > 0 ? count / spanSeconds : 0,
      sum,
      mean,
      stddev,
      p50: p50 ?? null,
      p95: p95 ?? null,
      p99: p99 ?? null,
      errors,
      errorRate: count > 0 ? errors / count : null,
    };
  }
}
