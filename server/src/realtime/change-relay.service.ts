import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ChangeMessage, FlagConfig, Segment, ServerMessage, SnapshotMessage } from '@signalbox/sdk/protocol';
import { ChangesService, type Change } from '../changes/changes.service.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { SnapshotsService } from '../snapshots/snapshots.service.js';
import { PresenceService } from './presence.service.js';
import type { Broadcast, Subscriber } from './subscriber.js';

/** How many recent changes a feed keeps to catch a (re)connecting client up without a snapshot. */
const RECENT_CHANGES = 1000;

/** The changes of one environment this instance relays, and the subscribers that are caught up. */
interface Feed {
  environmentId: string;
  /** Newest sequence read from the change log. */
  relayed: number;
  recent: ChangeMessage[];
  live: Set<Subscriber>;
  pumping: boolean;
  again: boolean;
}

const toMessage = (change: Change): ChangeMessage =>
  change.kind === 'flag'
    ? { type: 'change', sequence: change.sequence, kind: 'flag', key: change.key, flag: change.payload as FlagConfig | null }
    : { type: 'change', sequence: change.sequence, kind: 'segment', key: change.key, segment: change.payload as Segment | null };

/**
 * Relays each environment's change log to its connected SDKs. Every subscriber gets messages in
 * strictly increasing sequence order: first a snapshot or the changes it missed, then a catch-up
 * from memory, then (in the same tick, so nothing slips between) it joins the live set that each
 * newly committed change is sent to.
 */
@Injectable()
export class ChangeRelay implements OnModuleDestroy {
  private readonly logger = new Logger('relay');
  private readonly feeds = new Map<string, Feed>();
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly unsubscribe: Array<() => void>;
  private broadcast: Broadcast | undefined;

  constructor(
    private readonly changes: ChangesService,
    private readonly snapshots: SnapshotsService,
    private readonly presence: PresenceService,
    private readonly metrics: MetricsService,
    events: DomainEvents,
  ) {
    this.unsubscribe = [
      events.on('change.appended', ({ environmentId, sequence }) => {
        const feed = this.feeds.get(environmentId);
        if (feed && sequence > feed.relayed) this.pump(feed);
      }),
      events.on('changes.lost', () => this.feeds.forEach((feed) => this.pump(feed))),
      events.on('sdk-keys.revoked', ({ keyIds }) => {
        const revoked = new Set(keyIds);
        for (const subscriber of this.subscribers.values()) {
          if (revoked.has(subscriber.keyId)) subscriber.close({ error: 'UNAUTHENTICATED', message: 'The SDK key was revoked or rotated' });
        }
      }),
    ];
  }

  onModuleDestroy(): void {
    this.unsubscribe.forEach((off) => off());
  }

  /** The socket.io gateway registers how to reach a whole environment at once. */
  registerBroadcast(broadcast: Broadcast): void {
    this.broadcast = broadcast;
  }

  /** Brings a new subscriber up to date from `fromSequence` (0: it has nothing) and makes it live. */
  async subscribe(subscriber: Subscriber, fromSequence: number): Promise<void> {
    this.subscribers.set(subscriber.id, subscriber);
    this.metrics.connectedSdks.inc({ environment: subscriber.environmentId, transport: subscriber.transport });
    this.presence.acked(subscriber.environmentId, subscriber.id, fromSequence);
    await this.synchronise(subscriber, fromSequence);
  }

  /** The client lost track: send it a snapshot and continue from there. */
  async resync(subscriber: Subscriber): Promise<void> {
    this.feeds.get(subscriber.environmentId)?.live.delete(subscriber);
    subscriber.broadcastGroup?.leave();
    await this.synchronise(subscriber, 0);
  }

  unsubscribeSubscriber(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber.id)) return;
    this.metrics.connectedSdks.dec({ environment: subscriber.environmentId, transport: subscriber.transport });
    this.presence.disconnected(subscriber.environmentId, subscriber.id);
    const feed = this.feeds.get(subscriber.environmentId);
    feed?.live.delete(subscriber);
    if (feed && feed.live.size === 0 && ![...this.subscribers.values()].some((s) => s.environmentId === feed.environmentId)) this.feeds.delete(feed.environmentId);
  }

  ack(subscriberId: string, sequence: number): boolean {
    const subscriber = this.subscribers.get(subscriberId);
    if (!subscriber || !Number.isSafeInteger(sequence) || sequence < 0) return false;
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
    // Another subscriber may have created it while the head was read.
    const raced = this.feeds.get(environmentId);
    if (raced) return raced;
    const feed: Feed = { environmentId, relayed: head, recent: [], live: new Set(), pumping: false, again: false };
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

  /** The changes after `fromSequence` when the log still has them all, else a snapshot. */
  private async initialMessages(environmentId: string, fromSequence: number): Promise<ServerMessage[]> {
    if (fromSequence > 0) {
      const head = await this.changes.head(environmentId);
      if (fromSequence === head) return [];
      if (fromSequence < head) {
        const missed = await this.changes.since(environmentId, fromSequence, RECENT_CHANGES);
        if (missed.length === head - fromSequence && missed[0]?.sequence === fromSequence + 1) return missed.map(toMessage);
      }
    }
    return [await this.snapshotMessage(environmentId)];
  }

  private async snapshotMessage(environmentId: string): Promise<SnapshotMessage> {
    const snapshot = await this.snapshots.current(environmentId);
    if (!snapshot) throw new Error(`environment ${environmentId} has no snapshot`);
    return { type: 'snapshot', sequence: snapshot.config.sequence, config: snapshot.config };
  }

  // Reads new changes in order and sends them to the live subscribers; one pump per feed at a time.
  private pump(feed: Feed): void {
    if (feed.pumping) {
      feed.again = true;
      return;
    }
    feed.pumping = true;
    void (async () => {
      try {
        do {
          feed.again = false;
          const changes = await this.changes.since(feed.environmentId, feed.relayed, RECENT_CHANGES);
          if (changes.length === 0) continue;
          const now = Date.now();
          for (const change of changes) this.metrics.relayLag.observe(Math.max(0, now - Date.parse(change.at)) / 1000);
          const messages = changes.map(toMessage);
          feed.relayed = messages[messages.length - 1]!.sequence;
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
          if (changes.length === RECENT_CHANGES) feed.again = true;
        } while (feed.again);
      } catch (err) {
        this.logger.error({ err }, `relaying changes of ${feed.environmentId} failed`);
      } finally {
        feed.pumping = false;
      }
    })();
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
