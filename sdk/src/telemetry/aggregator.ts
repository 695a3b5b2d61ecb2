import { MetricSeries } from './metric-series.js';
import type { EvaluationCountRecord, SampleRecord, SeriesRecord } from './wire.js';

/** Limits of {@link TelemetryAggregator}. */
export interface AggregatorLimits {
  /** Distinct (flag, variant, metric) series held at once; values for new ones beyond it are dropped. */
  maxSeries: number;
  /** Distinct (flag, variant, reason) evaluation counters held at once. */
  maxEvaluationCounters: number;
  /** Samples kept per window (reservoir sampling, so every candidate has the same chance). */
  maxSamples: number;
}

export const DEFAULT_AGGREGATOR_LIMITS: AggregatorLimits = { maxSeries: 10_000, maxEvaluationCounters: 10_000, maxSamples: 20 };

/** One window's aggregates, ready to be sent. */
export interface WindowAggregates {
  series: SeriesRecord[];
  evaluations: EvaluationCountRecord[];
  samples: SampleRecord[];
}

class EvaluationCounter {
  count = 0;
  constructor(
    readonly flag: string,
    readonly variant: string | null,
    readonly reason: string,
  ) {}
}

/**
 * In-memory aggregation of metric values and evaluation counts per (flag, variant, metric) and
 * per (flag, variant, reason). Never keyed by context, so memory depends on the number of flags,
 * variants and metric names only, and is capped by {@link AggregatorLimits}. Lookups go through
 * nested maps (no key strings are built per call); series and counters are reused across windows
 * and evicted after a window in which they saw nothing.
 */
export class TelemetryAggregator {
  private readonly series = new Map<string | null, Map<string | null, Map<string, MetricSeries>>>();
  private readonly evaluations = new Map<string, Map<string | null, Map<string, EvaluationCounter>>>();
  private seriesCount = 0;
  private counterCount = 0;
  private samples: SampleRecord[] = [];
  private samplesSeen = 0;
  /** Values and evaluations not aggregated because a limit was reached (since construction). */
  overflowed = 0;

  constructor(private readonly limits: AggregatorLimits = DEFAULT_AGGREGATOR_LIMITS) {}

  /** Records one value. Non-finite values are ignored. */
  record(flag: string | null, variant: string | null, metric: string, value: number, failed = false): void {
    if (!Number.isFinite(value)) return;
    const series = this.seriesFor(flag, variant, metric);
    if (series === undefined) {
      this.overflowed += 1;
      return;
    }
    series.record(value, failed);
  }

  /** Counts one evaluation. */
  recordEvaluation(flag: string, variant: string | null, reason: string): void {
    let byVariant = this.evaluations.get(flag);
    if (byVariant === undefined) {
      byVariant = new Map();
      this.evaluations.set(flag, byVariant);
    }
    let byReason = byVariant.get(variant);
    if (byReason === undefined) {
      byReason = new Map();
      byVariant.set(variant, byReason);
    }
    let counter = byReason.get(reason);
    if (counter === undefined) {
      if (this.counterCount >= this.limits.maxEvaluationCounters) {
        this.overflowed += 1;
        return;
      }
      counter = new EvaluationCounter(flag, variant, reason);
      byReason.set(reason, counter);
      this.counterCount += 1;
    }
    counter.count += 1;
  }

  /** Offers a sample; the window keeps a uniform random `maxSamples` of those offered. */
  offerSample(sample: SampleRecord): void {
    this.samplesSeen += 1;
    if (this.samples.length < this.limits.maxSamples) {
      this.samples.push(sample);
      return;
    }
    const slot = Math.floor(Math.random() * this.samplesSeen);
    if (slot < this.limits.maxSamples) this.samples[slot] = sample;
  }

  /** Distinct series held (for tests and diagnostics). */
  get size(): number {
    return this.seriesCount;
  }

  /** True when nothing was recorded since the last `drain`. */
  get isEmpty(): boolean {
    if (this.samples.length > 0) return false;
    for (const byVariant of this.series.values()) for (const byMetric of byVariant.values()) for (const s of byMetric.values()) if (!s.isEmpty) return false;
    for (const byVariant of this.evaluations.values())
      for (const byReason of byVariant.values()) for (const c of byReason.values()) if (c.count > 0) return false;
    return true;
  }

  /** Takes the window's aggregates and starts a new window. */
  drain(): WindowAggregates {
    const series: SeriesRecord[] = [];
    for (const [flag, byVariant] of this.series) {
      for (const [variant, byMetric] of byVariant) {
        for (const [metric, s] of byMetric) {
          if (s.isEmpty) {
            byMetric.delete(metric);
            this.seriesCount -= 1;
            continue;
          }
          series.push(s.toRecord());
          s.reset();
        }
        if (byMetric.size === 0) byVariant.delete(variant);
      }
      if (byVariant.size === 0) this.series.delete(flag);
    }
    const evaluations: EvaluationCountRecord[] = [];
    for (const [flag, byVariant] of this.evaluations) {
      for (const [variant, byReason] of byVariant) {
        for (const [reason, counter] of byReason) {
          if (counter.count === 0) {
            byReason.delete(reason);
            this.counterCount -= 1;
            continue;
          }
          evaluations.push({ flag: counter.flag, variant: counter.variant, reason: counter.reason, count: counter.count });
          counter.count = 0;
        }
        if (byReason.size === 0) byVariant.delete(variant);
      }
      if (byVariant.size === 0) this.evaluations.delete(flag);
    }
    const samples = this.samples;
    this.samples = [];
    this.samplesSeen = 0;
    return { series, evaluations, samples };
  }

  private seriesFor(flag: string | null, variant: string | null, metric: string): MetricSeries | undefined {
    let byVariant = this.series.get(flag);
    if (byVariant === undefined) {
      byVariant = new Map();
      this.series.set(flag, byVariant);
    }
    let byMetric = byVariant.get(variant);
    if (byMetric === undefined) {
      byMetric = new Map();
      byVariant.set(variant, byMetric);
    }
    let series = byMetric.get(metric);
    if (series === undefined) {
      if (this.seriesCount >= this.limits.maxSeries) return undefined;
      series = new MetricSeries(flag, variant, metric);
      byMetric.set(metric, series);
      this.seriesCount += 1;
    }
    return series;
  }
}
