import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { validationFailed } from '../common/errors/domain-error.js';
import { PresenceRepository } from './presence.repository.js';

const FLUSH_MS = 50;
/** Most distinct sequences one relay report may carry (a relay's clients sit at a handful). */
const MAX_RELAY_SEQUENCES = 1_000;
const MAX_RELAY_CONNECTIONS = 10_000_000;

/** Every instance rewrites all its rows this often, so a live instance is never mistaken for a dead one. */
export const HEARTBEAT_MS = 2_000;
/**
 * An instance whose rows are older than this no longer counts: it crashed, was killed or is cut off
 * from the database. Three missed heartbeats, so a slow query is not a death.
 */
export const FRESH_SECONDS = 7;

/**
 * Which SDKs are connected and what each confirmed. In memory per connection; in PostgreSQL as one
 * histogram per instance and environment, written at most every 50 ms for the environments whose
 * acks changed, so an ack costs a map update and every instance can answer "confirmed by N of M".
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  readonly instanceId = randomUUID();
  private readonly logger = new Logger('presence');
  /** environment → connection → acknowledged sequence */
  private readonly acks = new Map<string, Map<string, number>>();
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly repository: PresenceRepository) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.heartbeat);
    clearTimeout(this.flushTimer);
    await this.flushing;
    await this.repository.deleteInstance(this.instanceId).catch(() => undefined);
  }

  /** A connection exists and has applied `sequence` (what it held when it connected, or an ack). */
  acked(environmentId: string, connectionId: string, sequence: number): void {
    let connections = this.acks.get(environmentId);
    if (!connections) this.acks.set(environmentId, (connections = new Map()));
    if ((connections.get(connectionId) ?? -1) >= sequence) return;
    connections.set(connectionId, sequence);
    this.markDirty(environmentId);
  }

  /** Connections of this instance to `environmentId` that have not confirmed `sequence`. */
  behind(environmentId: string, sequence: number): number {
    let count = 0;
    for (const acked of this.acks.get(environmentId)?.values() ?? []) if (acked < sequence) count++;
    return count;
  }

  disconnected(environmentId: string, connectionId: string): void {
    if (this.acks.get(environmentId)?.delete(connectionId)) this.markDirty(environmentId);
  }

  /**
   * A relay's downstream SDKs of one environment, by acknowledged sequence. Stored as a row of its
   * own (`relay:<id>`), so it counts exactly like an instance's: while the relay reports within
   * FRESH_SECONDS (it reports every HEARTBEAT_MS and at once on new acks), whichever instance it reaches.
   */
  async relayed(relayId: string, environmentId: string, acks: Record<string, number>): Promise<void> {
    const entries = Object.entries(acks);
    if (entries.length > MAX_RELAY_SEQUENCES) throw validationFailed([{ field: 'acks', reason: `must have at most ${MAX_RELAY_SEQUENCES} sequences` }]);
    const histogram: Record<string, number> = {};
    for (const [sequence, count] of entries) {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(sequence) || !Number.isSafeInteger(Number(sequence)))
        throw validationFailed([{ field: `acks.${sequence.slice(0, 40)}`, reason: 'must be keyed by a sequence (a non-negative integer)' }]);
      if (!Number.isSafeInteger(count) || count < 0 || count > MAX_RELAY_CONNECTIONS)
        throw validationFailed([{ field: `acks.${sequence}`, reason: `must be an integer from 0 to ${MAX_RELAY_CONNECTIONS}` }]);
      if (count > 0) histogram[sequence] = count;
    }
    await this.repository.upsert(`relay:${relayId}`, [{ environmentId, acks: histogram }]);
  }

  /** Counts across all instances, after writing what this one has pending. */
  async confirmations(environmentId: string, sequence: number): Promise<{ connected: number; confirmed: number }> {
    await this.flush();
    let connected = 0;
    let confirmed = 0;
    for (const histogram of await this.repository.histograms(environmentId, FRESH_SECONDS)) {
      for (const [acked, count] of Object.entries(histogram)) {
        connected += count;
        if (Number(acked) >= sequence) confirmed += count;
      }
    }
    return { connected, confirmed };
  }

  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flushing.then(async () => {
      const rows = [...this.dirty].map((environmentId) => ({ environmentId, acks: this.histogram(environmentId) }));
      this.dirty.clear();
      try {
        await this.repository.upsert(this.instanceId, rows);
      } catch (err) {
        this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not record SDK presence; the next heartbeat retries');
      }
    });
    return this.flushing;
  }

  // Rewrites every row this instance owns rather than touching them: rows another instance deleted
  // as stale while this one was cut off from the database come back with the next beat.
  private async beat(): Promise<void> {
    for (const environmentId of this.acks.keys()) this.dirty.add(environmentId);
    await this.flush();
    await this.repository.touchInstance(this.instanceId).catch(() => undefined);
    await this.repository.deleteStale(FRESH_SECONDS * 10).catch(() => undefined);
  }

  private histogram(environmentId: string): Record<string, number> {
    const histogram: Record<string, number> = {};
    for (const sequence of this.acks.get(environmentId)?.values() ?? []) histogram[sequence] = (histogram[sequence] ?? 0) + 1;
    return histogram;
  }

  private markDirty(environmentId: string): void {
    this.dirty.add(environmentId);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
  }
}
