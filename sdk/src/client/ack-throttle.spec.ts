import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AckThrottle, type Defer } from './ack-throttle.js';

/** A deferral the test runs by hand: "the end of the current I/O burst". */
function manualDefer(): { defer: Defer; runDue: () => void } {
  let tasks: Array<() => void> = [];
  return {
    defer: (task) => void tasks.push(task),
    runDue: () => {
      const run = tasks;
      tasks = [];
      run.forEach((task) => task());
    },
  };
}

describe('AckThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('acknowledges the first sequence at the end of the current burst, not on a timer', () => {
    const { defer, runDue } = manualDefer();
    const sent: number[] = [];
    new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, defer).acknowledge(3);
    expect(sent).toEqual([]);
    runDue();
    expect(sent).toEqual([3]);
  });

  it('sends the acks of many throttles that became due in one burst together, after the burst', () => {
    const { defer, runDue } = manualDefer();
    const order: string[] = [];
    const throttles = [1, 2, 3].map((id) => new AckThrottle((sequence) => order.push(`ack ${id}:${sequence}`), 50, Date.now, defer));
    throttles.forEach((throttle, i) => {
      order.push(`applied ${i + 1}`);
      throttle.acknowledge(7);
    });
    runDue();
    expect(order).toEqual(['applied 1', 'applied 2', 'applied 3', 'ack 1:7', 'ack 2:7', 'ack 3:7']);
  });

  it('one failing send does not stop the others of its batch', () => {
    const { defer, runDue } = manualDefer();
    const sent: number[] = [];
    new AckThrottle(
      () => {
        throw new Error('socket gone');
      },
      50,
      Date.now,
      defer,
    ).acknowledge(1);
    new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, defer).acknowledge(2);
    runDue();
    expect(sent).toEqual([2]);
  });

  it('by default sends after the current I/O (setImmediate), within the same loop iteration', async () => {
    vi.useRealTimers();
    const sent: number[] = [];
    new AckThrottle((sequence) => sent.push(sequence)).acknowledge(5);
    expect(sent).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([5]);
  });

  it('merges a burst into one trailing ack of the newest sequence', () => {
    const { defer, runDue } = manualDefer();
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, defer);
    acks.acknowledge(1);
    runDue();
    for (let sequence = 2; sequence <= 10; sequence++) acks.acknowledge(sequence);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([1, 10]);
    vi.advanceTimersByTime(500);
    runDue();
    expect(sent).toEqual([1, 10]);
  });

  it('sends only the newest of the sequences applied before the burst ends', () => {
    const { defer, runDue } = manualDefer();
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, defer);
    for (let sequence = 1; sequence <= 4; sequence++) acks.acknowledge(sequence);
    runDue();
    expect(sent).toEqual([4]);
  });

  it('does not acknowledge the same sequence twice, but again after a reset', () => {
    const { defer, runDue } = manualDefer();
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, defer);
    acks.acknowledge(4);
    runDue();
    vi.advanceTimersByTime(100);
    acks.acknowledge(4);
    runDue();
    expect(sent).toEqual([4]);
    acks.reset();
    acks.acknowledge(4);
    runDue();
    expect(sent).toEqual([4, 4]);
  });

  it('sends a pending ack at once when flushed (due or trailing), and nothing more afterwards', () => {
    const { defer, runDue } = manualDefer();
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, defer);
    acks.acknowledge(1);
    acks.flush();
    expect(sent).toEqual([1]);
    acks.acknowledge(2);
    acks.flush();
    expect(sent).toEqual([1, 2]);
    runDue();
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([1, 2]);
  });

  it('sends nothing after cancel', () => {
    const { defer, runDue } = manualDefer();
    const sent: number[] = [];
    const acks = new AckThrottle((sequence) => sent.push(sequence), 50, Date.now, defer);
    acks.acknowledge(1);
    runDue();
    acks.acknowledge(2);
    acks.cancel();
    acks.acknowledge(3);
    acks.cancel();
    vi.advanceTimersByTime(100);
    runDue();
    expect(sent).toEqual([1]);
  });
});
