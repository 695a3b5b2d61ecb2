import { randomUUID } from 'node:crypto';
import type { HistogramBuckets } from '@signalbox/sdk/telemetry';
import type { ParsedBuckets } from './dto/events-body.pipe.js';
import { bucketIndexOf, type SeriesDto, type TelemetryBatchDto } from './dto/events.dto.js';
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

/** Widest run of bucket indexes a row keeps in an array; a wider histogram (rare, or hostile) is kept in a map. */
const MAX_DENSE_SPAN = 256;

/**
 * A row's histogram while it is merged: counts by bucket index in a Float64Array over the indexes
 * seen (a metric's values cluster), instead of an object whose properties every series adds to.
 * Bucket keys are validated before (bucketIndexOf: `-0` is bucket 0).
 */
export class Buckets {
  private base = 0;
  private dense: Float64Array | undefined;
  private sparse: Map<number, number> | undefined;

  static ofParsed(parsed: ParsedBuckets, from: number, to: number): Buckets {
    const buckets = new Buckets();
    // Sized for the first series' indexes at once, instead of grown as they come.
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (let b = from; b < to; b++) {
      const index = parsed.indexes[b]!;
      if (index < low) low = index;
      if (index > high) high = index;
    }
    if (to > from && high - low + 1 <= MAX_DENSE_SPAN) buckets.cover(low, high);
    buckets.addParsed(parsed, from, to);
    return buckets;
  }

  static of(histogram: HistogramBuckets): Buckets {
    const buckets = new Buckets();
    buckets.addAll(histogram);
    return buckets;
  }

  /** Adds buckets the validation read already (`ParsedBuckets`, from `from` to before `to`). */
  addParsed(parsed: ParsedBuckets, from: number, to: number): void {
    for (let b = from; b < to; b++) this.add(parsed.indexes[b]!, parsed.counts[b]!);
  }

  addAll(histogram: HistogramBuckets): void {
    for (const key in histogram) if (Object.hasOwn(histogram, key)) this.add(bucketIndexOf(key), histogram[key]!);
  }

  add(index: number, count: number): void {
    const dense = this.dense;
    if (dense !== undefined) {
      const at = index - this.base;
      if (at >= 0 && at < dense.length) {
        dense[at]! += count;
        return;
      }
    }
    this.addSlowly(index, count);
  }

  toObject(): HistogramBuckets {
    const out: HistogramBuckets = {};
    if (this.sparse !== undefined) for (const [index, count] of this.sparse) out[String(index)] = count;
    else if (this.dense !== undefined) for (let at = 0; at < this.dense.length; at++) if (this.dense[at]! > 0) out[String(this.base + at)] = this.dense[at]!;
    return out;
  }

  private addSlowly(index: number, count: number): void {
    if (this.sparse !== undefined) {
      this.sparse.set(index, (this.sparse.get(index) ?? 0) + count);
      return;
    }
    const dense = this.dense;
    if (dense === undefined) {
      this.cover(index, index);
      this.dense![index - this.base] = count;
      return;
    }
    const low = Math.min(this.base, index);
    const high = Math.max(this.base + dense.length - 1, index);
    if (high - low + 1 > MAX_DENSE_SPAN) {
      const sparse = new Map<number, number>();
      for (let at = 0; at < dense.length; at++) if (dense[at]! > 0) sparse.set(this.base + at, dense[at]!);
      sparse.set(index, (sparse.get(index) ?? 0) + count);
      this.sparse = sparse;
      this.dense = undefined;
      return;
    }
    this.cover(low, high);
    this.dense![index - this.base]! += count;
  }

  /**
   * Makes the array cover indexes `low` to `high` (at most MAX_DENSE_SPAN apart), keeping what it
   * holds, with room on both sides for the next few indexes (at least 32 places).
   */
  private cover(low: number, high: number): void {
    const from = Math.max(low - 8, high - MAX_DENSE_SPAN + 1);
    const grown = new Float64Array(Math.max(32, Math.min(high + 8, from + MAX_DENSE_SPAN - 1) - from + 1));
    if (this.dense !== undefined) grown.set(this.dense, this.base - from);
    this.base = from;
    this.dense = grown;
  }
}

/** A row while it is merged: its histogram as Buckets (written out as an object at drain). */
type HeldMetricRow = Omit<TaggedRow<MetricRollupRow>, 'histogram'> & { buckets: Buckets };

/** One flag's metric for one variant in one environment: what a row of each minute adds to, and what a scope totals. */
export interface SeriesRows {
  readonly flag: FlagRows;
  readonly metric: string;
  readonly variantKey: string;
  readonly minutes: Map<number, HeldMetricRow>;
}

/**
 * The series of flags held for attribution to scopes (experiments, rollout stages), which are
 * known only at the write: per series its numbers and histogram, in flat arrays of numbers (and
 * the histogram's bucket keys), not the request's objects, which would otherwise live until the
 * write and be copied by every collection on the way.
 */
/** A growable column of numbers: appending to a Float64Array costs less than to a large JavaScript array. */
export class NumberColumn {
  private data: Float64Array;
  length = 0;

  /** `expected`: how many numbers it will likely take (the previous flush's column held as many), so it is not grown by copies on the way. */
  constructor(expected = 0) {
    // At most 8 MB up front: a flush that held far more (the database away) does not set the size for ever after.
    this.data = new Float64Array(Math.min(Math.max(256, expected), 1 << 20));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index]!;
  }
}

export class AttributionLog {
  /** Per batch: its own start (the SDK's clock) and when it was received. */
  readonly windowStarts: NumberColumn;
  readonly receivedAts: NumberColumn;
  /** Per series: what it adds to, its batch, count, sum, sum of squares, errors, and where its buckets end. */
  readonly series: SeriesRows[] = [];
  readonly batchOf: NumberColumn;
  readonly numbers: NumberColumn;
  readonly bucketsEnd: NumberColumn;
  readonly bucketIndexes: NumberColumn;
  readonly bucketCounts: NumberColumn;

  /** `previous`: the log of the last flush, whose sizes this one's columns start at (telemetry comes at a steady rate). */
  constructor(previous?: AttributionLog) {
    this.windowStarts = new NumberColumn(previous?.windowStarts.length);
    this.receivedAts = new NumberColumn(previous?.receivedAts.length);
    this.batchOf = new NumberColumn(previous?.batchOf.length);
    this.numbers = new NumberColumn(previous?.numbers.length);
    this.bucketsEnd = new NumberColumn(previous?.bucketsEnd.length);
    this.bucketIndexes = new NumberColumn(previous?.bucketIndexes.length);
    this.bucketCounts = new NumberColumn(previous?.bucketCounts.length);
  }
  /** The flags its series belong to. */
  readonly flags = new Set<FlagRows>();

  get length(): number {
    return this.series.length;
  }

  /** Adds a batch; its series follow with `addSeries`. */
  addBatch(windowStart: number, receivedAt: number): number {
    this.windowStarts.push(windowStart);
    this.receivedAts.push(receivedAt);
    return this.receivedAts.length - 1;
  }

  /**
   * Adds a series of `batch`, merging it into `row` at the same time (or, without a row, only
   * logging it): one walk over its buckets for both.
   */
  addSeries(rows: SeriesRows, batch: number, s: SeriesDto, row: HeldMetricRow | undefined, parsed?: ParsedBuckets, from = 0, to = 0): void {
    this.series.push(rows);
    this.batchOf.push(batch);
    const numbers = this.numbers;
    numbers.push(s.count);
    numbers.push(s.sum);
    numbers.push(s.sumSquares);
    numbers.push(s.errors);
    const histogram = s.histogram.buckets;
    const indexes = this.bucketIndexes;
    const counts = this.bucketCounts;
    if (row !== undefined) {
      row.count += s.count;
      row.sum += s.sum;
      row.sumSquares += s.sumSquares;
      row.errors += s.errors;
    }
    const into = row?.buckets;
    if (parsed !== undefined) {
      // The buckets as the validation read them: no second walk over the histogram object.
      for (let b = from; b < to; b++) {
        const index = parsed.indexes[b]!;
        const count = parsed.counts[b]!;
        into?.add(index, count);
        indexes.push(index);
        counts.push(count);
      }
    } else
      for (const key in histogram)
        if (Object.hasOwn(histogram, key)) {
          const index = bucketIndexOf(key);
          const count = histogram[key]!;
          into?.add(index, count);
          indexes.push(index);
          counts.push(count);
        }
    this.bucketsEnd.push(indexes.length);
  }
}

/** Everything merged since the last write: at most one row per rollup key. */
export interface PendingRollups {
  /** The write's id, recorded in the transaction that writes it (see TelemetryService.write). */
  id: string;
  metrics: Array<TaggedRow<MetricRollupRow>>;
  evaluations: Array<TaggedRow<EvaluationRollupRow>>;
  lastEvaluated: Array<LastEvaluatedRow>;
  samples: Array<TaggedRow<SampleRow>>;
  attributable: AttributionLog[];
  batches: number;
}

export interface LastEvaluatedRow {
  environmentId: string;
  flagKey: string;
  flagId: string | null;
  at: Date;
}

const addInto = (row: HeldMetricRow, count: number, sum: number, sumSquares: number, errors: number, histogram: HistogramBuckets): void => {
  row.count += count;
  row.sum += sum;
  row.sumSquares += sumSquares;
  row.errors += errors;
  row.buckets.addAll(histogram);
};

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareIds = (a: string | null, b: string | null): number => compare(a ?? '', b ?? '');

/** Rows in key order (writers that lock rows in one order cannot deadlock each other). */
const byMetricKey = (a: TaggedRow<MetricRollupRow>, b: TaggedRow<MetricRollupRow>): number =>
  compare(a.environmentId, b.environmentId) ||
  compare(a.flagKey, b.flagKey) ||
  compareIds(a.flagId, b.flagId) ||
  compare(a.metric, b.metric) ||
  compare(a.variantKey, b.variantKey) ||
  a.minute.getTime() - b.minute.getTime();
const byEvaluationKey = (a: TaggedRow<EvaluationRollupRow>, b: TaggedRow<EvaluationRollupRow>): number =>
  compare(a.environmentId, b.environmentId) ||
  compare(a.flagKey, b.flagKey) ||
  compareIds(a.flagId, b.flagId) ||
  compare(a.variantKey, b.variantKey) ||
  compare(a.reason, b.reason) ||
  a.minute.getTime() - b.minute.getTime();
const byFlag = (a: LastEvaluatedRow, b: LastEvaluatedRow): number =>
  compare(a.environmentId, b.environmentId) || compare(a.flagKey, b.flagKey) || compareIds(a.flagId, b.flagId);

/** Gets or makes `map`'s entry for `key`. */
const entry = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
};

/**
 * What one flag (a key, as one flag id named it when accepted) holds in one environment:
 * rows by metric → variant → minute, and evaluations by variant → reason → minute. Nested maps
 * of the names the request carries, so merging a series builds no key string.
 */
export class FlagRows {
  readonly metrics = new Map<string, Map<string, SeriesRows>>();
  readonly evaluations = new Map<string, Map<string, Map<number, TaggedRow<EvaluationRollupRow>>>>();
  lastEvaluated: LastEvaluatedRow | undefined;
  /** The same key under another flag id (a flag deleted and created again while this was held). */
  other: FlagRows | undefined;

  constructor(
    readonly environmentId: string,
    readonly flagKey: string,
    readonly flagId: string | null,
  ) {}

  metricRows(metric: string, variantKey: string): SeriesRows {
    let variants = this.metrics.get(metric);
    if (variants === undefined) this.metrics.set(metric, (variants = new Map()));
    let rows = variants.get(variantKey);
    if (rows === undefined) variants.set(variantKey, (rows = { flag: this, metric, variantKey, minutes: new Map() }));
    return rows;
  }
}

/**
 * Batches merged in memory into the rows they add to, so many requests cost one upsert per rollup
 * row. No I/O: `drain()` hands the rows over, sorted by key (writers that lock rows in one order
 * cannot deadlock each other).
 */
export class RollupBuffer {
  /** Environment → flag key ('' for series of no flag) → its rows. */
  private flags = new Map<string, Map<string, FlagRows>>();
  private samples: Array<TaggedRow<SampleRow>> = [];
  private attributable = new AttributionLog();
  private restored: AttributionLog[] = [];
  private held = 0;
  private metricRows = 0;
  private evaluationRows = 0;

  get isEmpty(): boolean {
    return this.held === 0;
  }

  /** Batches merged since the last drain. */
  get batches(): number {
    return this.held;
  }

  /** Rows held: what a flush will write, and what a full buffer is measured by. */
  get size(): number {
    return this.metricRows + this.evaluationRows + this.samples.length;
  }

  private flagRows(environment: Map<string, FlagRows>, environmentId: string, flagKey: string, flagId: string | null): FlagRows {
    let rows = environment.get(flagKey);
    if (rows === undefined) {
      rows = new FlagRows(environmentId, flagKey, flagId);
      environment.set(flagKey, rows);
      return rows;
    }
    while (rows.flagId !== flagId) {
      if (rows.other === undefined) return (rows.other = new FlagRows(environmentId, flagKey, flagId));
      rows = rows.other;
    }
    return rows;
  }

  /**
   * Merges one batch. `parsed`, when the validation filled it (`complete`), holds the buckets of
   * the body's series in order; its cursor moves past this batch's series.
   */
  add(environmentId: string, batch: TelemetryBatchDto, receivedAt: number, sdk: string, flagIdOf: FlagIdOf = () => null, parsed?: ParsedBuckets): void {
    const numbers = parsed?.complete === true ? parsed : undefined;
    this.held += 1;
    const environment = entry(this.flags, environmentId, () => new Map<string, FlagRows>());
    const windowStart = Date.parse(batch.windowStart);
    const minute = minuteOf(windowStart);
    // Minutes are keyed by their number since the epoch: a small integer hashes faster than a time in milliseconds.
    const minuteKey = minute / MINUTE_MS;
    let minuteDate: Date | undefined;
    const windowEnd = Math.min(Date.parse(batch.windowEnd), receivedAt);
    const log = this.attributable;
    let attributedIn = -1;
    let lastLogged: FlagRows | undefined;
    // Series of one flag come together: the last flag's rows are looked up once for the run.
    let lastKey: string | null | undefined;
    let rows: FlagRows | undefined;
    for (const s of batch.series) {
      let from = 0;
      let to = 0;
      if (numbers !== undefined) {
        const i = numbers.cursor++;
        from = i === 0 ? 0 : numbers.seriesEnd[i - 1]!;
        to = numbers.seriesEnd[i]!;
      }
      if (s.count === 0) continue;
      if (rows === undefined || s.flag !== lastKey) {
        lastKey = s.flag;
        rows = this.flagRows(environment, environmentId, stored(s.flag), s.flag === null ? null : flagIdOf(s.flag));
      }
      const variantKey = stored(s.variant);
      const series = rows.metricRows(s.metric, variantKey);
      const minutes = series.minutes;
      const held = minutes.get(minuteKey);
      if (s.flag !== null) {
        // Logged for attribution, and merged into the row held in the same walk.
        if (attributedIn < 0) attributedIn = log.addBatch(windowStart, receivedAt);
        if (rows !== lastLogged) log.flags.add((lastLogged = rows));
        log.addSeries(series, attributedIn, s, held, numbers, from, to);
        if (held !== undefined) continue;
      } else if (held !== undefined) {
        // Most series add to a row already held: nothing is allocated for them.
        if (numbers === undefined) addInto(held, s.count, s.sum, s.sumSquares, s.errors, s.histogram.buckets);
        else {
          held.count += s.count;
          held.sum += s.sum;
          held.sumSquares += s.sumSquares;
          held.errors += s.errors;
          held.buckets.addParsed(numbers, from, to);
        }
        continue;
      }
      this.metricRows += 1;
      minutes.set(minuteKey, {
        environmentId,
        flagKey: rows.flagKey,
        flagId: rows.flagId,
        metric: s.metric,
        variantKey,
        minute: (minuteDate ??= new Date(minute)),
        count: s.count,
        sum: s.sum,
        sumSquares: s.sumSquares,
        errors: s.errors,
        buckets: numbers === undefined ? Buckets.of(s.histogram.buckets) : Buckets.ofParsed(numbers, from, to),
      });
    }
    rows = undefined;
    for (const e of batch.evaluations) {
      if (e.count === 0) continue;
      if (rows === undefined || e.flag !== lastKey) {
        lastKey = e.flag;
        rows = this.flagRows(environment, environmentId, e.flag, flagIdOf(e.flag));
      }
      const variantKey = stored(e.variant);
      const minutes = entry(
        entry(rows.evaluations, variantKey, () => new Map<string, Map<number, TaggedRow<EvaluationRollupRow>>>()),
        e.reason,
        () => new Map(),
      );
      const row = minutes.get(minuteKey);
      if (row === undefined) {
        this.evaluationRows += 1;
        minutes.set(minuteKey, {
          environmentId,
          flagKey: e.flag,
          flagId: rows.flagId,
          variantKey,
          reason: e.reason,
          minute: (minuteDate ??= new Date(minute)),
          count: e.count,
        });
      } else row.count += e.count;
      const last = rows.lastEvaluated;
      if (last === undefined) rows.lastEvaluated = { environmentId, flagKey: e.flag, flagId: rows.flagId, at: new Date(windowEnd) };
      else if (last.at.getTime() < windowEnd) last.at = new Date(windowEnd);
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
    for (const row of pending.metrics) {
      const minutes = this.rowsOf(row).metricRows(row.metric, row.variantKey).minutes;
      const held = minutes.get(row.minute.getTime() / MINUTE_MS);
      if (held !== undefined) addInto(held, row.count, row.sum, row.sumSquares, row.errors, row.histogram);
      else {
        this.metricRows += 1;
        const { histogram, ...rest } = row;
        minutes.set(row.minute.getTime() / MINUTE_MS, { ...rest, buckets: Buckets.of(histogram) });
      }
    }
    for (const row of pending.evaluations) {
      const rows = this.rowsOf(row);
      const minutes = entry(
        entry(rows.evaluations, row.variantKey, () => new Map<string, Map<number, TaggedRow<EvaluationRollupRow>>>()),
        row.reason,
        () => new Map(),
      );
      const held = minutes.get(row.minute.getTime() / MINUTE_MS);
      if (held !== undefined) held.count += row.count;
      else {
        this.evaluationRows += 1;
        minutes.set(row.minute.getTime() / MINUTE_MS, row);
      }
    }
    for (const row of pending.lastEvaluated) {
      const rows = this.rowsOf(row);
      if (rows.lastEvaluated === undefined) rows.lastEvaluated = row;
      else if (rows.lastEvaluated.at < row.at) rows.lastEvaluated.at = row.at;
    }
    this.samples.push(...pending.samples);
    this.restored.push(...pending.attributable);
    this.held += pending.batches;
  }

  drain(): PendingRollups {
    const metrics: Array<TaggedRow<MetricRollupRow>> = [];
    const evaluations: Array<TaggedRow<EvaluationRollupRow>> = [];
    const lastEvaluated: LastEvaluatedRow[] = [];
    for (const environment of this.flags.values()) {
      for (const first of environment.values()) {
        for (let rows: FlagRows | undefined = first; rows !== undefined; rows = rows.other) {
          for (const variants of rows.metrics.values())
            for (const series of variants.values())
              for (const { buckets, ...row } of series.minutes.values()) metrics.push({ ...row, histogram: buckets.toObject() });
          for (const reasons of rows.evaluations.values()) for (const minutes of reasons.values()) for (const row of minutes.values()) evaluations.push(row);
          if (rows.lastEvaluated !== undefined) lastEvaluated.push(rows.lastEvaluated);
        }
      }
    }
    const pending: PendingRollups = {
      id: randomUUID(),
      metrics: metrics.sort(byMetricKey),
      evaluations: evaluations.sort(byEvaluationKey),
      lastEvaluated: lastEvaluated.sort(byFlag),
      samples: this.samples,
      attributable: this.attributable.length > 0 ? [...this.restored, this.attributable] : this.restored,
      batches: this.held,
    };
    this.flags = new Map();
    this.samples = [];
    this.attributable = new AttributionLog(this.attributable);
    this.restored = [];
    this.held = 0;
    this.metricRows = 0;
    this.evaluationRows = 0;
    return pending;
  }

  private rowsOf(row: { environmentId: string; flagKey: string; flagId: string | null }): FlagRows {
    return this.flagRows(
      entry(this.flags, row.environmentId, () => new Map<string, FlagRows>()),
      row.environmentId,
      row.flagKey,
      row.flagId,
    );
  }
}
