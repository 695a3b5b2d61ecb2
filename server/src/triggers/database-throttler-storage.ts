import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Database } from '../database/database.service.js';

/** Windows that ended this long ago are deleted now and then (every CLEANUP_EVERY calls per instance). */
const CLEANUP_EVERY = 500;

/**
 * @nestjs/throttler's counters in PostgreSQL: one row per key and fixed window, counted with an
 * upsert, so every instance sharing the database enforces the same limit (in-memory counters allow
 * N times the limit behind a balancer of N instances). Fixed windows admit up to twice the limit
 * across a window boundary; for abuse protection that is enough.
 */
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  private calls = 0;

  constructor(private readonly db: Database) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, _throttlerName: string) {
    if (++this.calls % CLEANUP_EVERY === 0) {
      await this.db.manager().query(`DELETE FROM rate_limit_windows WHERE window_ends_at < now() - interval '1 hour'`);
    }
    const rows: Array<{ hits: number; ms_left: string | number }> = await this.db.manager().query(
      `INSERT INTO rate_limit_windows (key, window_ends_at, hits) VALUES ($1, now() + $2 * interval '1 millisecond', 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_windows.window_ends_at <= now() THEN 1 ELSE rate_limit_windows.hits + 1 END,
         window_ends_at = CASE WHEN rate_limit_windows.window_ends_at <= now() THEN EXCLUDED.window_ends_at ELSE rate_limit_windows.window_ends_at END
       RETURNING hits, extract(epoch FROM window_ends_at - now()) * 1000 AS ms_left`,
      [key, ttl],
    );
    const { hits, ms_left } = rows[0]!;
    const secondsLeft = Math.max(1, Math.ceil(Number(ms_left) / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }
}
