import { Injectable } from '@nestjs/common';
import type { HistogramBuckets } from '@signalbox/sdk/telemetry';
import { Database } from '../database/database.service.js';
import { DAY_MS, partitionDay, partitionName, ROLLUP_TABLES } from './rollup-partitions.js';

/** One minute of one metric for one flag variant. `''` stands for no flag / no variant. */
export interface MetricRollupRow {
  flagKey: string;
  metric: string;
  variantKey: string;
  minute: Date;
  count: number;
  sum: number;
  sumSquares: number;
  errors: number;
  histogram: HistogramBuckets;
}

/** A metric's totals for one variant within a scope (an experiment, a rollout stage). */
export interface ScopedTotalRow {
  scope: string;
  metric: string;
  variantKey: string;
  count: number;
  sum: number;
  sumSquares: number;
  errors: number;
  histogram: HistogramBuckets;
}

export interface EvaluationRollupRow {
  flagKey: string;
  variantKey: string;
  reason: string;
  minute: Date;
  count: number;
}

export interface SampleRow {
  flagKey: string;
  variantKey: string;
  kind: string;
  recordedAt: Date;
  sample: Record<string, unknown>;
}

/** One metric name over a lookback: its newest minute, and its totals over a (shorter) recent window. */
export interface CatalogueRow {
  metric: string;
  lastSeen: Date;
  samples: number;
  errors: number;
  carriesValues: boolean;
}

export interface RollupFilter {
  from: Date;
  to: Date;
  flagKey?: string;
  metric?: string;
  variantKey?: string;
}

// Rows go as one array per column, so a statement's size is not bounded by the 65,535 parameters;
// chunks keep one statement's memory (and the time it holds its row locks) small.
const ROWS_PER_STATEMENT = 5_000;
const MAX_ROWS_READ = 200_000;

/**
 * A rollup row adds up every record of its minute, from any number of requests, so its arithmetic
 * saturates instead of failing: a sum that overflowed bigint or float8 used to be a 500 that lost
 * the whole batch. Records are bounded at ingest (counts ≤ 2^32 − 1, |sum| ≤ 1e100, squares ≤
 * 1e200), so the limits below are reached only by an SDK key sending the same minute millions of
 * times; float limits stay far enough below 1.8e308 that reading 200,000 rows back cannot overflow
 * either. Counts are added in numeric, then capped at bigint's maximum.
 */
const MAX_BIGINT = '9223372036854775807';
const MAX_ROLLUP_ABS_SUM = '1e140';
const MAX_ROLLUP_SUM_SQUARES = '1e280';
const addCounts = (stored: string, added: string): string => `LEAST(${stored}::numeric + ${added}, ${MAX_BIGINT})::bigint`;

// Histograms merge by adding bucket counts, in SQL so concurrent batches for one minute cannot lose each other.
const MERGE_HISTOGRAMS = `(SELECT COALESCE(jsonb_object_agg(key, total), '{}'::jsonb) FROM (
  SELECT key, LEAST(SUM(value::numeric), ${MAX_BIGINT}) AS total FROM (
    SELECT key, value FROM jsonb_each_text(r.histogram) UNION ALL SELECT key, value FROM jsonb_each_text(EXCLUDED.histogram)
  ) AS parts GROUP BY key) AS merged)`;

// duplicate_table, unique_violation (two CREATEs racing in the catalogue), invalid_object_definition (overlaps a partition).
const PARTITION_EXISTS = new Set(['42P07', '23505', '42P17']);

/** SQLSTATE check_violation: what an insert gets for a row no partition accepts. */
export const NO_PARTITION = '23514';

export type EnvironmentRow<T> = T & { environmentId: string };

const chunks = <T>(rows: T[]): T[][] => {
  const parts: T[][] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) parts.push(rows.slice(start, start + ROWS_PER_STATEMENT));
  return parts;
};

// A merged row adds up many records; what it sends is clamped like the stored rows are, so the
// statement never fails on a value the column cannot hold.
const count = (n: number): string => (n >= 2 ** 63 ? MAX_BIGINT : String(Math.round(n)));
const clampSum = (n: number): number => Math.max(-1e140, Math.min(1e140, n));
const clampSquares = (n: number): number => Math.min(1e280, n);

/** Telemetry rollups in PostgreSQL: merge-on-write per minute, read back by time range. */
/**
 * Telemetry is kept by flag key: a flag deleted and created again under its key must not show its
 * namesake's rows. The clause leaves out rows of environment $1 older than the current flag's
 * creation (its creation minute for per-minute rollups, the exact time for timestamped rows).
 */
const NOT_BEFORE_FLAG = (column: string, byMinute: boolean): string =>
  `NOT EXISTS (SELECT 1 FROM flags f JOIN environments e ON e.project_id = f.project_id
               WHERE e.id = $1 AND f.key = flag_key AND ${column} < ${byMinute ? "date_trunc('minute', f.created_at)" : 'f.created_at'})`;

@Injectable()
export class TelemetryRepository {
  constructor(private readonly db: Database) {}

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Whether the caller runs inside a transaction (its queries see that transaction's snapshot and locks). */
  inTransaction(): boolean {
    return this.db.manager().queryRunner?.isTransactionActive === true;
  }

  /** Notes, inside a telemetry write's transaction, that the write with this id committed. */
  async recordFlush(id: string): Promise<void> {
    await this.db.manager().query('INSERT INTO telemetry_flushes (id) VALUES ($1)', [id]);
  }

  /** Which of these telemetry writes committed. */
  async committedFlushes(ids: string[]): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await this.db.manager().query('SELECT id FROM telemetry_flushes WHERE id = ANY($1::uuid[])', [ids]);
    return new Set(rows.map((r) => r.id));
  }

  /** Forgets the telemetry writes recorded before `before`. */
  async forgetFlushes(before: Date): Promise<void> {
    await this.db.manager().query('DELETE FROM telemetry_flushes WHERE written_at < $1', [before.toISOString()]);
  }

  /** The id of each flag of the environment's project, by key. */
  async flagIds(environmentId: string): Promise<Map<string, string>> {
    const rows: Array<{ key: string; id: string }> = await this.db
      .manager()
      .query('SELECT f.key, f.id FROM flags f JOIN environments e ON e.project_id = f.project_id WHERE e.id = $1', [environmentId]);
    return new Map(rows.map((r) => [r.key, r.id]));
  }

  /**
   * Which of these flags exist, each locked against deletion (FOR KEY SHARE) until the caller's
   * transaction ends: a delete waiting on the lock then purges what the caller wrote (see
   * FlagsService.delete), and a delete that committed first leaves its flag out of the answer.
   */
  async lockLiveFlags(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ id: string }> = await this.db
      .manager()
      .query('SELECT id FROM flags WHERE id = ANY($1::uuid[]) ORDER BY id FOR KEY SHARE', [[...new Set(ids)].sort()]);
    return new Set(rows.map((r) => r.id));
  }

  /** The minute each of these flags was deleted in (flags deleted, by id; flags not deleted are absent). */
  async deletionMinutes(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; minute: Date | string }> = await this.db
      .manager()
      .query(`SELECT id, date_trunc('minute', deleted_at) AS minute FROM deleted_flags WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, new Date(r.minute).getTime()]));
  }

  /** Adds the rows into the rollups (inserting or merging), one statement per chunk. Rows must be unique per key; sorted to avoid deadlocks. */
  async mergeMetricRollups(rows: Array<EnvironmentRow<MetricRollupRow>>): Promise<void> {
    for (const chunk of chunks(rows)) {
      await this.db.manager().query(
        `INSERT INTO metric_rollups AS r (environment_id, flag_key, metric, variant_key, minute, count, sum, sum_squares, errors, histogram)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::bigint[], $7::float8[], $8::float8[],
                              $9::bigint[], $10::jsonb[])
         ON CONFLICT (environment_id, flag_key, metric, variant_key, minute) DO UPDATE SET
           count = ${addCounts('r.count', 'EXCLUDED.count')},
           sum = GREATEST(LEAST(r.sum + EXCLUDED.sum, ${MAX_ROLLUP_ABS_SUM}), -${MAX_ROLLUP_ABS_SUM}),
           sum_squares = LEAST(r.sum_squares + EXCLUDED.sum_squares, ${MAX_ROLLUP_SUM_SQUARES}),
           errors = ${addCounts('r.errors', 'EXCLUDED.errors')},
           histogram = ${MERGE_HISTOGRAMS}`,
        [
          chunk.map((r) => r.environmentId),
          chunk.map((r) => r.flagKey),
          chunk.map((r) => r.metric),
          chunk.map((r) => r.variantKey),
          chunk.map((r) => r.minute.toISOString()),
          chunk.map((r) => count(r.count)),
          chunk.map((r) => clampSum(r.sum)),
          chunk.map((r) => clampSquares(r.sumSquares)),
          chunk.map((r) => count(r.errors)),
          chunk.map((r) => JSON.stringify(r.histogram)),
        ],
      );
    }
  }

  /** Adds rows into the scoped totals, saturating like the rollups. Rows must be unique per key and sorted. */
  async mergeScopedTotals(rows: ScopedTotalRow[]): Promise<void> {
    for (const chunk of chunks(rows)) {
      await this.db.manager().query(
        `INSERT INTO scoped_metric_totals AS r (scope, metric, variant_key, count, sum, sum_squares, errors, histogram)
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::bigint[], $5::float8[], $6::float8[], $7::bigint[], $8::jsonb[])
         ON CONFLICT (scope, metric, variant_key) DO UPDATE SET
           count = ${addCounts('r.count', 'EXCLUDED.count')},
           sum = GREATEST(LEAST(r.sum + EXCLUDED.sum, ${MAX_ROLLUP_ABS_SUM}), -${MAX_ROLLUP_ABS_SUM}),
           sum_squares = LEAST(r.sum_squares + EXCLUDED.sum_squares, ${MAX_ROLLUP_SUM_SQUARES}),
           errors = ${addCounts('r.errors', 'EXCLUDED.errors')},
           histogram = ${MERGE_HISTOGRAMS},
           updated_at = now()`,
        [
          chunk.map((r) => r.scope),
          chunk.map((r) => r.metric),
          chunk.map((r) => r.variantKey),
          chunk.map((r) => count(r.count)),
          chunk.map((r) => clampSum(r.sum)),
          chunk.map((r) => clampSquares(r.sumSquares)),
          chunk.map((r) => count(r.errors)),
          chunk.map((r) => JSON.stringify(r.histogram)),
        ],
      );
    }
  }

  /**
   * Creates the day partitions that do not exist yet. Instances may race to create the same one
   * (or an operator may have made a wider one): a partition that exists or overlaps is not an error.
   */
  async ensurePartitions(days: number[]): Promise<void> {
    for (const table of ROLLUP_TABLES) {
      for (const day of days) {
        try {
          await this.db
            .manager()
            .query(
              `CREATE TABLE IF NOT EXISTS "${partitionName(table, day)}" PARTITION OF "${table}" ` +
                `FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`,
            );
        } catch (err) {
          if (!PARTITION_EXISTS.has((err as { code?: string }).code ?? '')) throw err;
        }
      }
    }
  }

  /** The names of the rollup tables' partitions. */
  async partitions(): Promise<string[]> {
    const rows: Array<{ name: string }> = await this.db.manager().query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent IN (${ROLLUP_TABLES.map((t) => `'${t}'::regclass`).join(', ')}) ORDER BY c.relname`,
    );
    return rows.map((r) => r.name);
  }

  async dropPartition(name: string): Promise<void> {
    if (partitionDay(name) === undefined) throw new Error(`not a rollup partition: ${name}`);
    await this.db.manager().query(`DROP TABLE IF EXISTS "${name}"`);
  }

  /** Runs `work` in a transaction if no other instance runs it now (answers false then, without waiting). */
  async exclusivelyOrSkip(lockKey: number, work: () => Promise<void>): Promise<boolean> {
    return this.db.transaction(async () => {
      const rows: Array<{ locked: boolean }> = await this.db.manager().query('SELECT pg_try_advisory_xact_lock($1) AS locked', [lockKey]);
      if (rows[0]?.locked !== true) return false;
      await work();
      return true;
    });
  }

  async scopedTotals(scope: string, metrics: string[]): Promise<ScopedTotalRow[]> {
    const rows: Array<{ metric: string; variant_key: string; count: string; sum: number; sum_squares: number; errors: string; histogram: HistogramBuckets }> =
      await this.db
        .manager()
        .query(
          'SELECT metric, variant_key, count, sum, sum_squares, errors, histogram FROM scoped_metric_totals WHERE scope = $1 AND metric = ANY($2::varchar[])',
          [scope, metrics],
        );
    return rows.map((r) => ({
      scope,
      metric: r.metric,
      variantKey: r.variant_key,
      count: Number(r.count),
      sum: Number(r.sum),
      sumSquares: Number(r.sum_squares),
      errors: Number(r.errors),
      histogram: r.histogram,
    }));
  }

  async mergeEvaluationRollups(rows: Array<EnvironmentRow<EvaluationRollupRow>>): Promise<void> {
    for (const chunk of chunks(rows)) {
      await this.db.manager().query(
        `INSERT INTO evaluation_rollups AS r (environment_id, flag_key, variant_key, reason, minute, count)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::bigint[])
         ON CONFLICT (environment_id, flag_key, variant_key, reason, minute) DO UPDATE SET count = ${addCounts('r.count', 'EXCLUDED.count')}`,
        [
          chunk.map((r) => r.environmentId),
          chunk.map((r) => r.flagKey),
          chunk.map((r) => r.variantKey),
          chunk.map((r) => r.reason),
          chunk.map((r) => r.minute.toISOString()),
          chunk.map((r) => count(r.count)),
        ],
      );
    }
  }

  /** Moves each flag's last-evaluated time forward (never back). Rows must be unique per key and sorted. */
  async touchLastEvaluated(rows: Array<{ environmentId: string; flagKey: string; at: Date }>): Promise<void> {
    for (const chunk of chunks(rows)) {
      await this.db.manager().query(
        `INSERT INTO flag_last_evaluated AS r (environment_id, flag_key, last_evaluated_at)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::timestamptz[])
         ON CONFLICT (environment_id, flag_key) DO UPDATE SET last_evaluated_at = GREATEST(r.last_evaluated_at, EXCLUDED.last_evaluated_at)`,
        [chunk.map((r) => r.environmentId), chunk.map((r) => r.flagKey), chunk.map((r) => r.at.toISOString())],
      );
    }
  }

  /** Stores samples, then keeps only the newest `keepPerFlag` of each flag they touched. */
  async addSamples(samples: Array<EnvironmentRow<SampleRow>>, keepPerFlag: number): Promise<void> {
    if (samples.length === 0) return;
    for (const chunk of chunks(samples)) {
      await this.db.manager().query(
        `INSERT INTO shadow_samples (environment_id, flag_key, variant_key, kind, recorded_at, sample)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::jsonb[])`,
        [
          chunk.map((s) => s.environmentId),
          chunk.map((s) => s.flagKey),
          chunk.map((s) => s.variantKey),
          chunk.map((s) => s.kind),
          chunk.map((s) => s.recordedAt.toISOString()),
          chunk.map((s) => JSON.stringify(s.sample)),
        ],
      );
    }
    const touched = new Map<string, Set<string>>();
    for (const s of samples) {
      let flags = touched.get(s.environmentId);
      if (flags === undefined) touched.set(s.environmentId, (flags = new Set()));
      flags.add(s.flagKey);
    }
    for (const [environmentId, flags] of [...touched].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      await this.db.manager().query(
        `DELETE FROM shadow_samples WHERE environment_id = $1 AND flag_key = ANY($2::varchar[]) AND id NOT IN (
           SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY flag_key ORDER BY recorded_at DESC, id DESC) AS n
                           FROM shadow_samples WHERE environment_id = $1 AND flag_key = ANY($2::varchar[])) AS ranked WHERE n <= $3)`,
        [environmentId, [...flags].sort(), keepPerFlag],
      );
    }
  }

  async metricRollups(environmentId: string, filter: RollupFilter): Promise<MetricRollupRow[]> {
    const { where, values } = this.where(environmentId, filter, true);
    const rows: Array<{
      flag_key: string;
      metric: string;
      variant_key: string;
      minute: Date | string;
      count: number;
      sum: number;
      sum_squares: number;
      errors: number;
      histogram: HistogramBuckets;
    }> = await this.db.manager().query(
      // Clamped on the way out too: rows merged before the limits existed may hold ±Infinity or NaN.
      `SELECT flag_key, metric, variant_key, minute, count, GREATEST(LEAST(sum, ${MAX_ROLLUP_ABS_SUM}), -${MAX_ROLLUP_ABS_SUM}) AS sum,
                LEAST(sum_squares, ${MAX_ROLLUP_SUM_SQUARES}) AS sum_squares, errors, histogram FROM metric_rollups WHERE ${where}
         ORDER BY flag_key, metric, variant_key, minute LIMIT ${MAX_ROWS_READ}`,
      values,
    );
    return rows.map((r) => ({
      flagKey: r.flag_key,
      metric: r.metric,
      variantKey: r.variant_key,
      minute: new Date(r.minute),
      count: Number(r.count),
      sum: Number(r.sum),
      sumSquares: Number(r.sum_squares),
      errors: Number(r.errors),
      histogram: r.histogram,
    }));
  }

  /**
   * Metric names with observations in `[since, to)`, by name after `after`, at most `limit`: the
   * newest minute of each, and counts over `[windowFrom, to)`. A metric whose every value is 0 or 1
   * has sum = sum of squares in every row; one that carries magnitudes differs somewhere.
   */
  async metricCatalogue(
    environmentId: string,
    query: { since: Date; windowFrom: Date; to: Date; flagKey?: string; after?: string; limit: number },
  ): Promise<CatalogueRow[]> {
    const values: unknown[] = [environmentId, query.since.toISOString(), query.to.toISOString(), query.windowFrom.toISOString()];
    const clauses = ['environment_id = $1', 'minute >= $2::timestamptz', 'minute < $3::timestamptz', NOT_BEFORE_FLAG('minute', true)];
    if (query.flagKey !== undefined) clauses.push(`flag_key = $${values.push(query.flagKey)}`);
    if (query.after !== undefined) clauses.push(`metric > $${values.push(query.after)}`);
    const limit = values.push(query.limit);
    const rows: Array<{ metric: string; last_seen: Date | string; samples: number; errors: number; carries_values: boolean }> = await this.db.manager().query(
      `SELECT metric, MAX(minute) AS last_seen,
                COALESCE(SUM(count) FILTER (WHERE minute >= $4::timestamptz), 0)::float8 AS samples,
                COALESCE(SUM(errors) FILTER (WHERE minute >= $4::timestamptz), 0)::float8 AS errors,
                bool_or(sum_squares <> sum) AS carries_values
         FROM metric_rollups WHERE ${clauses.join(' AND ')} GROUP BY metric ORDER BY metric LIMIT $${limit}`,
      values,
    );
    return rows.map((r) => ({
      metric: r.metric,
      lastSeen: new Date(r.last_seen),
      samples: Number(r.samples),
      errors: Number(r.errors),
      carriesValues: r.carries_values === true,
    }));
  }

  /** Evaluation counts summed over the range, per flag, variant and reason (as float8: saturated rows add up past bigint). */
  async evaluationTotals(environmentId: string, filter: RollupFilter): Promise<Array<Omit<EvaluationRollupRow, 'minute'>>> {
    const { where, values } = this.where(environmentId, filter, false);
    const rows: Array<{ flag_key: string; variant_key: string; reason: string; count: number }> = await this.db
      .manager()
      .query(
        `SELECT flag_key, variant_key, reason, SUM(count)::float8 AS count FROM evaluation_rollups WHERE ${where} GROUP BY flag_key, variant_key, ` +
          `reason ORDER BY flag_key, variant_key, reason`,
        values,
      );
    return rows.map((r) => ({ flagKey: r.flag_key, variantKey: r.variant_key, reason: r.reason, count: Number(r.count) }));
  }

  /** Evaluation counts per step of `stepSeconds` from `filter.from` (step 0 starts there), per flag, variant and reason. */
  async evaluationSteps(
    environmentId: string,
    filter: RollupFilter,
    stepSeconds: number,
  ): Promise<Array<Omit<EvaluationRollupRow, 'minute'> & { step: number }>> {
    const { where, values } = this.where(environmentId, filter, false);
    const stepParam = values.push(stepSeconds);
    const rows: Array<{ flag_key: string; variant_key: string; reason: string; step: number; count: number }> = await this.db.manager().query(
      `SELECT flag_key, variant_key, reason, floor(extract(epoch FROM minute - $2::timestamptz) / $${stepParam})::int AS step, SUM(count)::float8 AS count
       FROM evaluation_rollups WHERE ${where} GROUP BY flag_key, variant_key, reason, step ORDER BY step, flag_key, variant_key, reason`,
      values,
    );
    return rows.map((r) => ({ flagKey: r.flag_key, variantKey: r.variant_key, reason: r.reason, step: Number(r.step), count: Number(r.count) }));
  }

  async lastEvaluated(environmentIds: string[]): Promise<Array<{ environmentId: string; flagKey: string; lastEvaluatedAt: Date }>> {
    if (environmentIds.length === 0) return [];
    const rows: Array<{ environment_id: string; flag_key: string; last_evaluated_at: Date | string }> = await this.db.manager().query(
      `SELECT environment_id, flag_key, last_evaluated_at FROM flag_last_evaluated r
         WHERE environment_id = ANY($1::uuid[])
           AND NOT EXISTS (SELECT 1 FROM flags f JOIN environments e ON e.project_id = f.project_id
                           WHERE e.id = r.environment_id AND f.key = r.flag_key AND r.last_evaluated_at < f.created_at)
         ORDER BY flag_key`,
      [environmentIds],
    );
    return rows.map((r) => ({ environmentId: r.environment_id, flagKey: r.flag_key, lastEvaluatedAt: new Date(r.last_evaluated_at) }));
  }

  async samples(environmentId: string, flagKey: string | undefined, limit: number): Promise<SampleRow[]> {
    const rows: Array<{ flag_key: string; variant_key: string; kind: string; recorded_at: Date | string; sample: Record<string, unknown> }> = await this.db
      .manager()
      .query(
        `SELECT flag_key, variant_key, kind, recorded_at, sample FROM shadow_samples
         WHERE environment_id = $1 ${flagKey !== undefined ? 'AND flag_key = $3' : ''} AND ${NOT_BEFORE_FLAG('recorded_at', false)}
         ORDER BY recorded_at DESC, id DESC LIMIT $2`,
        flagKey !== undefined ? [environmentId, limit, flagKey] : [environmentId, limit],
      );
    return rows.map((r) => ({ flagKey: r.flag_key, variantKey: r.variant_key, kind: r.kind, recordedAt: new Date(r.recorded_at), sample: r.sample }));
  }

  private where(environmentId: string, filter: RollupFilter, withMetric: boolean): { where: string; values: unknown[] } {
    const values: unknown[] = [environmentId, filter.from.toISOString(), filter.to.toISOString()];
    const clauses = ['environment_id = $1', 'minute >= $2::timestamptz', 'minute < $3::timestamptz'];
    // Rollups are kept by flag key: a flag deleted and created again under its key must not show its
    // namesake's minutes, so minutes before the current flag's creation minute are left out.
    clauses.push(NOT_BEFORE_FLAG('minute', true));
    if (filter.flagKey !== undefined) clauses.push(`flag_key = $${values.push(filter.flagKey)}`);
    if (withMetric && filter.metric !== undefined) clauses.push(`metric = $${values.push(filter.metric)}`);
    if (filter.variantKey !== undefined) clauses.push(`variant_key = $${values.push(filter.variantKey)}`);
    return { where: clauses.join(' AND '), values };
  }
}
