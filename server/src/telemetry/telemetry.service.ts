import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import { mergeHistogramBuckets } from '@signalbox/sdk/telemetry';
import { settledWithin } from '../common/async/settled-within.js';
import { type FieldProblem, validationFailed } from '../common/errors/domain-error.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../database/unavailable.js';
import { CATALOGUE_LOOKBACK_DAYS, type MetricCatalogueResponse } from './dto/metric-catalogue.dto.js';
import type { ParsedBuckets } from './dto/events-body.pipe.js';
import type { EventsDto } from './dto/events.dto.js';
import type {
  EvaluationCountResponse,
  EvaluationStepResponse,
  IngestResultResponse,
  MetricSeriesResultResponse,
  ShadowSampleResponse,
} from './dto/telemetry.response.js';
import { MetricAccumulator, type MetricStats } from './metric-stats.js';
import { GroupCommit } from './group-commit.js';
import { type AttributionLog, type FlagIdOf, type LastEvaluatedRow, minuteOf, type PendingRollups, RollupBuffer } from './rollup-buffer.js';
import { dayOf, retentionHorizon } from './rollup-partitions.js';
import { type CatalogueRow, NO_PARTITION, TelemetryRepository, type ScopedTotalRow } from './telemetry.repository.js';

/** A metric name SDKs reported, as other domains (rollout guards) see it. */
export type ReportedMetric = CatalogueRow;

const MINUTE_MS = 60_000;
const MAX_RANGE_MS = 31 * 24 * 3_600_000;
const MAX_POINTS = 10_080;
export const SAMPLES_KEPT_PER_FLAG = 50;
/** How often the buffer is written: a crash loses at most this much acknowledged telemetry (plus a write in progress). */
export const FLUSH_INTERVAL_MS = 1_000;
/**
 * How long this instance trusts the flag ids it read for an environment (see `flagIdOf`) when no
 * change to the environment was heard: a change (a flag created, archived, restored) forgets them at once.
 */
const FLAG_IDS_TTL_MS = 5_000;
/** At shutdown, how long the last write is tried again while the database does not take it (shutdown.ts gives the modules 5 s to close). */
const FINAL_WRITE_RETRY_MS = 4_000;
const FINAL_WRITE_RETRY_INTERVAL_MS = 250;
/** How long a request waits for its flags' first evaluations to be written (milliseconds when the database answers). */
const FIRST_EVALUATION_WAIT_MS = 1_000;

/** Rows that add into one stored row (the same key, whatever flag id they were accepted under), merged and sorted by key. */
const mergedByKey = <T>(rows: T[], keyOf: (row: T) => string, merge: (into: T, row: T) => void): T[] => {
  const held = new Map<string, T>();
  for (const row of rows) {
    const key = keyOf(row);
    const into = held.get(key);
    if (into === undefined) held.set(key, { ...row });
    else merge(into, row);
  }
  return [...held.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
};

/** A time range and filters over one environment's rollups. */
export interface MetricQuery {
  from: Date;
  to: Date;
  flagKey?: string;
  metric?: string;
  variantKey?: string;
  /** Minutes per point; default 1. */
  stepMinutes?: number;
}

const shown = (key: string): string | null => (key === '' ? null : key);

/**
 * Something metrics are attributed to from the moment it starts: an experiment, a rollout stage.
 * `id` names its totals; only batches whose window started at or after `since` are added.
 */
export interface MetricScope {
  id: string;
  flagKey: string;
  since: Date;
  /** Called once the batch that added to this scope has committed (a scheduler may act on it at once). */
  onRecorded?: () => void;
}

/** Answers the scopes running now in an environment for some flags (registered by the domains that own them). */
export type ScopeProvider = (environmentId: string, flagKeys: string[]) => Promise<MetricScope[]>;

/**
 * SDK telemetry: merges batches into per-minute rollups, and answers time series, evaluation
 * counts and last-evaluated times. Other domains (rollout guards, experiments, stale-flag
 * reports, the shadow report) read metrics through this service only; metrics are also attributed to
 * the scopes (experiments, rollout stages) running when they were recorded.
 */
@Injectable()
export class TelemetryService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly scopeProviders: ScopeProvider[] = [];

  private readonly logger = new Logger('telemetry');

  private readonly buffer = new RollupBuffer();

  /**
   * Writes that failed and may have committed all the same (the COMMIT's answer lost with the
   * connection): looked up by id before anything else is written, and written again only if they did not.
   */
  private readonly uncertain: PendingRollups[] = [];

  private readonly writes = new GroupCommit<PendingRollups>(
    () => (this.buffer.isEmpty && this.uncertain.length === 0 ? undefined : this.buffer.drain()),
    (pending) => this.write(pending),
  );

  /** Days whose partitions this instance created or found (retention drops only days long before any written to). */
  private readonly preparedDays = new Set<number>();

  /** Per environment, flags (by key, and the id it named) whose last evaluation this instance has written at least once. */
  private readonly evaluatedFlags = new Map<string, Map<string, string | null>>();

  /** Per environment: the ids of its project's flags by key, and when they were read. */
  private readonly flagIds = new Map<string, { ids: Map<string, string>; readAt: number }>();

  private readonly loadingFlagIds = new Map<string, Promise<Map<string, string>>>();

  /** Bumped whenever flag ids are forgotten: a read begun before is not kept. */
  private flagIdsGeneration = 0;

  /**
   * The newest change heard per environment. One change is heard up to three times (this instance's
   * own commit, then its notification, then the change log's check): only the first forgets the
   * ids, or ids read between the first and the last would be forgotten again, and a batch after
   * them would wait on the database for ids it had.
   */
  private readonly heardThrough = new Map<string, number>();

  private timer: NodeJS.Timeout | undefined;

  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly repository: TelemetryRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    events: DomainEvents,
  ) {
    this.unsubscribe = [
      // Creating, archiving or restoring a flag appends a change in each environment (on any instance).
      events.on('change.appended', ({ environmentId, sequence }) => {
        if ((this.heardThrough.get(environmentId) ?? -1) >= sequence) return;
        this.heardThrough.set(environmentId, sequence);
        this.forgetFlagIds(environmentId);
      }),
      events.on('changes.lost', () => {
        // After a lost connection (a restart, a restore) sequences are taken as new again.
        this.heardThrough.clear();
        this.forgetFlagIds();
      }),
    ];
  }

  /**
   * A change heard in an environment: its flag ids are read again before the next batch is
   * tagged. Notifications lost (no environment named): every environment's ids are read again,
   * and serve meanwhile (see `flagIdOf`).
   */
  private forgetFlagIds(environmentId?: string): void {
    this.flagIdsGeneration += 1;
    if (environmentId === undefined) {
      for (const held of this.flagIds.values()) held.readAt = Number.NEGATIVE_INFINITY;
      this.loadingFlagIds.clear();
    } else {
      this.flagIds.delete(environmentId);
      this.loadingFlagIds.delete(environmentId);
    }
  }

  /**
   * The flag each key names in the environment now (null: none), as read at most FLAG_IDS_TTL_MS
   * ago and not since a change to the environment was heard. A batch's rows carry it, so a write
   * leaves out what was accepted for a flag deleted since (see `write`).
   *
   * Ids past their time still serve while they are read again: flags change only through the
   * database (and every change is heard), so they are stale only if notifications were lost, and
   * a database that cannot be read cannot change flags either; batches are not refused for it.
   * Ids never read (or forgotten on a change) are waited for; if the database cannot answer, the
   * batch's keys are taken as naming no flag, and written as they were before ids were kept.
   */
  private flagIdOf(environmentId: string, now: number): FlagIdOf | Promise<FlagIdOf> {
    const lookup =
      (ids: Map<string, string>): FlagIdOf =>
      (key) =>
        ids.get(key) ?? null;
    const held = this.flagIds.get(environmentId);
    if (held !== undefined && now - held.readAt < FLAG_IDS_TTL_MS) return lookup(held.ids);
    const loading = this.loadFlagIds(environmentId);
    if (held !== undefined) {
      loading.catch(() => undefined);
      return lookup(held.ids);
    }
    return loading.then(lookup, () => lookup(new Map()));
  }

  /** One read of an environment's flag ids at a time; kept only if no change was heard while it ran. */
  private loadFlagIds(environmentId: string): Promise<Map<string, string>> {
    const running = this.loadingFlagIds.get(environmentId);
    if (running !== undefined) return running;
    const generation = this.flagIdsGeneration;
    const readAt = Date.now();
    const load: Promise<Map<string, string>> = this.repository.flagIds(environmentId).then(
      (ids) => {
        if (this.loadingFlagIds.get(environmentId) === load) this.loadingFlagIds.delete(environmentId);
        if (generation === this.flagIdsGeneration) this.flagIds.set(environmentId, { ids, readAt });
        return ids;
      },
      (err: unknown) => {
        if (this.loadingFlagIds.get(environmentId) === load) this.loadingFlagIds.delete(environmentId);
        throw err;
      },
    );
    this.loadingFlagIds.set(environmentId, load);
    return load;
  }

  /** Experiments and rollout plans register here: telemetry depends on neither. */
  addScopeProvider(provider: ScopeProvider): void {
    this.scopeProviders.push(provider);
  }

  /** Totals per variant of some metrics within a scope, as the API reports metrics. */
  async scopedTotals(
    scope: string,
    metrics: string[],
    spanSeconds: number,
  ): Promise<Array<{ variant: string | null; metric: string; stats: MetricStats; raw: ScopedTotalRow }>> {
    await this.settle();
    return (await this.repository.scopedTotals(scope, metrics)).map((row) => ({
      variant: shown(row.variantKey),
      metric: row.metric,
      stats: new MetricAccumulator().add(row).stats(spanSeconds),
      raw: row,
    }));
  }

  /** The scopes running now for the flags of attributable series, per environment (one question per environment per write). */
  private async scopesOf(logs: AttributionLog[]): Promise<Map<string, MetricScope[]>> {
    const scopesOf = new Map<string, MetricScope[]>();
    if (this.scopeProviders.length === 0 || logs.length === 0) return scopesOf;
    const flagsByEnvironment = new Map<string, Set<string>>();
    for (const log of logs)
      for (const flag of log.flags) {
        let flags = flagsByEnvironment.get(flag.environmentId);
        if (flags === undefined) flagsByEnvironment.set(flag.environmentId, (flags = new Set()));
        flags.add(flag.flagKey);
      }
    for (const [environmentId, flags] of flagsByEnvironment) {
      const scopes = (await Promise.all(this.scopeProviders.map((provide) => provide(environmentId, [...flags])))).flat();
      if (scopes.length > 0) scopesOf.set(environmentId, scopes);
    }
    return scopesOf;
  }

  /**
   * Each attributable series, added to every scope of its flag that had started when its batch
   * began (and was received); series accepted for a flag that no longer exists count for none.
   */
  private attribute(logs: AttributionLog[], scopesOf: Map<string, MetricScope[]>, live: Set<string>): { rows: ScopedTotalRow[]; scopes: MetricScope[] } {
    if (scopesOf.size === 0) return { rows: [], scopes: [] };
    const rows = new Map<string, ScopedTotalRow>();
    const recorded = new Set<MetricScope>();
    for (const log of logs) {
      for (let i = 0; i < log.length; i++) {
        const series = log.series[i]!;
        const flag = series.flag;
        const scopes = scopesOf.get(flag.environmentId);
        if (scopes === undefined || (flag.flagId !== null && !live.has(flag.flagId))) continue;
        const batch = log.batchOf.at(i);
        const windowStart = log.windowStarts.at(batch);
        const receivedAt = log.receivedAts.at(batch);
        const n = 4 * i;
        const bucketsFrom = i === 0 ? 0 : log.bucketsEnd.at(i - 1);
        const bucketsTo = log.bucketsEnd.at(i);
        for (const scope of scopes) {
          // The batch's own start (the SDK's clock), and never a batch received before the scope began.
          const since = scope.since.getTime();
          if (scope.flagKey !== flag.flagKey || windowStart < since || receivedAt < since) continue;
          recorded.add(scope);
          const key = `${scope.id}\u0000${series.metric}\u0000${series.variantKey}`;
          let row = rows.get(key);
          if (row === undefined)
            rows.set(
              key,
              (row = { scope: scope.id, metric: series.metric, variantKey: series.variantKey, count: 0, sum: 0, sumSquares: 0, errors: 0, histogram: {} }),
            );
          row.count += log.numbers.at(n);
          row.sum += log.numbers.at(n + 1);
          row.sumSquares += log.numbers.at(n + 2);
          row.errors += log.numbers.at(n + 3);
          const histogram = row.histogram;
          for (let b = bucketsFrom; b < bucketsTo; b++) {
            const bucket = String(log.bucketIndexes.at(b));
            histogram[bucket] = (histogram[bucket] ?? 0) + log.bucketCounts.at(b);
          }
        }
      }
    }
    return { rows: [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row), scopes: [...recorded] };
  }

  /**
   * Merges every batch of a validated body (see validateEvents) into this instance's buffer,
   * written to the rollups at the next flush (every second): one upsert per rollup row, however
   * many requests added to it. The 202 therefore means "held in memory"; see the README's
   * durability notes for what a crash can lose.
   */
  async ingest(
    environmentId: string,
    payload: EventsDto,
    now = new Date(),
    buckets?: ParsedBuckets,
    /** True once the sender has gone (it gave up waiting): its batches are then not merged, since it will send them again. */
    abandoned: () => boolean = () => false,
  ): Promise<IngestResultResponse> {
    // Rows held while the database does not take them (a minute's key space: flags × variants ×
    // metrics per environment, not requests). Past the limit SDKs are answered 503 and keep their windows.
    if (this.heldRows >= this.config.telemetryMaxHeldRows)
      throw new ServiceUnavailableException({
        message: 'telemetry is waiting for the database to take what it holds; send it again later',
        details: { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS },
      });

    const result: IngestResultResponse = { batches: payload.batches.length, series: 0, evaluations: 0, samples: 0 };
    // The flags the keys name now: rows carry them, so what a write finds deleted since is left out.
    const known = this.flagIdOf(environmentId, now.getTime());
    const flagIdOf = typeof known === 'function' ? known : await known;
    // Reading the ids can wait on a database that does not answer; an SDK that timed out meanwhile
    // sends these batches again, so merging them now would count them twice. (Nothing waits between here and the merge.)
    if (abandoned()) throw new ServiceUnavailableException({ message: 'the sender went away before its batches were merged' });
    const firstSeen = new Map<string, LastEvaluatedRow>();
    let evaluated = this.evaluatedFlags.get(environmentId);
    if (evaluated === undefined) this.evaluatedFlags.set(environmentId, (evaluated = new Map()));
    for (const batch of payload.batches) {
      for (const s of batch.series) if (s.count !== 0) result.series += 1;
      for (const e of batch.evaluations) {
        if (e.count === 0) continue;
        result.evaluations += 1;
        const flagId = flagIdOf(e.flag);
        if (evaluated.get(e.flag) === flagId) continue;
        const key = `${e.flag}\u0000${flagId ?? ''}`;
        const at = new Date(Math.min(Date.parse(batch.windowEnd), now.getTime()));
        const seen = firstSeen.get(key);
        if (seen === undefined || seen.at < at) firstSeen.set(key, { environmentId, flagKey: e.flag, flagId, at });
      }
      result.samples += batch.samples?.length ?? 0;
      this.buffer.add(environmentId, batch, now.getTime(), payload.sdk, flagIdOf, buckets);
    }
    if (firstSeen.size > 0) {
      // A flag's first evaluation seen here is written at once, so "never evaluated" (stale-flag
      // reports, the flags list's order) ends with the request that proves otherwise. Later ones ride the flush.
      // The batches are merged already (and their last-evaluated times ride the flush): a failed
      // write must not refuse them, or the SDK would send again what is already counted.
      // Nor is the answer held for long: on a database that does not answer (frozen, cut off) the
      // SDK would time out and send the merged batches again. The write goes on without the request.
      const rows = [...firstSeen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
      const written = this.repository
        .transaction(async () => {
          const live = await this.repository.lockLiveFlags(rows.flatMap((r) => (r.flagId === null ? [] : [r.flagId])));
          await this.repository.touchLastEvaluated(rows.filter((r) => r.flagId === null || live.has(r.flagId)));
        })
        .then(
          () => {
            for (const row of firstSeen.values()) evaluated.set(row.flagKey, row.flagId);
          },
          (err: unknown) => this.logger.warn({ err, environmentId }, 'could not write first evaluations at once; they are written with the next flush'),
        );
      await settledWithin(written, FIRST_EVALUATION_WAIT_MS, undefined);
    }
    if (payload.dropped > 0)
      this.logger.warn({ environmentId, sdk: payload.sdk, dropped: payload.dropped }, 'an SDK dropped telemetry batches it could not send');
    return result;
  }

  /** Writes what the buffer holds now, and waits for it (reads call it first, so this instance reads what it acknowledged). */
  flush(): Promise<void> {
    return this.writes.committed();
  }

  private async flushQuietly(): Promise<void> {
    try {
      await this.flush();
    } catch (err) {
      this.logger.warn({ err, held: this.buffer.size }, 'could not write telemetry; holding it for the next flush');
    }
  }

  /**
   * Reads start here: what this instance acknowledged is written first, so it reads its own
   * writes. Not from inside a transaction: the write runs in a transaction of its own, which on the
   * embedded database (one session) would wait for the caller's forever, so there the read sees
   * the last flush (at most a second old). A reader that needs more flushes before it begins (the
   * rollout scheduler's pass). A failed write is kept for the next flush and the read goes on.
   */
  async settle(): Promise<void> {
    if ((this.buffer.isEmpty && this.uncertain.length === 0 && !this.writes.busy) || this.repository.inTransaction()) return;
    await this.flushQuietly();
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flushQuietly(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** At shutdown, after the last request was answered and before the database closes: the buffer is written. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe.forEach((off) => off());
    // A database restarting as the instance stops (a deploy during a failover) is waited for, within
    // the time shutdown gives the modules to close.
    const deadline = Date.now() + FINAL_WRITE_RETRY_MS;
    for (;;) {
      try {
        await this.flush();
        return;
      } catch (err) {
        if (Date.now() + FINAL_WRITE_RETRY_INTERVAL_MS >= deadline) {
          const batches = this.buffer.batches + this.uncertain.reduce((n, p) => n + p.batches, 0);
          this.logger.error({ err, batches }, 'could not write the telemetry held in memory before exiting; it is lost');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, FINAL_WRITE_RETRY_INTERVAL_MS));
      }
    }
  }

  /**
   * Writes one drained buffer in one transaction; on failure the rows go back into the buffer for
   * the next flush. Rows accepted for a flag (an id) are written as they are only if that flag
   * still exists, locked against deletion until the write commits: a delete that comes later
   * purges what the write added to its minute on. When a delete committed first, only the rollup
   * rows of minutes before its deletion minute are written (what the delete would have kept), and
   * none of its last evaluations, samples or attribution. So a flag deleted and created again under
   * its key never shows what its namesake's SDKs sent, however close together. Rows of keys no
   * flag had when they were accepted are written as they are.
   */
  private async write(drained: PendingRollups): Promise<void> {
    let pending = drained;
    try {
      const notCommitted = await this.settleUncertain();
      if (notCommitted.length > 0) {
        // Written now, with what was drained: a caller waiting for this write waits for them too.
        for (const earlier of notCommitted) this.buffer.restore(earlier);
        this.buffer.restore(drained);
        pending = this.buffer.drain();
      }
    } catch (err) {
      this.buffer.restore(drained);
      throw err;
    }
    if (pending.batches === 0 && pending.metrics.length === 0 && pending.evaluations.length === 0 && pending.samples.length === 0) return;
    // A day already past retention would be dropped at the next pass: it is not written (nor its partition made again).
    const horizon = retentionHorizon(Date.now(), this.config.telemetryRetentionDays);
    let recorded: MetricScope[];
    try {
      const scopesOf = await this.scopesOf(pending.attributable);
      try {
        recorded = await this.writeRows(pending, horizon, scopesOf);
      } catch (err) {
        // A partition dropped or never made (a clock jump, an operator): make the days, write once more.
        if ((err as { code?: string }).code !== NO_PARTITION) throw err;
        this.preparedDays.clear();
        recorded = await this.writeRows(pending, horizon, scopesOf);
      }
    } catch (err) {
      // It may have committed (a connection cut as the database committed): set aside, and looked
      // up before it is written again, so it is never counted twice.
      this.uncertain.push(pending);
      throw err;
    }
    for (const scope of recorded) scope.onRecorded?.();
  }

  /** Rows held in memory: the buffer's and those of writes that failed. */
  private get heldRows(): number {
    return this.buffer.size + this.uncertain.reduce((n, p) => n + p.metrics.length + p.evaluations.length + p.samples.length, 0);
  }

  /** Looks up the writes that failed: those that committed are done; answers the others (to be written). */
  private async settleUncertain(): Promise<PendingRollups[]> {
    if (this.uncertain.length === 0) return [];
    const committed = await this.repository.committedFlushes(this.uncertain.map((p) => p.id));
    return this.uncertain.splice(0).filter((p) => !committed.has(p.id));
  }

  private async writeRows(pending: PendingRollups, horizon: number, scopesOf: Map<string, MetricScope[]>): Promise<MetricScope[]> {
    const days = new Set<number>();
    for (const row of pending.metrics) if (row.minute.getTime() >= horizon) days.add(dayOf(row.minute.getTime()));
    for (const row of pending.evaluations) if (row.minute.getTime() >= horizon) days.add(dayOf(row.minute.getTime()));
    const missing = [...days].filter((day) => !this.preparedDays.has(day));
    if (missing.length > 0) {
      // Outside the write's transaction: creating a partition locks the parent table briefly.
      await this.repository.ensurePartitions(missing.sort((a, b) => a - b));
      for (const day of missing) this.preparedDays.add(day);
    }
    const ids = new Set<string>();
    const collect = (row: { flagId: string | null }): void => {
      if (row.flagId !== null) ids.add(row.flagId);
    };
    pending.metrics.forEach(collect);
    pending.evaluations.forEach(collect);
    pending.lastEvaluated.forEach(collect);
    pending.samples.forEach(collect);
    for (const log of pending.attributable) for (const flag of log.flags) if (flag.flagId !== null) ids.add(flag.flagId);
    let deleted = false;
    const recorded = await this.repository.transaction(async () => {
      await this.repository.recordFlush(pending.id);
      // First, before any rollup row is locked: a delete holding its flag's row waits for nothing this write holds.
      const live = await this.repository.lockLiveFlags([...ids]);
      deleted = live.size < ids.size;
      // A flag deleted since: its rows of minutes before the deletion minute are written, as if
      // written before the delete (which purges the deletion minute on); the rest is left out.
      const deletedIn = deleted ? await this.repository.deletionMinutes([...ids].filter((id) => !live.has(id))) : new Map<string, number>();
      const kept = (row: { flagId: string | null }): boolean => row.flagId === null || live.has(row.flagId);
      const keptRollup = (row: { flagId: string | null; minute: Date }): boolean =>
        kept(row) || row.minute.getTime() < (deletedIn.get(row.flagId!) ?? Number.NEGATIVE_INFINITY);
      const metrics = mergedByKey(
        pending.metrics.filter((row) => row.minute.getTime() >= horizon && keptRollup(row)),
        (r) => `${r.environmentId}\u0000${r.flagKey}\u0000${r.metric}\u0000${r.variantKey}\u0000${r.minute.getTime()}`,
        (into, r) => {
          into.count += r.count;
          into.sum += r.sum;
          into.sumSquares += r.sumSquares;
          into.errors += r.errors;
          into.histogram = mergeHistogramBuckets({ ...into.histogram }, r.histogram);
        },
      );
      const evaluations = mergedByKey(
        pending.evaluations.filter((row) => row.minute.getTime() >= horizon && keptRollup(row)),
        (r) => `${r.environmentId}\u0000${r.flagKey}\u0000${r.variantKey}\u0000${r.reason}\u0000${r.minute.getTime()}`,
        (into, r) => {
          into.count += r.count;
        },
      );
      const lastEvaluated = mergedByKey(
        pending.lastEvaluated.filter(kept),
        (r) => `${r.environmentId}\u0000${r.flagKey}`,
        (into, r) => {
          if (into.at < r.at) into.at = r.at;
        },
      );
      const scoped = this.attribute(pending.attributable, scopesOf, live);
      await this.repository.mergeMetricRollups(metrics);
      await this.repository.mergeScopedTotals(scoped.rows);
      await this.repository.mergeEvaluationRollups(evaluations);
      await this.repository.touchLastEvaluated(lastEvaluated);
      await this.repository.addSamples(pending.samples.filter(kept), SAMPLES_KEPT_PER_FLAG);
      return scoped.scopes;
    });
    // A flag read here was deleted: what is read next is read again.
    if (deleted) this.forgetFlagIds();
    return recorded;
  }

  /**
   * Time series per (flag, variant, metric) over `[from, to)`: a point per `stepMinutes` that has
   * values (count, rate per second, mean, p50/p95/p99, errors, error rate), and totals.
   */
  async series(environmentId: string, query: MetricQuery): Promise<MetricSeriesResultResponse> {
    await this.settle();
    const stepMinutes = query.stepMinutes ?? 1;
    const { from, to } = this.range(query, stepMinutes);
    const stepMs = stepMinutes * MINUTE_MS;
    const rows = await this.repository.metricRollups(environmentId, { from, to, flagKey: query.flagKey, metric: query.metric, variantKey: query.variantKey });
    const grouped = new Map<string, { flag: string; variant: string; metric: string; total: MetricAccumulator; steps: Map<number, MetricAccumulator> }>();
    for (const row of rows) {
      const key = `${row.flagKey}\u0000${row.variantKey}\u0000${row.metric}`;
      let group = grouped.get(key);
      if (group === undefined) {
        group = { flag: row.flagKey, variant: row.variantKey, metric: row.metric, total: new MetricAccumulator(), steps: new Map() };
        grouped.set(key, group);
      }
      group.total.add(row);
      const step = from.getTime() + Math.floor((row.minute.getTime() - from.getTime()) / stepMs) * stepMs;
      let accumulator = group.steps.get(step);
      if (accumulator === undefined) {
        accumulator = new MetricAccumulator();
        group.steps.set(step, accumulator);
      }
      accumulator.add(row);
    }
    const rangeSeconds = (to.getTime() - from.getTime()) / 1000;
    const series = [...grouped.values()].map((g) => ({
      flag: shown(g.flag),
      variant: shown(g.variant),
      metric: g.metric,
      total: g.total.stats(rangeSeconds),
      points: [...g.steps]
        .sort(([a], [b]) => a - b)
        .map(([start, accumulator]) => ({ start: new Date(start).toISOString(), ...accumulator.stats(Math.min(stepMs, to.getTime() - start) / 1000) })),
    }));
    return { from: from.toISOString(), to: to.toISOString(), stepMinutes, series };
  }

  /**
   * Metric names reported in the environment (or under one flag) in the last 7 days, by name, a page
   * at a time: when each was last seen, and its observations and failures over the last `windowMinutes`.
   */
  async catalogue(
    environmentId: string,
    query: { flagKey?: string; windowMinutes: number; limit: number; after?: string },
    now = new Date(),
  ): Promise<MetricCatalogueResponse> {
    // One more than the page, to know whether another page follows.
    const rows = await this.reportedMetrics(environmentId, { ...query, limit: query.limit + 1 }, now);
    const page = rows.slice(0, query.limit);
    return {
      flag: query.flagKey ?? null,
      windowFrom: new Date(minuteOf(now.getTime() - query.windowMinutes * MINUTE_MS)).toISOString(),
      to: now.toISOString(),
      metrics: page.map((r) => ({ ...r, lastSeen: r.lastSeen.toISOString() })),
      nextAfter: rows.length > query.limit ? page[page.length - 1]!.metric : null,
    };
  }

  /** The catalogue's rows (see `catalogue`), for other domains. */
  async reportedMetrics(
    environmentId: string,
    query: { flagKey?: string; windowMinutes: number; limit: number; after?: string },
    now = new Date(),
  ): Promise<ReportedMetric[]> {
    await this.settle();
    // The end is the next minute's start, so the minute in progress counts.
    const to = new Date(minuteOf(now.getTime()) + MINUTE_MS);
    return this.repository.metricCatalogue(environmentId, {
      since: new Date(now.getTime() - CATALOGUE_LOOKBACK_DAYS * 24 * 60 * MINUTE_MS),
      // Whole minutes, as the rollout guards' windows start.
      windowFrom: new Date(minuteOf(now.getTime() - query.windowMinutes * MINUTE_MS)),
      to,
      flagKey: query.flagKey,
      after: query.after,
      limit: query.limit,
    });
  }

  /** Totals per variant of one flag's metric over `[from, to)` (for rollout guards and experiments). */
  async variantTotals(
    environmentId: string,
    flagKey: string,
    metric: string,
    from: Date,
    to: Date,
  ): Promise<Array<{ variant: string | null; stats: MetricStats }>> {
    const result = await this.series(environmentId, {
      from,
      to,
      flagKey,
      metric,
      stepMinutes: Math.max(1, Math.min(1440, Math.ceil((to.getTime() - from.getTime()) / MINUTE_MS))),
    });
    return result.series.map((s) => ({ variant: s.variant, stats: s.total }));
  }

  /** Evaluations over `[from, to)` per flag, variant and reason. */
  async evaluationCounts(environmentId: string, query: { from: Date; to: Date; flagKey?: string }): Promise<EvaluationCountResponse[]> {
    await this.settle();
    const { from, to } = this.range(query, 1);
    const rows = await this.repository.evaluationTotals(environmentId, { from, to, flagKey: query.flagKey });
    return rows.map((r) => ({ flag: r.flagKey, variant: shown(r.variantKey), reason: r.reason, count: r.count }));
  }

  /** Evaluation counts per step of `stepMinutes` over `[from, to)`: one entry per step, empty steps included. */
  async evaluationSteps(environmentId: string, query: { from: Date; to: Date; flagKey?: string; stepMinutes: number }): Promise<EvaluationStepResponse[]> {
    await this.settle();
    const { from, to } = this.range(query, query.stepMinutes);
    const stepMs = query.stepMinutes * MINUTE_MS;
    const steps: EvaluationStepResponse[] = [];
    for (let start = from.getTime(); start < to.getTime(); start += stepMs) {
      steps.push({ start: new Date(start).toISOString(), end: new Date(Math.min(start + stepMs, to.getTime())).toISOString(), counts: [] });
    }
    for (const row of await this.repository.evaluationSteps(environmentId, { from, to, flagKey: query.flagKey }, stepMs / 1000)) {
      steps[row.step]?.counts.push({ flag: row.flagKey, variant: shown(row.variantKey), reason: row.reason, count: row.count });
    }
    return steps;
  }

  /** When each flag was last evaluated, per environment id (flags never evaluated are absent). */
  async lastEvaluated(environmentIds: string[]): Promise<Map<string, Map<string, Date>>> {
    await this.settle();
    const byFlag = new Map<string, Map<string, Date>>();
    for (const row of await this.repository.lastEvaluated(environmentIds)) {
      let environments = byFlag.get(row.flagKey);
      if (environments === undefined) {
        environments = new Map();
        byFlag.set(row.flagKey, environments);
      }
      environments.set(row.environmentId, row.lastEvaluatedAt);
    }
    return byFlag;
  }

  /** The newest samples (shadow disagreements, candidate failures), newest first. */
  async samples(environmentId: string, flagKey: string | undefined, limit: number): Promise<ShadowSampleResponse[]> {
    await this.settle();
    const rows = await this.repository.samples(environmentId, flagKey, limit);
    return rows.map((r) => ({
      flag: r.flagKey,
      variant: shown(r.variantKey),
      kind: r.kind,
      at: r.recordedAt.toISOString(),
      ...(r.sample as Pick<ShadowSampleResponse, 'input' | 'primary' | 'candidate' | 'error' | 'sdk'>),
    }));
  }

  private range(query: { from: Date; to: Date }, stepMinutes: number): { from: Date; to: Date } {
    const from = new Date(minuteOf(query.from.getTime()));
    const to = query.to;
    const problems: FieldProblem[] = [];
    if (to.getTime() <= from.getTime()) problems.push({ field: 'to', reason: 'must be after from' });
    else if (to.getTime() - from.getTime() > MAX_RANGE_MS) problems.push({ field: 'from', reason: 'the range must not exceed 31 days' });
    else if ((to.getTime() - from.getTime()) / (stepMinutes * MINUTE_MS) > MAX_POINTS)
      problems.push({ field: 'stepMinutes', reason: `the range holds more than ${MAX_POINTS} steps; use larger steps` });
    if (problems.length > 0) throw validationFailed(problems);
    return { from, to };
  }
}
