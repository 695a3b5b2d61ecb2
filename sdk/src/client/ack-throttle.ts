/**
 * Sends acknowledgements of applied sequences, always ending with the newest. An ack waits a short
 * jittered settle delay (default 10–40 ms) and then at least `intervalMs` after the previous one:
 * a burst of changes is confirmed once, and a fleet of clients that all received the same change
 * does not answer in the same millisecond, in the middle of the server's fan-out.
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
    private readonly settleMs: () => number = () => 10 + Math.random() * 30,
  ) {}

  /** Notes that `sequence` is now the newest applied (it can go back after a snapshot from a restored server). */
  acknowledge(sequence: number): void {
    this.newest = sequence;
    if (this.newest === this.lastSent || this.timer !== undefined) return;
    const now = this.now();
    const wait = Math.max(this.settleMs(), this.lastSentAt + this.intervalMs - now);
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
