import { describe, expect, it } from 'vitest';
import { LogPump, type PumpRead } from './log-pump.js';

/** A read that waits until the test lets it finish with an answer. */
const controlledReads = () => {
  const pending: Array<(answer: PumpRead | Error) => void> = [];
  let reads = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const read = () =>
    new Promise<PumpRead>((resolve, reject) => {
      reads++;
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      pending.push((answer) => {
        concurrent--;
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      });
    });
  const finish = async (answer: PumpRead | Error) => {
    pending.shift()!(answer);
    await new Promise((r) => setImmediate(r));
  };
  return { read, finish, stats: () => ({ reads, maxConcurrent, waiting: pending.length }) };
};

describe('reading a change log one reader at a time', () => {
  it('reads once more after wake-ups that came during a read, never in parallel', async () => {
    const reads = controlledReads();
    let caughtUp = 0;
    const pump = new LogPump(
      reads.read,
      () => undefined,
      () => caughtUp++,
    );
    pump.wake();
    pump.wake();
    pump.wake();
    expect(reads.stats()).toEqual({ reads: 1, maxConcurrent: 1, waiting: 1 });
    await reads.finish('caught-up');
    expect(reads.stats()).toEqual({ reads: 2, maxConcurrent: 1, waiting: 1 });
    await reads.finish('caught-up');
    expect(reads.stats().waiting).toBe(0);
    expect(caughtUp).toBe(1);
  });

  it('reads on after a full page, and stops when told nobody is left', async () => {
    const reads = controlledReads();
    let caughtUp = 0;
    const pump = new LogPump(
      reads.read,
      () => undefined,
      () => caughtUp++,
    );
    pump.wake();
    await reads.finish('more');
    await reads.finish('stop');
    expect(reads.stats()).toEqual({ reads: 2, maxConcurrent: 1, waiting: 0 });
    expect(caughtUp).toBe(0);
  });

  it('reports a failed read and reads again on the next wake-up', async () => {
    const reads = controlledReads();
    const failures: unknown[] = [];
    const pump = new LogPump(reads.read, (err) => failures.push(err));
    pump.wake();
    await reads.finish(new Error('database gone'));
    expect(failures).toEqual([new Error('database gone')]);
    pump.wake();
    expect(reads.stats().reads).toBe(2);
    await reads.finish('caught-up');
  });
});
