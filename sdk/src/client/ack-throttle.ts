/**
 * Sends acknowledgements at most once per `intervalMs`, always ending a burst with the newest
 * sequence: the first ack after a quiet period goes out at once, later ones within the interval
 * are merged into one trailing ack.
 */
export class AckThrottle {
  private lastSent = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private newest = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (sequence: number) => void,
    private readonly intervalMs = 50,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes that `sequence` is now the newest applied (it can go back after a snapshot from a restored server). */
  acknowledge(sequence: number): void {
    this.newest = sequence;
    if (this.newest === this.lastSent || this.timer !== undefined) return;
    const wait = this.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.sendNewest();
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

  /** Sends a pending trailing ack now (before the connection closes). */
  flush(): void {
    if (this.timer === undefined) return;
    this.cancel();
    this.sendNewest();
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sendNewest(): void {
    if (this.newest === this.lastSent) return;
    this.lastSent = this.newest;
    this.lastSentAt = this.now();
    this.send(this.newest);
  }
}
