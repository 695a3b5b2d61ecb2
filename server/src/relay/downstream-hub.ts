import type { RefusalMessage, ServerMessage, SnapshotMessage } from '@signalbox/sdk/protocol';
import type { UpstreamLink } from './upstream-link.js';

/** One downstream SDK connection (socket.io or SSE). */
export interface Downstream {
  id: string;
  keyHash: string;
  link: UpstreamLink;
  transport: 'socket.io' | 'sse';
  /** Newest sequence the client confirmed (or held when it connected). */
  acked: number;
  send(messages: ServerMessage[]): void;
  close(refusal?: RefusalMessage): void;
  /** Members of a group get live messages by one broadcast (a socket.io room) instead of `send`. */
  group?: { join(): void; leave(): void };
}

/** Sends a link's messages to every member of its group at once, encoded once. */
export type GroupBroadcast = (link: UpstreamLink, messages: ServerMessage[]) => void;

const REVOKED: RefusalMessage = { error: 'UNAUTHENTICATED', message: 'The SDK key was revoked or rotated' };

/**
 * The downstream SDKs of every link and what each confirmed. Everything a client needs is in
 * memory, so bringing one up to date and making it live happen in the same tick: no change can
 * slip between its catch-up and the live messages.
 */
export class DownstreamHub {
  private readonly byLink = new Map<UpstreamLink, Set<Downstream>>();
  private readonly byId = new Map<string, Downstream>();
  private broadcast: GroupBroadcast | undefined;

  registerBroadcast(broadcast: GroupBroadcast): void {
    this.broadcast = broadcast;
  }

  attach(link: UpstreamLink): void {
    this.byLink.set(link, new Set());
    link.reportPresenceFrom(() => this.histogram(link));
  }

  get connections(): number {
    return this.byId.size;
  }

  connectionsOf(link: UpstreamLink): number {
    return this.byLink.get(link)?.size ?? 0;
  }

  find(id: string): Downstream | undefined {
    return this.byId.get(id);
  }

  /** Sends what the client missed since `fromSequence` (the changes, or a snapshot) and makes it live. */
  subscribe(downstream: Downstream, fromSequence: number): void {
    const link = downstream.link;
    this.byId.set(downstream.id, downstream);
    this.byLink.get(link)!.add(downstream);
    downstream.acked = fromSequence;
    link.presenceChanged();
    if (link.hasConfig) {
      const missed = fromSequence > 0 ? link.changesAfter(fromSequence) : undefined;
      const initial = missed ?? [this.snapshotMessage(link)!];
      if (initial.length > 0) downstream.send(initial);
    }
    // Without a config yet the client waits, like an SDK whose server is still starting: the
    // first snapshot the link receives reaches it as a live message.
    downstream.group?.join();
  }

  resync(downstream: Downstream): void {
    const snapshot = this.snapshotMessage(downstream.link);
    if (snapshot && this.byId.get(downstream.id) === downstream) downstream.send([snapshot]);
  }

  ack(id: string, sequence: number): boolean {
    const downstream = this.byId.get(id);
    if (!downstream || !Number.isSafeInteger(sequence) || sequence < 0) return false;
    if (sequence > downstream.acked) {
      downstream.acked = sequence;
      downstream.link.presenceChanged();
    }
    return true;
  }

  /** A connection went away (idempotent). */
  remove(downstream: Downstream): void {
    if (this.byId.get(downstream.id) !== downstream) return;
    this.byId.delete(downstream.id);
    this.byLink.get(downstream.link)?.delete(downstream);
    downstream.link.presenceChanged();
  }

  /** Ends one connection, telling the client why when there is a reason. */
  end(downstream: Downstream, refusal?: RefusalMessage): void {
    if (this.byId.get(downstream.id) !== downstream) return;
    this.remove(downstream);
    try {
      downstream.close(refusal);
    } catch {
      // Closing is best effort; the connection is already forgotten.
    }
  }

  /** Ends every connection without refusing it (shutdown): clients come back when the relay does. */
  endAll(): void {
    for (const downstream of [...this.byId.values()]) this.end(downstream);
  }

  /** Messages a link applied: to each live client, in order. */
  relay(link: UpstreamLink, messages: ServerMessage[]): void {
    let grouped = false;
    for (const downstream of this.byLink.get(link) ?? []) {
      if (downstream.group && this.broadcast) grouped = true;
      else downstream.send(messages);
    }
    if (grouped) this.broadcast!(link, messages);
  }

  endKeys(link: UpstreamLink, hashes: ReadonlySet<string>): void {
    for (const downstream of [...(this.byLink.get(link) ?? [])]) if (hashes.has(downstream.keyHash)) this.end(downstream, REVOKED);
  }

  histogram(link: UpstreamLink): Record<string, number> {
    const histogram: Record<string, number> = {};
    for (const downstream of this.byLink.get(link) ?? []) histogram[downstream.acked] = (histogram[downstream.acked] ?? 0) + 1;
    return histogram;
  }

  private snapshotMessage(link: UpstreamLink): SnapshotMessage | undefined {
    const snapshot = link.snapshot();
    if (!snapshot) return undefined;
    // `confirm`, as the server's snapshots: the client acknowledges what it now holds at once.
    return { type: 'snapshot', sequence: snapshot.sequence, config: snapshot.config, confirm: true };
  }
}
