/** What one read of a log answers: more may be waiting (a full page), caught up, or nobody is left to tell. */
export type PumpRead = 'more' | 'caught-up' | 'stop';

/**
 * Reads one change log in order, one reader at a time: a wake-up during a read makes it read again
 * once the read ends, so a burst of wake-ups costs one extra read, never a parallel one. Shared by
 * the SDK relay and the consoles' feed, which read the same logs for different listeners.
 */
export class LogPump {
  private pumping = false;
  private again = false;

  constructor(
    /** Reads and hands on the next page after what was handed on so far. */
    private readonly readPage: () => Promise<PumpRead>,
    /** A read failed; the caller's next wake-up (a reconciliation timer) tries again. */
    private readonly failed: (err: unknown) => void,
    /** Every read succeeded up to the log's head as it was then. */
    private readonly caughtUp: () => void = () => undefined,
  ) {}

  wake(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        const read = await this.readPage();
        if (read === 'stop') return;
        if (read === 'more') this.again = true;
      } while (this.again);
      this.caughtUp();
    } catch (err) {
      this.failed(err);
    } finally {
      this.pumping = false;
    }
  }
}
