import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Database } from '../database/database.service.js';

/** Windows that ended this long ago are deleted now and then (every CLEANUP_EVERY calls per instance). */
const CLEANUP_EVERY = 500;

interface WindowRow {
  hits: number;
  previous_hits: number;
  ms_left: string | number;
}

/**
 * @nestjs/throttler's counters in PostgreSQL, so every instance sharing the database enforces the
 * same limit (in-memory counters allow N times the limit behind a balancer of N instances).
 *
 * A sliding-window counter: one row per key holds the current window's hits and the previous
 * window's. A call counts the current hits plus the previous window's, weighted by how much of it
 * the last `ttl` still covers. Unlike fixed windows, which admit twice the limit across a window
 * boundary, this never admits much more than the limit in any `ttl`, at the cost of one upsert.
 */
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  private calls = 0;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, _throttlerName: string) {
    if (++this.calls % CLEANUP_EVERY === 0) {
      await this.db.manager().query(`DELETE FROM rate_limit_windows WHERE window_ends_at < to_timestamp($1 / 1000.0) - interval '1 hour'`, [this.now()]);
    }
    // SET expressions see the row as it was: a window that ended rolls over (its hits become the
    // previous window's), and one that ended over a window ago starts afresh.
    const rows: WindowRow[] = await this.db.manager().query(
      `WITH args AS (SELECT to_timestamp($3 / 1000.0) AS now, $2 * interval '1 millisecond' AS ttl)
       INSERT INTO rate_limit_windows AS w (key, window_ends_at, hits, previous_hits)
       SELECT $1, args.now + args.ttl, 1, 0 FROM args
       ON CONFLICT (key) DO UPDATE SET
         previous_hits = CASE
           WHEN w.window_ends_at + (SELECT ttl FROM args) <= (SELECT now FROM args) THEN 0
           WHEN w.window_ends_at <= (SELECT now FROM args) THEN w.hits
           ELSE w.previous_hits END,
         hits = CASE WHEN w.window_ends_at <= (SELECT now FROM args) THEN 1 ELSE w.hits + 1 END,
         window_ends_at = CASE
           WHEN w.window_ends_at + (SELECT ttl FROM args) <= (SELECT now FROM args) THEN EXCLUDED.window_ends_at
           WHEN w.window_ends_at <= (SELECT now FROM args) THEN w.window_ends_at + (SELECT ttl FROM args)
           ELSE w.window_ends_at END
       RETURNING hits, previous_hits, extract(epoch FROM window_ends_at - (SELECT now FROM args)) * 1000 AS ms_left`,
      [key, ttl, this.now()],
    );
    const row = rows[0]!;
    const window = { hits: row.hits, previousHits: row.previous_hits, msLeft: Number(row.ms_left) };
    const isBlocked = slidingCount(window, ttl) > limit;
    const secondsLeft = Math.max(1, Math.ceil(window.msLeft / 1000));
    return {
      totalHits: Math.ceil(slidingCount(window, ttl)),
      timeToExpire: secondsLeft,
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.max(1, Math.ceil(msUntilAllowed(window, ttl, limit) / 1000)) : 0,
    };
  }
}

export interface SlidingWindow {
  hits: number;
  previousHits: number;
  /** Until the current window ends. */
  msLeft: number;
}

/** Calls in the last `ttl`, estimating the previous window's as spread evenly over it. */
export const slidingCount = ({ hits, previousHits, msLeft }: SlidingWindow, ttl: number): number => hits + (previousHits * msLeft) / ttl;

/** How long, with no further calls, until one more call would be within the limit (for Retry-After). */
export const msUntilAllowed = ({ hits, previousHits, msLeft }: SlidingWindow, ttl: number, limit: number): number => {
  if (hits + 1 <= limit) {
    // Wait for enough of the previous window to slide out.
    return previousHits === 0 ? 0 : Math.max(0, msLeft - (ttl * (limit - hits - 1)) / previousHits);
  }
  // Wait for this window to end, then for enough of it (the next one's previous) to slide out.
  return msLeft + Math.max(0, ttl * (1 - (limit - 1) / hits));
};
