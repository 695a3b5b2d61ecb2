import { describe, expect, it } from 'vitest';
import { Backoff, jittered } from './backoff.js';

describe('Backoff', () => {
  it('doubles from the base up to the cap, without jitter at the midpoint', () => {
    const backoff = new Backoff(100, 1_000, 0.5, () => 0.5);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('spreads delays by the jitter factor', () => {
    expect(jittered(1_000, 0.5, () => 0)).toBe(500);
    expect(jittered(1_000, 0.5, () => 1)).toBe(1_500);
  });
});
