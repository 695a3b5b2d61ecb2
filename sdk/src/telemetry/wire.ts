import type { HistogramBuckets } from './histogram.js';

/**
 * The telemetry wire format: what SDKs `POST /api/v1/sdk/events` (SDK key, JSON, at most 1 MB;
 * `202` when accepted). Every Signalbox SDK sends exactly this.
 */
export interface EventsPayload {
  /** The sending SDK's name and version, e.g. `signalbox-sdk-js/0.1.0`. */
  sdk: string;
  batches: TelemetryBatch[];
  /** Batches the SDK discarded since its last accepted request (queue full, server refusals). */
  dropped: number;
}

/** What one SDK aggregated over one time window (half-open: `[windowStart, windowEnd)`). */
export interface TelemetryBatch {
  /** ISO-8601. The server files the whole batch under the minute of `windowStart`. */
  windowStart: string;
  windowEnd: string;
  series: SeriesRecord[];
  evaluations: EvaluationCountRecord[];
  /** A few examples worth a human's look (shadow disagreements); optional. */
  samples?: SampleRecord[];
}

/** Aggregates of one metric for one flag variant (or none) over a window. */
export interface SeriesRecord {
  /** The flag the values are attributed to, or `null` for a metric of no flag. */
  flag: string | null;
  /** The variant served, or `null` (no flag, or the caller's default was served). */
  variant: string | null;
  /** e.g. `step.duration_ms`, `model.latency_ms`, `shadow.agreement`, `accuracy`. */
  metric: string;
  /** Values recorded (failures included). */
  count: number;
  sum: number;
  sumSquares: number;
  /** Of `count`, how many were failures. */
  errors: number;
  /** The values' `log2-16` histogram; bucket counts add up to `count`. */
  histogram: { scheme: 'log2-16'; buckets: HistogramBuckets };
}

/** How many evaluations of a flag served a variant for a reason. */
export interface EvaluationCountRecord {
  flag: string;
  /** `null` when the caller's default was served. */
  variant: string | null;
  reason: string;
  count: number;
}

/** One example kept for inspection, e.g. a shadow run whose candidate disagreed with the primary. */
export interface SampleRecord {
  /** `shadow.disagreement` (candidate answered differently) or `shadow.candidate_error` (it failed or timed out). */
  kind: string;
  flag: string;
  variant: string | null;
  /** ISO-8601. */
  at: string;
  /** JSON of the input, the primary's and the candidate's answers (or the candidate's error), each cut to a few KB. */
  input?: unknown;
  primary?: unknown;
  candidate?: unknown;
  error?: string;
}
