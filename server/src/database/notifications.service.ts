import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { Database } from './database.service.js';
import { type Channel, CHANNELS, DATABASE_TARGET, type DatabaseTarget } from './database-target.js';
import { loadPg } from './pg-types.js';

type Listener = (payload: unknown) => void;

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** How often the LISTEN session proves it is alive, and how long it may take to answer. */
export const PROBE_INTERVAL_MS = 5_000;
const PROBE_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** How the LISTEN session names itself in pg_stat_activity, so operators (and tests) can count them. */
export const LISTEN_APPLICATION_NAME = 'signalbox-listen';

/** What `/readyz` and `/metrics` report about the LISTEN session. */
export interface ListenState {
  /** True while a LISTEN session is open (always on the embedded database). */
  listening: boolean;
  /** Sessions opened after the first one. */
  reconnects: number;
  /** When the session was lost, while it is (ms since the epoch). */
  downSince: number | undefined;
}

/**
 * PostgreSQL NOTIFY/LISTEN between server instances. `notify` joins the caller's transaction, so a
 * notification goes out on commit and never for a rollback. Every instance (this one included)
 * hears every notification.
 *
 * The LISTEN session is kept by one loop: open, listen until it is lost (an error, an end, or a
 * probe that goes unanswered), wait with capped backoff, open again. Only that loop ever opens a
 * session, so a burst of errors cannot multiply them. NOTIFY is only a wake-up: after every
 * reconnect, listeners hear `{ reconnected: true }` and re-read what they may have missed.
 */
@Injectable()
export class NotificationsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('notifications');
  private readonly listeners = new Map<Channel, Set<Listener>>();
  private readonly stopping = new AbortController();
  private client: pg.Client | undefined;
  private loop: Promise<void> | undefined;
  private detach: (() => void) | undefined;
  private readonly listenState: ListenState = { listening: false, reconnects: 0, downSince: undefined };

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
      this.listenState.listening = true;
      return;
    }
    // The first session must open for the server to start at all; later losses are healed by the loop.
    const first = await this.open(this.target.url);
    this.loop = this.keepListening(this.target.url, first);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    this.detach?.();
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  state(): Readonly<ListenState> {
    return this.listenState;
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

  private async keepListening(url: string, first: pg.Client): Promise<void> {
    const { signal } = this.stopping;
    let client: pg.Client | undefined = first;
    let attempt = 0;
    while (!signal.aborted) {
      if (client) {
        this.client = client;
        this.listenState.listening = true;
        this.listenState.downSince = undefined;
        attempt = 0;
        const why = await this.watch(client);
        this.client = undefined;
        this.listenState.listening = false;
        client.removeAllListeners('notification');
        await client.end().catch(() => undefined);
        if (signal.aborted) return;
        this.listenState.downSince = Date.now();
        this.logger.warn({ reason: why }, 'LISTEN session lost; reconnecting');
      }
      await sleep(retryDelay(attempt++), undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        client = await this.open(url);
        this.listenState.reconnects++;
        this.logger.log('LISTEN session open again; re-reading the change log');
        // Changes committed while the session was down were not heard: tell consumers to re-read.
        for (const channel of Object.values(CHANNELS)) this.dispatch(channel, JSON.stringify({ reconnected: true }));
      } catch (err) {
        client = undefined;
        this.logger.warn({ reason: describe(err) }, 'LISTEN session could not be opened; retrying');
      }
    }
  }

  // A dedicated connection: pooled ones would drop LISTEN when returned to the pool.
  private async open(url: string): Promise<pg.Client> {
    const client = new (loadPg().pg.Client)({
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: LISTEN_APPLICATION_NAME,
    });
    // Until `watch` takes over, an error must not become an unhandled 'error' event.
    client.on('error', () => undefined);
    try {
      await client.connect();
      // One round trip for every channel: the session listens to all of them or to none.
      await client.query(
        Object.values(CHANNELS)
          .map((channel) => `LISTEN ${channel}`)
          .join('; '),
      );
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    client.on('notification', (msg) => this.dispatch(msg.channel as Channel, msg.payload ?? ''));
    return client;
  }

  /** Resolves with the reason once the session is lost (or the service stops). */
  private watch(client: pg.Client): Promise<string> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (why: string) => {
        if (done) return;
        done = true;
        clearInterval(probe);
        this.stopping.signal.removeEventListener('abort', onStop);
        resolve(why);
      };
      const onStop = () => finish('stopping');
      this.stopping.signal.addEventListener('abort', onStop);
      client.on('error', (err) => finish(describe(err)));
      client.on('end', () => finish('the connection ended'));
      // A frozen or cut-off server sends no error: a probe that goes unanswered ends the session too.
      let probing = false;
      const probe = setInterval(() => {
        if (probing) return;
        probing = true;
        const timer = setTimeout(() => finish(`no answer to a probe within ${PROBE_TIMEOUT_MS} ms`), PROBE_TIMEOUT_MS);
        client.query('SELECT 1').then(
          () => ((probing = false), clearTimeout(timer)),
          (err: unknown) => (clearTimeout(timer), finish(describe(err))),
        );
      }, PROBE_INTERVAL_MS);
      probe.unref();
    });
  }
}

/** Capped exponential backoff, ±20 % so instances that lost the same server do not return in step. */
const retryDelay = (attempt: number): number => Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempt, 10)) * (0.8 + 0.4 * Math.random());

const describe = (err: unknown): string => (err instanceof Error ? err.message || err.name : String(err));
