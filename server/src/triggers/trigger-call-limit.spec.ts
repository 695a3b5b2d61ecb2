import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admitCall } from './trigger-call-limit.js';

const MINUTE = 60_000;

/** Feeds calls at these times through the log; returns the times that were accepted. */
const run = (times: number[], limit = 10): number[] => {
  let log: number[] = [];
  const accepted: number[] = [];
  for (const at of times) {
    const decision = admitCall(log, at, limit, MINUTE);
    log = decision.log;
    if (decision.admitted) accepted.push(at);
  }
  return accepted;
};

/** The most calls any half-open window [t, t + 1 min) holds. */
const busiestMinute = (accepted: number[]): number => Math.max(0, ...accepted.map((t) => accepted.filter((u) => u >= t && u < t + MINUTE).length));

describe("a trigger's sliding log of accepted calls", () => {
  it('admits 1 at 0 s, 9 at 50 s, and at 105 s only the one the first call made room for', () => {
    const times = [0, ...Array.from({ length: 9 }, (_, i) => 50_000 + i * 50), ...Array.from({ length: 10 }, (_, i) => 105_000 + i * 50)];
    const accepted = run(times);
    expect(accepted).toEqual([0, ...times.slice(1, 10), 105_000]);
    expect(busiestMinute(accepted)).toBe(10);
  });

  it('does not count refused calls: hammering does not push the next accepted call further away', () => {
    let log: number[] = [];
    for (let i = 0; i < 10; i++) log = admitCall(log, i, 10, MINUTE).log;
    const refused = [1_000, 30_000, 59_000, 59_999].map((at) => admitCall(log, at, 10, MINUTE));
    expect(refused.map((r) => r.admitted)).toEqual([false, false, false, false]);
    // Each says exactly when the first accepted call (at 0 ms) leaves the minute.
    expect(refused.map((r) => r.retryAfterMs)).toEqual([59_000, 30_000, 1_000, 1]);
    expect(refused.every((r) => r.log.length === 10)).toBe(true);
    expect(admitCall(log, 60_000, 10, MINUTE).admitted).toBe(true);
    expect(admitCall(log, 60_001, 10, MINUTE).admitted).toBe(true);
    // Only one: the second call (at 1 ms) is still within the minute.
    expect(admitCall(admitCall(log, 60_000, 10, MINUTE).log, 60_000, 10, MINUTE)).toMatchObject({ admitted: false, retryAfterMs: 1 });
  });

  it('keeps no more than the limit: what left the minute is forgotten', () => {
    let log: number[] = [];
    for (let i = 0; i < 100; i++) log = admitCall(log, i * 7_000, 10, MINUTE).log;
    expect(log.length).toBeLessThanOrEqual(10);
    expect(Math.min(...log)).toBeGreaterThan(99 * 7_000 - MINUTE);
  });

  it('never admits more than the limit in any minute, whatever the call pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 * MINUTE }), { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), (raw, limit) => {
        const times = [...raw].sort((a, b) => a - b);
        const accepted = run(times, limit);
        expect(busiestMinute(accepted)).toBeLessThanOrEqual(limit);
        // And it refuses nothing it could have taken: each refusal had a full minute behind it.
        let log: number[] = [];
        for (const at of times) {
          const decision = admitCall(log, at, limit, MINUTE);
          if (!decision.admitted) expect(accepted.filter((u) => u > at - MINUTE && u <= at).length).toBe(limit);
          log = decision.log;
        }
      }),
      { seed: 14, numRuns: 300 },
    );
  });
});
