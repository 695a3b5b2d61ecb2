/** Exponential backoff with jitter: `base * 2^attempt`, scaled by 1 ± `jitter`, never above `maxMs`. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly jitter = 0.5,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call counts as one more failed attempt. */
  next(): number {
    const exponential = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    // Capped after the jitter too: the longest wait is `maxMs`, as documented.
    return Math.min(this.maxMs, jittered(exponential, this.jitter, this.random));
  }

  /** Call after a success: the next failure starts from the base delay again. */
  reset(): void {
    this.attempt = 0;
  }
}

/** `valueMs` scaled by a random factor in [1 - jitter, 1 + jitter]. */
export function jittered(valueMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(valueMs * (1 + jitter * (2 * random() - 1))));
}
