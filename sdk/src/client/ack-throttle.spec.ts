import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AckThrottle } from './ack-throttle.js';

describe('AckThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('acknowledges the first sequence at once', () => {
    const sent: number[] = [];
    new AckThrottle((sequence) => sent.push(sequence), 50, Date.now).acknowledge(3);
    expect(sent).toEqual([3]);
  });

  it('merges a burst into one trailing ack of the newest sequence', () => {
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now);
    for (let sequence = 1; sequence <= 10; sequence++) acks.acknowledge(sequence);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([1, 10]);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([1, 10]);
  });

  it('does not acknowledge the same sequence twice, but again after a reset', () => {
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now);
    acks.acknowledge(4);
    vi.advanceTimersByTime(100);
    acks.acknowledge(4);
    expect(sent).toEqual([4]);
    acks.reset();
    acks.acknowledge(4);
    expect(sent).toEqual([4, 4]);
  });

  it('sends a pending trailing ack at once when flushed, and nothing more afterwards', () => {
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now);
    acks.acknowledge(1);
    acks.acknowledge(2);
    acks.flush();
    expect(sent).toEqual([1, 2]);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([1, 2]);
  });

  it('sends nothing after cancel', () => {
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now);
    acks.acknowledge(1);
    acks.acknowledge(2);
    acks.cancel();
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([1]);
  });
});
