import { HISTOGRAM_SCHEME, histogramIndex, type HistogramBuckets } from './histogram.js';
import type { SeriesRecord } from './wire.js';

/**
 * Running aggregates of one (flag, variant, metric): count, sum, sum of squares, failures and a
 * `log2-16` histogram. Created once and reset in place after each window, so recording a value
 * in steady state allocates nothing.
 */
export class MetricSeries {
  count = 0;
  sum = 0;
  sumSquares = 0;
  errors = 0;
  /** Bucket index → count; entries are kept across windows (zeroed) to avoid re-inserting them. */
  private readonly buckets = new Map<number, number>();

  constructor(
    readonly flag: string | null,
    readonly variant: string | null,
    readonly metric: string,
  ) {}

  /** Records a finite value (callers filter out the rest); `failed` counts it as a failure too. */
  record(value: number, failed: boolean): void {
    this.count += 1;
    this.sum += value;
    this.sumSquares += value * value;
    if (failed) this.errors += 1;
    const index = histogramIndex(value);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** The window's aggregates as a wire record. */
  toRecord(): SeriesRecord {
    const buckets: HistogramBuckets = {};
    for (const [index, count] of this.buckets) if (count > 0) buckets[index] = count;
    return {
      flag: this.flag,
      variant: this.variant,
      metric: this.metric,
      count: this.count,
      sum: this.sum,
      sumSquares: this.sumSquares,
      errors: this.errors,
      histogram: { scheme: HISTOGRAM_SCHEME, buckets },
    };
  }

  /** Starts a new window. */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.sumSquares = 0;
    this.errors = 0;
    for (const index of this.buckets.keys()) this.buckets.set(index, 0);
  }
}
