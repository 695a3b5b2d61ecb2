import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { Database } from '../database/database.service.js';
import { DatabaseThrottlerStorage, msUntilAllowed, slidingCount } from './database-throttler-storage.js';

const MINUTE = 60_000;

describe('sliding-window rate limit counted in the database', () => {
  let t: TestApp;
  let clock = Date.parse('2026-11-23T10:00:00Z');
  let storage: DatabaseThrottlerStorage;
  const call = (key: string, limit = 10) => storage.increment(key, MINUTE, limit, MINUTE, 'default');
  const calls = async (key: string, n: number, limit = 10) => {
    const results = [];
    for (let i = 0; i < n; i++) results.push(await call(key, limit));
    return results;
  };

  beforeAll(async () => {
    t = await startTestApp();
    storage = new DatabaseThrottlerStorage(t.app.get(Database), () => clock);
  });
  afterAll(() => t.close());

  it('admits the limit within a window and refuses the next call, saying when to retry', async () => {
    const results = await calls('within', 11);
    expect(results.slice(0, 10).every((r) => !r.isBlocked)).toBe(true);
    // The refused call is not counted: ten calls this window, which must end and a tenth of it slide out before one more fits.
    expect(results[10]).toMatchObject({ isBlocked: true, totalHits: 10 });
    expect(results[10]!.timeToBlockExpire).toBe(Math.ceil((MINUTE + MINUTE * (1 - 9 / 10)) / 1000));
  });

  it('does not count refused calls, so hammering does not extend the wait', async () => {
    const start = clock;
    await calls('hammered', 10);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await call('hammered');
      expect(result.isBlocked).toBe(true);
      waits.push(result.timeToBlockExpire);
      clock += 10_000;
    }
    // 66 s after the first call one more fits, however many were refused in between.
    expect(waits).toEqual([66, 56, 46, 36, 26, 16]);
    clock = start + 66_000;
    expect((await call('hammered')).isBlocked).toBe(false);
  });

  it('does not admit twice the limit across a window boundary, as fixed windows would', async () => {
    clock += 10 * MINUTE;
    await call('boundary'); // opens a window [T, T + 1 min)
    clock += MINUTE - 1_000; // 9 more calls in its last second...
    expect((await calls('boundary', 9)).every((r) => !r.isBlocked)).toBe(true);
    clock += 2_000; // ...and just after it ends, those 10 still count almost fully: 1 + 10 × 59/60 > 10.
    expect((await calls('boundary', 3)).map((r) => r.isBlocked)).toEqual([true, true, true]);
    clock += 30_000; // half of the last window has slid out: 10 × 29/60 of it counts, and the refused calls not at all.
    expect((await calls('boundary', 6)).map((r) => r.isBlocked)).toEqual([false, false, false, false, false, true]);
  });

  it('starts afresh after a whole window without calls, and keeps keys apart', async () => {
    await calls('quiet', 10);
    expect((await call('other')).isBlocked).toBe(false);
    clock += 2 * MINUTE + 1;
    const again = await calls('quiet', 10);
    expect(again.every((r) => !r.isBlocked)).toBe(true);
    expect(again[9]!.totalHits).toBe(10);
  });
});

describe('sliding-window arithmetic', () => {
  it('weights the previous window by how much of it the last minute still covers', () => {
    expect(slidingCount({ hits: 2, previousHits: 10, msLeft: MINUTE }, MINUTE)).toBe(12);
    expect(slidingCount({ hits: 2, previousHits: 10, msLeft: MINUTE / 4 }, MINUTE)).toBe(4.5);
    expect(slidingCount({ hits: 2, previousHits: 10, msLeft: 0 }, MINUTE)).toBe(2);
  });

  it('says how long until one more call fits, and that wait is exactly enough', () => {
    const ttl = MINUTE;
    const limit = 10;
    for (const window of [
      { hits: 3, previousHits: 10, msLeft: 50_000 },
      { hits: 11, previousHits: 0, msLeft: 20_000 },
      { hits: 10, previousHits: 4, msLeft: 1_000 },
      { hits: 0, previousHits: 40, msLeft: 59_000 },
    ]) {
      const wait = msUntilAllowed(window, ttl, limit);
      const after = (ms: number) => {
        // The window's state `ms` from now, with no calls in between, and one more call.
        if (ms <= window.msLeft) return slidingCount({ ...window, hits: window.hits + 1, msLeft: window.msLeft - ms }, ttl);
        return slidingCount({ hits: 1, previousHits: window.hits, msLeft: window.msLeft + ttl - ms }, ttl);
      };
      expect(after(wait)).toBeLessThanOrEqual(limit + 1e-9);
      if (wait > 1) expect(after(wait - 1)).toBeGreaterThan(limit);
    }
  });
});
