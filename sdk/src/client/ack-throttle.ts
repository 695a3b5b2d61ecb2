/** Runs `task` once the event loop has handled the I/O events it is handling now. */
export type Defer = (task: () => void) => void;

const afterIo: Defer = typeof setImmediate === 'function' ? (task) => void setImmediate(task) : (task) => void setTimeout(task, 0);

/**
 * Acks that are due, sent together after the current burst of I/O. A process holding many clients
 * (a proxy, a worker pool, a benchmark fleet) then applies every change that arrived in one loop
 * iteration before it spends time writing acks; a lone client's ack leaves within the same
 * iteration, so nothing waits on a timer.
 */
class DueAcks {
  private readonly due = new Set<() => void>();
  private scheduled = false;

  constructor(private readonly defer: Defer) {}

  add(send: () => void): void {
    this.due.add(send);
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => this.drain());
  }

  delete(send: () => void): boolean {
    return this.due.delete(send);
  }

  private drain(): void {
    this.scheduled = false;
    const batch = [...this.due];
    this.due.clear();
    for (const send of batch) {
      try {
        send();
      } catch {
        // An ack is advisory (the next handshake carries the sequence); one failing must not stop the others.
      }
    }
  }
}

const sharedDueAcks = new DueAcks(afterIo);

/**
 * Sends acknowledgements at most once per `intervalMs`, always ending a burst with the newest
 * sequence: the first ack after a quiet period goes out at the end of the current I/O burst,
 * later ones within the interval are merged into one trailing ack.
 */
export class AckThrottle {
  private lastSent = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private newest = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queued = false;
  private readonly dueAcks: DueAcks;
  private readonly sendDue = () => {
    this.queued = false;
    this.sendNewest();
  };

  constructor(
    private readonly send: (sequence: number) => void,
    private readonly intervalMs = 50,
    private readonly now: () => number = Date.now,
    defer?: Defer,
  ) {
    this.dueAcks = defer === undefined ? sharedDueAcks : new DueAcks(defer);
  }

  /** Notes that `sequence` is now the newest applied (it can go back after a snapshot from a restored server). */
  acknowledge(sequence: number): void {
    this.newest = sequence;
    if (this.newest === this.lastSent || this.timer !== undefined || this.queued) return;
    const wait = this.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.queued = true;
      this.dueAcks.add(this.sendDue);
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendNewest();
    }, wait);
    this.timer.unref?.();
  }

  /** Forgets what was sent (a new connection): the next applied sequence is acknowledged again. */
  reset(): void {
    this.cancel();
    this.lastSent = 0;
    this.newest = 0;
    this.lastSentAt = Number.NEGATIVE_INFINITY;
  }

  /** Sends a pending ack now (before the connection closes). */
  flush(): void {
    if (this.timer === undefined && !this.queued) return;
    this.cancel();
    this.sendNewest();
  }

  /** Drops a pending ack. */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued) this.dueAcks.delete(this.sendDue);
    this.queued = false;
  }

  private sendNewest(): void {
    if (this.newest === this.lastSent) return;
    this.lastSent = this.newest;
    this.lastSentAt = this.now();
    this.send(this.newest);
  }
}
