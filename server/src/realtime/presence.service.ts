import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PresenceRepository } from './presence.repository.js';

const FLUSH_MS = 50;
const HEARTBEAT_MS = 20_000;
/** An instance whose rows are older than this no longer counts (it crashed or was cut off). */
export const FRESH_SECONDS = 60;

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
    this.heartbeat = setInterval(() => {
      void this.repository.touchInstance(this.instanceId).catch((err: unknown) => this.logger.warn({ err }, 'heartbeat failed'));
      void this.repository.deleteStale(FRESH_SECONDS * 5).catch(() => undefined);
    }, HEARTBEAT_MS);
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

  disconnected(environmentId: string, connectionId: string): void {
    if (this.acks.get(environmentId)?.delete(connectionId)) this.markDirty(environmentId);
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
        this.logger.warn({ err }, 'could not record SDK presence');
      }
    });
    return this.flushing;
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
