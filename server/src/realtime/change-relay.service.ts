import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  LAZY_ACK_MS,
  type ChangeMessage,
  type FlagConfig,
  type RefusalMessage,
  type Segment,
  type ServerMessage,
  type SnapshotMessage,
} from '@signalbox/sdk/protocol';
import { CredentialsService } from '../auth/credentials.service.js';
import { ChangesService, type Change } from '../changes/changes.service.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { SnapshotsService } from '../snapshots/snapshots.service.js';
import { LogPump, type PumpRead } from './log-pump.js';
import { PresenceService } from './presence.service.js';
import type { Broadcast, Subscriber } from './subscriber.js';

/** How many recent changes a feed keeps to catch a (re)connecting client up without a snapshot. */
const RECENT_CHANGES = 1000;
/** How often the relay compares what it relayed with the change log, whatever NOTIFY says. */
export const RECONCILE_MS = 1_000;
/**
 * A connection counts as behind (`sdksBehind`) only for changes relayed longer ago than this:
 * version-2 SDKs confirm ordinary changes lazily, within `LAZY_ACK_MS`; the rest is for the ack's trip.
 */
export const CONFIRMATION_DUE_MS = LAZY_ACK_MS + 2_000;

/** How the relay stands against the change log, for `/readyz` and `/metrics`. */
export interface RelayHealth {
  /** Changes committed to the log and not yet relayed, over every environment this instance serves. */
  behindChanges: number;
  /** How long the feed furthest behind has been behind (0 when none is). */
  lagMs: number;
  /** Connections of this instance that have not confirmed a change relayed more than `CONFIRMATION_DUE_MS` ago. */
  sdksBehind: number;
  /** Whether the last comparison with the change log succeeded. */
  checked: boolean;
}

/** The changes of one environment this instance relays, and the subscribers that are caught up. */
interface Feed {
  environmentId: string;
  /** Newest sequence read from the change log. */
  relayed: number;
  /** Newest head the relay has seen in the log (at least `relayed`). */
  head: number;
  /** Since when `relayed` has been short of `head`. */
  behindSince: number | undefined;
  recent: ChangeMessage[];
  live: Set<Subscriber>;
  pump: LogPump;
  /** Flags killed as of `relayed`: a change that kills or restores one asks every SDK to confirm it at once. */
  killed: Set<string>;
  /** Newest sequence every connection should have confirmed by now (see `CONFIRMATION_DUE_MS`). */
  due: number;
  /** Relayed sequences not yet due, oldest first. */
  pending: Array<{ sequence: number; at: number }>;
}

const toMessage = (change: Change): ChangeMessage =>
  change.kind === 'flag'
    ? { type: 'change', sequence: change.sequence, kind: 'flag', key: change.key, flag: change.payload as FlagConfig | null }
    : { type: 'change', sequence: change.sequence, kind: 'segment', key: change.key, segment: change.payload as Segment | null };

const isKilled = (flag: unknown): boolean => typeof flag === 'object' && flag !== null && (flag as { killed?: unknown }).killed === true;

/** Moves `due` past the relayed changes whose confirmation window has passed. */
const settleDue = (feed: Feed, now: number): void => {
  let settled = 0;
  while (settled < feed.pending.length && now - feed.pending[settled]!.at >= CONFIRMATION_DUE_MS) feed.due = feed.pending[settled++]!.sequence;
  if (settled > 0) feed.pending.splice(0, settled);
};

/** A change to relay live: kill switches and their restores ask for confirmation (see the protocol's `confirm`). */
const toLiveMessage = (change: Change, killed: Set<string>): ChangeMessage => {
  const message = toMessage(change);
  if (change.kind !== 'flag') return message;
  const was = killed.has(change.key);
  const now = isKilled(change.payload);
  if (now) killed.add(change.key);
  else killed.delete(change.key);
  return was !== now ? { ...message, confirm: true } : message;
};

/**
 * Relays each environment's change log to its connected SDKs. Every subscriber gets messages in
 * strictly increasing sequence order: first a snapshot or the changes it missed, then a catch-up
 * from memory, then (in the same tick, so nothing slips between) it joins the live set that each
 * newly committed change is sent to.
 */
@Injectable()
export class ChangeRelay implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('relay');
  private readonly feeds = new Map<string, Feed>();
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly unsubscribe: Array<() => void>;
  private broadcast: Broadcast | undefined;
  private reconciler: NodeJS.Timeout | undefined;
  private reconciling = false;
  private lastCheckOk = true;

  constructor(
    private readonly changes: ChangesService,
    private readonly credentials: CredentialsService,
    private readonly snapshots: SnapshotsService,
    private readonly presence: PresenceService,
    private readonly metrics: MetricsService,
    private readonly events: DomainEvents,
  ) {
    this.unsubscribe = [
      events.on('change.appended', ({ environmentId, sequence }) => {
        const feed = this.feeds.get(environmentId);
        if (!feed) return;
        feed.head = Math.max(feed.head, sequence);
        if (sequence > feed.relayed) {
          feed.behindSince ??= Date.now();
          feed.pump.wake();
        }
      }),
      events.on('changes.lost', () => {
        this.feeds.forEach((feed) => feed.pump.wake());
        void this.dropRevokedKeys();
      }),
      events.on('sdk-keys.revoked', ({ keyIds }) => this.endKeys(new Set(keyIds))),
    ];
  }

  onModuleInit(): void {
    this.reconciler = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.reconciler.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.reconciler);
    this.unsubscribe.forEach((off) => off());
  }

  /** Ends every connection without refusing it (shutdown): clients reconnect, to another instance if there is one. */
  endAll(): void {
    for (const subscriber of [...this.subscribers.values()]) this.end(subscriber);
  }

  health(now = Date.now()): RelayHealth {
    let behindChanges = 0;
    let lagMs = 0;
    for (const feed of this.feeds.values()) {
      behindChanges += Math.max(0, feed.head - feed.relayed);
      if (feed.behindSince !== undefined) lagMs = Math.max(lagMs, now - feed.behindSince);
      settleDue(feed, now);
    }
    // Version-1 SDKs confirm every change at once, so they are behind as soon as they lack the head;
    // version-2 SDKs confirm ordinary changes lazily, so only a change older than their window counts.
    let sdksBehind = 0;
    for (const subscriber of this.subscribers.values()) {
      const feed = this.feeds.get(subscriber.environmentId);
      if (feed === undefined) continue;
      if ((subscriber.acked ?? 0) < ((subscriber.protocol ?? 1) >= 2 ? feed.due : feed.head)) sdksBehind++;
    }
    return { behindChanges, lagMs, sdksBehind, checked: this.lastCheckOk };
  }

  /** The socket.io gateway registers how to reach a whole environment at once. */
  registerBroadcast(broadcast: Broadcast): void {
    this.broadcast = broadcast;
  }

  /** Brings a new subscriber up to date from `fromSequence` (0: it has nothing) and makes it live. */
  async subscribe(subscriber: Subscriber, fromSequence: number): Promise<void> {
    this.subscribers.set(subscriber.id, subscriber);
    this.metrics.connectedSdks.inc({ environment: subscriber.environmentId, transport: subscriber.transport });
    subscriber.acked = fromSequence;
    this.presence.acked(subscriber.environmentId, subscriber.id, fromSequence);
    await this.synchronise(subscriber, fromSequence);
  }

  /** The client lost track: send it a snapshot and continue from there. */
  async resync(subscriber: Subscriber): Promise<void> {
    this.feeds.get(subscriber.environmentId)?.live.delete(subscriber);
    subscriber.broadcastGroup?.leave();
    await this.synchronise(subscriber, 0);
  }

  /** Ends one connection; the first call wins, so a revocation heard twice closes it once. */
  end(subscriber: Subscriber, refusal?: RefusalMessage): void {
    if (this.subscribers.get(subscriber.id) !== subscriber) return;
    this.unsubscribeSubscriber(subscriber);
    try {
      subscriber.close(refusal);
    } catch (err) {
      this.logger.warn({ err }, 'closing an SDK connection failed');
    }
  }

  unsubscribeSubscriber(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber.id)) return;
    this.metrics.connectedSdks.dec({ environment: subscriber.environmentId, transport: subscriber.transport });
    this.presence.disconnected(subscriber.environmentId, subscriber.id);
    const feed = this.feeds.get(subscriber.environmentId);
    feed?.live.delete(subscriber);
    if (feed && feed.live.size === 0 && ![...this.subscribers.values()].some((s) => s.environmentId === feed.environmentId))
      this.feeds.delete(feed.environmentId);
  }

  ack(subscriberId: string, sequence: number): boolean {
    const subscriber = this.subscribers.get(subscriberId);
    if (!subscriber || !Number.isSafeInteger(sequence) || sequence < 0) return false;
    subscriber.acked = Math.max(subscriber.acked ?? 0, sequence);
    this.presence.acked(subscriber.environmentId, subscriber.id, sequence);
    return true;
  }

  subscriber(id: string): Subscriber | undefined {
    return this.subscribers.get(id);
  }

  private async feed(environmentId: string): Promise<Feed> {
    const existing = this.feeds.get(environmentId);
    if (existing) return existing;
    const head = await this.changes.head(environmentId);
    // Which flags are killed, to tell kills and restores from other changes. Advisory: a kill or
    // restore this misjudges (a snapshot newer than `head`, or none readable now) still reaches
    // every SDK and is confirmed lazily.
    const snapshot = await this.snapshots.current(environmentId).catch(() => null);
    // Another subscriber may have created it while the head was read.
    const raced = this.feeds.get(environmentId);
    if (raced) return raced;
    const feed: Feed = {
      environmentId,
      relayed: head,
      head,
      behindSince: undefined,
      recent: [],
      live: new Set(),
      killed: new Set((snapshot?.config.flags ?? []).filter(isKilled).map((flag) => flag.key)),
      due: head,
      pending: [],
      pump: new LogPump(
        () => this.relayPage(feed),
        // The next reconciliation (within RECONCILE_MS) tries again.
        (err) => this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, `relaying changes of ${environmentId} failed; retrying`),
        () => {
          if (feed.relayed >= feed.head) feed.behindSince = undefined;
        },
      ),
    };
    this.feeds.set(environmentId, feed);
    return feed;
  }

  private async synchronise(subscriber: Subscriber, fromSequence: number): Promise<void> {
    const feed = await this.feed(subscriber.environmentId);
    let initial = await this.initialMessages(subscriber.environmentId, fromSequence);
    for (;;) {
      if (!this.subscribers.has(subscriber.id)) return;
      const sent = initial.length > 0 ? initial[initial.length - 1]!.sequence : fromSequence;
      const catchUp = feed.recent.filter((m) => m.sequence > sent);
      // Memory holds every change after `sent`, unless `sent` is older than its first entry.
      if (feed.relayed <= sent || catchUp[0]?.sequence === sent + 1) {
        const messages = [...initial, ...catchUp];
        subscriber.sent = Math.max(sent, feed.relayed);
        if (messages.length > 0) this.send(subscriber, messages);
        feed.live.add(subscriber);
        subscriber.broadcastGroup?.join();
        return;
      }
      const missed = await this.changes.since(subscriber.environmentId, sent, RECENT_CHANGES);
      initial = missed[0]?.sequence === sent + 1 ? [...initial, ...missed.map(toMessage)] : [await this.snapshotMessage(subscriber.environmentId)];
    }
  }

  /**
   * The changes after `fromSequence` when the log still has them without a gap, else a snapshot.
   * More may be committed meanwhile (or be beyond the first page): `synchronise` reads on from the
   * last one, so a busy log never turns a resume into a snapshot.
   */
  private async initialMessages(environmentId: string, fromSequence: number): Promise<ServerMessage[]> {
    if (fromSequence > 0) {
      const contiguous = (changes: Change[]) => changes.length > 0 && changes.every((change, i) => change.sequence === fromSequence + 1 + i);
      const missed = await this.changes.since(environmentId, fromSequence, RECENT_CHANGES);
      if (contiguous(missed)) return missed.map(toMessage);
      if (missed.length === 0) {
        const head = await this.changes.head(environmentId);
        // At the head; or a change committed between the two reads: read it rather than send a snapshot.
        if (head === fromSequence) return [];
        if (head > fromSequence) {
          const again = await this.changes.since(environmentId, fromSequence, RECENT_CHANGES);
          if (contiguous(again)) return again.map(toMessage);
        }
        // Otherwise the client is ahead of the log (a restored database): it needs a snapshot.
      }
    }
    return [await this.snapshotMessage(environmentId)];
  }

  private async snapshotMessage(environmentId: string): Promise<SnapshotMessage> {
    const snapshot = await this.snapshots.current(environmentId);
    if (!snapshot) throw new Error(`environment ${environmentId} has no snapshot`);
    // A snapshot goes to one connection: it costs one ack, and "confirmed" then counts the new client at once.
    return { type: 'snapshot', sequence: snapshot.config.sequence, config: snapshot.config, confirm: true };
  }

  // Reads the next changes in order and sends them to the live subscribers (one read per feed at a time: LogPump).
  private async relayPage(feed: Feed): Promise<PumpRead> {
    const changes = await this.changes.since(feed.environmentId, feed.relayed, RECENT_CHANGES);
    if (changes.length === 0) return 'caught-up';
    const now = Date.now();
    for (const change of changes) this.metrics.relayLag.observe(Math.max(0, now - Date.parse(change.at)) / 1000);
    const messages = changes.map((change) => toLiveMessage(change, feed.killed));
    feed.relayed = messages[messages.length - 1]!.sequence;
    feed.pending.push({ sequence: feed.relayed, at: now });
    settleDue(feed, now);
    feed.head = Math.max(feed.head, feed.relayed);
    feed.recent.push(...messages);
    if (feed.recent.length > RECENT_CHANGES) feed.recent.splice(0, feed.recent.length - RECENT_CHANGES);
    let grouped = 0;
    for (const subscriber of feed.live) {
      // Group members get the whole batch once; a member whose snapshot was newer ignores repeats by sequence.
      if (subscriber.broadcastGroup && this.broadcast) {
        grouped++;
        subscriber.sent = Math.max(subscriber.sent, feed.relayed);
        continue;
      }
      const fresh = subscriber.sent < messages[0]!.sequence ? messages : messages.filter((m) => m.sequence > subscriber.sent);
      if (fresh.length === 0) continue;
      subscriber.sent = feed.relayed;
      this.send(subscriber, fresh);
    }
    if (grouped > 0) {
      for (const message of messages) this.metrics.messagesSent.inc({ type: message.type }, grouped);
      this.broadcast!(feed.environmentId, messages);
    }
    return changes.length === RECENT_CHANGES ? 'more' : 'caught-up';
  }

  // NOTIFY is only a wake-up: compare every feed with the log's head and relay what is missing.
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.feeds.size === 0) return;
    this.reconciling = true;
    try {
      const heads = await this.changes.heads([...this.feeds.keys()]);
      this.lastCheckOk = true;
      const now = Date.now();
      for (const feed of this.feeds.values()) {
        const head = heads.get(feed.environmentId) ?? 0;
        if (head > feed.head) {
          // A change nobody announced (its NOTIFY was lost): tell every reader, the snapshot cache too.
          this.events.emit('change.appended', { environmentId: feed.environmentId, sequence: head });
        } else if (feed.head > feed.relayed) {
          feed.behindSince ??= now;
          feed.pump.wake();
        } else feed.behindSince = undefined;
      }
    } catch {
      this.lastCheckOk = false;
    } finally {
      this.reconciling = false;
    }
  }

  private endKeys(revoked: Set<string>): void {
    for (const subscriber of [...this.subscribers.values()]) {
      if (revoked.has(subscriber.keyId)) this.end(subscriber, { error: 'UNAUTHENTICATED', message: 'The SDK key was revoked or rotated' });
    }
  }

  // A rotation on another instance while this one could not listen was not heard: ask the database.
  private async dropRevokedKeys(): Promise<void> {
    const keyIds = [...new Set([...this.subscribers.values()].map((s) => s.keyId))];
    try {
      const active = await this.credentials.activeSdkKeyIds(keyIds);
      this.endKeys(new Set(keyIds.filter((id) => !active.has(id))));
    } catch (err) {
      this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not re-check SDK keys after a reconnect');
    }
  }

  private send(subscriber: Subscriber, messages: ServerMessage[]): void {
    for (const message of messages) this.metrics.messagesSent.inc({ type: message.type });
    try {
      subscriber.send(messages);
    } catch (err) {
      this.logger.warn({ err }, 'sending to an SDK failed');
    }
  }
}
