import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { Database } from './database.service.js';
import { type Channel, CHANNELS, DATABASE_TARGET, type DatabaseTarget } from './database-target.js';

type Listener = (payload: unknown) => void;

/**
 * PostgreSQL NOTIFY/LISTEN between server instances. `notify` joins the caller's transaction, so a
 * notification goes out on commit and never for a rollback. Every instance (this one included)
 * hears every notification.
 */
@Injectable()
export class NotificationsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('notifications');
  private readonly listeners = new Map<Channel, Set<Listener>>();
  private client: pg.Client | undefined;
  private closing = false;
  private detach: (() => void) | undefined;

  constructor(
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
    private readonly db: Database,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.target.kind === 'embedded') {
      const { notifications } = this.target;
      const handlers = Object.values(CHANNELS).map((channel) => {
        const handler = (payload: string) => this.dispatch(channel, payload);
        notifications.on(channel, handler);
        return () => notifications.off(channel, handler);
      });
      this.detach = () => handlers.forEach((off) => off());
      return;
    }
    await this.connect(this.target.url);
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.detach?.();
    await this.client?.end().catch(() => undefined);
  }

  on(channel: Channel, listener: Listener): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return () => set.delete(listener);
  }

  /** Sends on commit of the current transaction (at once outside one). */
  async notify(channel: Channel, payload: object): Promise<void> {
    await this.db.manager().query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
  }

  private dispatch(channel: Channel, raw: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return;
    }
    for (const listener of this.listeners.get(channel) ?? []) {
      try {
        listener(payload);
      } catch (err) {
        this.logger.error({ err }, `listener of ${channel} failed`);
      }
    }
  }

  // A dedicated connection: pooled ones would drop LISTEN when returned to the pool.
  private async connect(url: string, attempt = 0): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (msg) => this.dispatch(msg.channel as Channel, msg.payload ?? ''));
    client.on('error', (err) => {
      this.logger.warn({ err }, 'LISTEN connection lost; reconnecting');
      this.client = undefined;
      if (!this.closing) setTimeout(() => void this.connect(url, attempt + 1).catch(() => undefined), Math.min(30_000, 250 * 2 ** attempt));
    });
    await client.connect();
    for (const channel of Object.values(CHANNELS)) await client.query(`LISTEN ${channel}`);
    this.client = client;
    // Changes committed while the connection was down were not heard: tell consumers to re-read.
    if (attempt > 0) for (const channel of Object.values(CHANNELS)) this.dispatch(channel, JSON.stringify({ reconnected: true }));
  }
}
