import type { HistogramBuckets } from '@signalbox/sdk/telemetry';
import type { SeriesDto, TelemetryBatchDto } from './dto/events.dto.js';
import type { EnvironmentRow, EvaluationRollupRow, MetricRollupRow, SampleRow } from './telemetry.repository.js';

const MINUTE_MS = 60_000;

export const stored = (key: string | null): string => key ?? '';
export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/**
 * The flag a key named when a batch was accepted: its id, or null for a key no flag had then.
 * Telemetry is kept by flag key; the id lets a write leave out what was accepted for a flag that
 * has since been deleted (and perhaps created again under its key).
 */
export type FlagIdOf = (flagKey: string) => string | null;

/** A row and the flag its key named when it was accepted (null: no flag had that key). */
export type TaggedRow<T> = EnvironmentRow<T> & { flagId: string | null };

/** A batch's series as a scope sees them: attributed later, once the scopes running are known. */
export interface AttributableBatch {
  environmentId: string;
  /** The batch's own start (the SDK's clock). */
  windowStart: number;
  receivedAt: number;
  series: SeriesDto[];
  /** The flag each series' key named when the batch was accepted (same order as `series`). */
  flagIds: Array<string | null>;
}

/** Everything merged since the last write: at most one row per rollup key. */
export interface PendingRollups {
  metrics: Array<TaggedRow<MetricRollupRow>>;
  evaluations: Array<TaggedRow<EvaluationRollupRow>>;
  lastEvaluated: Array<LastEvaluatedRow>;
  samples: Array<TaggedRow<SampleRow>>;
  attributable: AttributableBatch[];
  batches: number;
}

export interface LastEvaluatedRow {
  environmentId: string;
  flagKey: string;
  flagId: string | null;
  at: Date;
}

const tag = (flagId: string | null): string => flagId ?? '';

const addInto = (row: MetricRollupRow, count: number, sum: number, sumSquares: number, errors: number, histogram: HistogramBuckets): void => {
  row.count += count;
  row.sum += sum;
  row.sumSquares += sumSquares;
  row.errors += errors;
  // mergeHistogramBuckets without its Object.keys array: this runs for every series SDKs send.
  const into = row.histogram;
  for (const key in histogram) if (Object.hasOwn(histogram, key)) into[key] = (into[key] ?? 0) + histogram[key]!;
};

const byKey = <T>(rows: Map<string, T>): T[] => [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);

/**
 * Batches merged in memory into the rows they add to, so many requests cost one upsert per rollup
 * row. No I/O: `drain()` hands the rows over, sorted by key (writers that lock rows in one order
 * cannot deadlock each other).
 */
export class RollupBuffer {
  private metrics = new Map<string, TaggedRow<MetricRollupRow>>();
  private evaluations = new Map<string, TaggedRow<EvaluationRollupRow>>();
  private lastEvaluated = new Map<string, LastEvaluatedRow>();
  private samples: Array<TaggedRow<SampleRow>> = [];
  private attributable: AttributableBatch[] = [];
  private held = 0;

  get isEmpty(): boolean {
    return this.held === 0;
  }

  /** Batches merged since the last drain. */
  get batches(): number {
    return this.held;
  }

  /** Rows held: what a flush will write, and what a full buffer is measured by. */
  get size(): number {
    return this.metrics.size + this.evaluations.size + this.samples.length;
  }

  add(environmentId: string, batch: TelemetryBatchDto, receivedAt: number, sdk: string, flagIdOf: FlagIdOf = () => null): void {
    this.held += 1;
    const windowStart = Date.parse(batch.windowStart);
    const minute = minuteOf(windowStart);
    const windowEnd = new Date(Math.min(Date.parse(batch.windowEnd), receivedAt));
    const attributed: SeriesDto[] = [];
    const attributedIds: Array<string | null> = [];
    for (const s of batch.series) {
      if (s.count === 0) continue;
      const flagId = s.flag === null ? null : flagIdOf(s.flag);
      if (s.flag !== null) {
        attributed.push(s);
        attributedIds.push(flagId);
      }
      const flagKey = stored(s.flag);
      const variantKey = stored(s.variant);
      const key = `${environmentId}\u0000${flagKey}\u0000${tag(flagId)}\u0000${s.metric}\u0000${variantKey}\u0000${minute}`;
      const held = this.metrics.get(key);
      // Most series add to a row already held: nothing is allocated for them but the key.
      if (held !== undefined) addInto(held, s.count, s.sum, s.sumSquares, s.errors, s.histogram.buckets);
      else
        this.metrics.set(key, {
          environmentId,
          flagKey,
          flagId,
          metric: s.metric,
          variantKey,
          minute: new Date(minute),
          count: s.count,
          sum: s.sum,
          sumSquares: s.sumSquares,
          errors: s.errors,
          // Copied: merging into it must not change the request's object.
          histogram: { ...s.histogram.buckets },
        });
    }
    if (attributed.length > 0) this.attributable.push({ environmentId, windowStart, receivedAt, series: attributed, flagIds: attributedIds });
    for (const e of batch.evaluations) {
      if (e.count === 0) continue;
      const flagId = flagIdOf(e.flag);
      const variantKey = stored(e.variant);
      const key = `${environmentId}\u0000${e.flag}\u0000${tag(flagId)}\u0000${variantKey}\u0000${e.reason}\u0000${minute}`;
      const row = this.evaluations.get(key);
      if (row === undefined)
        this.evaluations.set(key, { environmentId, flagKey: e.flag, flagId, variantKey, reason: e.reason, minute: new Date(minute), count: e.count });
      else row.count += e.count;
      const lastKey = `${environmentId}\u0000${e.flag}\u0000${tag(flagId)}`;
      const last = this.lastEvaluated.get(lastKey);
      if (last === undefined) this.lastEvaluated.set(lastKey, { environmentId, flagKey: e.flag, flagId, at: windowEnd });
      else if (last.at < windowEnd) last.at = windowEnd;
    }
    for (const sample of batch.samples ?? []) {
      const { input, primary, candidate, error } = sample;
      this.samples.push({
        environmentId,
        flagKey: sample.flag,
        flagId: flagIdOf(sample.flag),
        variantKey: stored(sample.variant),
        kind: sample.kind,
        recordedAt: new Date(Math.min(Date.parse(sample.at), receivedAt)),
        sample: { input, primary, candidate, error, sdk },
      });
    }
  }

  /** Adds a drained buffer back (its write failed), so the next write carries it; nothing acknowledged is dropped. */
  restore(pending: PendingRollups): void {
    for (const row of pending.metrics) this.addMetric(row);
    for (const row of pending.evaluations) {
      const key = `${row.environmentId}\u0000${row.flagKey}\u0000${tag(row.flagId)}\u0000${row.variantKey}\u0000${row.reason}\u0000${row.minute.getTime()}`;
      const held = this.evaluations.get(key);
      if (held === undefined) this.evaluations.set(key, row);
      else held.count += row.count;
    }
    for (const row of pending.lastEvaluated) {
      const key = `${row.environmentId}\u0000${row.flagKey}\u0000${tag(row.flagId)}`;
      const held = this.lastEvaluated.get(key);
      if (held === undefined) this.lastEvaluated.set(key, row);
      else if (held.at < row.at) held.at = row.at;
    }
    this.samples.push(...pending.samples);
    this.attributable.push(...pending.attributable);
    this.held += pending.batches;
  }

  drain(): PendingRollups {
    const pending: PendingRollups = {
      metrics: byKey(this.metrics),
      evaluations: byKey(this.evaluations),
      lastEvaluated: byKey(this.lastEvaluated),
      samples: this.samples,
      attributable: this.attributable,
      batches: this.held,
    };
    this.metrics = new Map();
    this.evaluations = new Map();
    this.lastEvaluated = new Map();
    this.samples = [];
    this.attributable = [];
    this.held = 0;
    return pending;
  }

  private addMetric(row: TaggedRow<MetricRollupRow>): void {
    const key = `${row.environmentId}\u0000${row.flagKey}\u0000${tag(row.flagId)}\u0000${row.metric}\u0000${row.variantKey}\u0000${row.minute.getTime()}`;
    const held = this.metrics.get(key);
    if (held === undefined) this.metrics.set(key, row);
    else addInto(held, row.count, row.sum, row.sumSquares, row.errors, row.histogram);
  }
}
