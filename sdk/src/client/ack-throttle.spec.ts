import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AckThrottle } from './ack-throttle.js';

const SETTLE = () => 10;

describe('AckThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('acknowledges the first sequence after the settle delay', () => {
    const sent: number[] = [];
    new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, SETTLE).acknowledge(3);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(sent).toEqual([3]);
  });

  it('merges a burst into one ack of the newest sequence, then waits the interval before the next', () => {
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, SETTLE);
    for (let sequence = 1; sequence <= 10; sequence++) acks.acknowledge(sequence);
    vi.advanceTimersByTime(10);
    expect(sent).toEqual([10]);
    acks.acknowledge(11);
    vi.advanceTimersByTime(20);
    expect(sent).toEqual([10]);
    vi.advanceTimersByTime(30);
    expect(sent).toEqual([10, 11]);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([10, 11]);
  });

  it('spreads acks of a fleet over the default jittered settle window', () => {
    const times: number[] = [];
    const start = Date.now();
    for (let i = 0; i < 200; i++) new AckThrottle(() => times.push(Date.now() - start)).acknowledge(1);
    vi.advanceTimersByTime(100);
    expect(times).toHaveLength(200);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...times)).toBeLessThanOrEqual(40);
    expect(new Set(times).size).toBeGreaterThan(10);
  });

  it('does not acknowledge the same sequence twice, but again after a reset', () => {
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, SETTLE);
    acks.acknowledge(4);
    vi.advanceTimersByTime(100);
    acks.acknowledge(4);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([4]);
    acks.reset();
    acks.acknowledge(4);
    vi.advanceTimersByTime(10);
    expect(sent).toEqual([4, 4]);
  });

  it('sends a pending ack at once when flushed, and nothing more afterwards', () => {
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, SETTLE);
    acks.acknowledge(7);
    acks.flush();
    expect(sent).toEqual([7]);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([7]);
  });

  it('sends nothing after cancel', () => {
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, SETTLE);
    acks.acknowledge(1);
    acks.acknowledge(2);
    acks.cancel();
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([]);
  });
});
