import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Database } from '../database/database.service.js';

/** Windows that ended this long ago are deleted now and then (every CLEANUP_EVERY calls per instance). */
const CLEANUP_EVERY = 500;

interface WindowRow {
  hits: number;
  previous_hits: number;
  ends_ms: string | number;
}

/**
 * @nestjs/throttler's counters in PostgreSQL, so every instance sharing the database enforces the
 * same limit (in-memory counters allow N times the limit behind a balancer of N instances).
 *
 * A sliding-window counter: one row per key holds the current window's hits and the previous
 * window's. A call counts the current hits plus the previous window's, weighted by how much of it
 * the last `ttl` still covers. Unlike fixed windows, which admit twice the limit across a window
 * boundary, this never admits much more than the limit in any `ttl`. Only admitted calls are
 * counted: a client that keeps calling while refused does not push its next admission further away.
 */
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  private calls = 0;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, _throttlerName: string) {
    const now = this.now();
    if (++this.calls % CLEANUP_EVERY === 0) {
      await this.db.manager().query(`DELETE FROM rate_limit_windows WHERE window_ends_at < to_timestamp($1 / 1000.0) - interval '1 hour'`, [now]);
    }
    // The row is locked from read to write, so concurrent calls on any instance take turns.
    const window = await this.db.transaction(async () => {
      const manager = this.db.manager();
      await manager.query(
        `INSERT INTO rate_limit_windows (key, window_ends_at, hits, previous_hits) VALUES ($1, to_timestamp($2 / 1000.0), 0, 0) ON CONFLICT (key) DO NOTHING`,
        [key, now + ttl],
      );
      const rows: WindowRow[] = await manager.query(
        `SELECT hits, previous_hits, extract(epoch FROM window_ends_at) * 1000 AS ends_ms FROM rate_limit_windows WHERE key = $1 FOR UPDATE`,
        [key],
      );
      const row = rows[0]!;
      const current = rollOver({ hits: row.hits, previousHits: row.previous_hits, endsAt: Number(row.ends_ms) }, now, ttl);
      const admitted = slidingCount({ hits: current.hits + 1, previousHits: current.previousHits, msLeft: current.endsAt - now }, ttl) <= limit;
      const next = admitted ? { ...current, hits: current.hits + 1 } : current;
      await manager.query(`UPDATE rate_limit_windows SET hits = $2, previous_hits = $3, window_ends_at = to_timestamp($4 / 1000.0) WHERE key = $1`, [
        key,
        next.hits,
        next.previousHits,
        next.endsAt,
      ]);
      return { admitted, state: { hits: next.hits, previousHits: next.previousHits, msLeft: next.endsAt - now } };
    });
    const { admitted, state } = window;
    return {
      totalHits: Math.ceil(slidingCount(state, ttl)),
      timeToExpire: Math.max(1, Math.ceil(state.msLeft / 1000)),
      isBlocked: !admitted,
      timeToBlockExpire: admitted ? 0 : Math.max(1, Math.ceil(msUntilAllowed(state, ttl, limit) / 1000)),
    };
  }
}

/** A key's counters as stored: this window's hits, the previous window's, and when this one ends (ms). */
export interface StoredWindow {
  hits: number;
  previousHits: number;
  endsAt: number;
}

/** The window `now` falls in: one that ended rolls over (its hits become the previous window's); one that ended over a window ago starts afresh. */
export const rollOver = (window: StoredWindow, now: number, ttl: number): StoredWindow => {
  if (window.endsAt + ttl <= now) return { hits: 0, previousHits: 0, endsAt: now + ttl };
  if (window.endsAt <= now) return { hits: 0, previousHits: window.hits, endsAt: window.endsAt + ttl };
  return window;
};

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
