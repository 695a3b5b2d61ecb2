import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

const deferred = () => {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('GroupCommit', () => {
  it('answers each caller only after the write holding its part, and shares one write among callers that came during another', async () => {
    const parts: number[] = [];
    const writes: Array<{ parts: number[]; done: ReturnType<typeof deferred> }> = [];
    const commit = new GroupCommit<number[]>(
      () => (parts.length === 0 ? undefined : parts.splice(0)),
      (taken) => {
        const done = deferred();
        writes.push({ parts: taken, done });
        return done.promise;
      },
    );
    const answered: number[] = [];
    const add = (n: number) => {
      parts.push(n);
      return commit.committed().then(() => answered.push(n));
    };
    const first = add(1);
    const rest = [add(2), add(3), add(4)];
    expect(writes.map((w) => w.parts)).toEqual([[1]]);
    await Promise.resolve();
    expect(answered).toEqual([]);
    writes[0]!.done.resolve();
    await first;
    expect(answered).toEqual([1]);
    await new Promise((r) => setImmediate(r));
    expect(writes.map((w) => w.parts)).toEqual([[1], [2, 3, 4]]);
    expect(answered).toEqual([1]);
    writes[1]!.done.resolve();
    await Promise.all(rest);
    expect(answered).toEqual([1, 2, 3, 4]);
    expect(commit.busy).toBe(false);
    expect(writes).toHaveLength(2);
  });

  it("gives a failed write's error to every caller in it, and writes again when asked", async () => {
    const parts: number[] = [];
    const written: number[][] = [];
    let fail = true;
    const commit = new GroupCommit<number[]>(
      () => (parts.length === 0 ? undefined : parts.splice(0)),
      async (taken) => {
        if (fail) throw new Error('database gone');
        written.push(taken);
      },
    );
    parts.push(1);
    await expect(commit.committed()).rejects.toThrow('database gone');
    fail = false;
    parts.push(2);
    await commit.committed();
    expect(written).toEqual([[2]]);
  });
});
