import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PresenceRepository, type PresenceRow } from './presence.repository.js';

const FLUSH_MS = 50;
const HEARTBEAT_MS = 20_000;
/** A connection whose instance has not refreshed it for this long no longer counts. */
export const FRESH_SECONDS = 60;

/**
 * Which SDKs are connected and what each confirmed, in PostgreSQL so every instance can answer
 * "confirmed by N of M". Writes are batched: an ack costs a map update, not a query.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  readonly instanceId = randomUUID();
  private readonly logger = new Logger('presence');
  private readonly pending = new Map<string, PresenceRow>();
  private readonly removed = new Set<string>();
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

  connected(row: Omit<PresenceRow, 'instanceId'>): void {
    this.removed.delete(row.id);
    this.pending.set(row.id, { ...row, instanceId: this.instanceId });
    this.schedule();
  }

  acked(row: Omit<PresenceRow, 'instanceId'>): void {
    this.connected(row);
  }

  disconnected(id: string): void {
    this.pending.delete(id);
    this.removed.add(id);
    this.schedule();
  }

  /** Counts across all instances, after writing what this one has pending. */
  async confirmations(environmentId: string, sequence: number): Promise<{ connected: number; confirmed: number }> {
    await this.flush();
    return this.repository.count(environmentId, sequence, FRESH_SECONDS);
  }

  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flushing.then(async () => {
      const rows = [...this.pending.values()];
      const removed = [...this.removed];
      this.pending.clear();
      this.removed.clear();
      try {
        for (let i = 0; i < rows.length; i += 1000) await this.repository.upsert(rows.slice(i, i + 1000));
        await this.repository.delete(removed);
      } catch (err) {
        this.logger.warn({ err }, 'could not record SDK connections');
      }
    });
    return this.flushing;
  }

  private schedule(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
  }
}
