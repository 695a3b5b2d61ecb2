import { AsyncResource } from 'node:async_hooks';

/**
 * One write at a time of everything buffered so far: `committed()` resolves once what was added
 * before the call is written (or rejects with that write's error). Callers that come while a write
 * runs share the next one, so a timer, readers and shutdown can all ask without writing twice.
 */
export class GroupCommit<Pending> {
  private waiting: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private running: Promise<void> | undefined;

  // Writes run in the context this was made in, not the caller's: a reader inside a transaction
  // (AsyncLocalStorage) must not pull the write into it, where a rollback would undo it unseen.
  private readonly start = AsyncResource.bind(() => this.writeOnce());

  constructor(
    private readonly take: () => Pending | undefined,
    private readonly write: (pending: Pending) => Promise<void>,
  ) {}

  /** Resolves once what was added before this call is committed. */
  committed(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.kick();
    return done;
  }

  /** A write is running or waiting to. */
  get busy(): boolean {
    return this.running !== undefined || this.waiting.length > 0;
  }

  private kick(): void {
    if (this.running !== undefined || this.waiting.length === 0) return;
    this.running = this.start().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async writeOnce(): Promise<void> {
    const waiters = this.waiting;
    this.waiting = [];
    const pending = this.take();
    try {
      if (pending !== undefined) await this.write(pending);
      for (const w of waiters) w.resolve();
    } catch (err) {
      // What to do with the part (keep it for the next write) is the writer's business.
      for (const w of waiters) w.reject(err);
    }
  }
}
