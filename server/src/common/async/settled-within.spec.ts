import { describe, expect, it } from 'vitest';
import { settledWithin } from './settled-within.js';

describe('settledWithin', () => {
  it('answers what settles in time, the fallback for what does not, and passes rejections on', async () => {
    expect(await settledWithin(Promise.resolve('value'), 1_000, 'late')).toBe('value');
    const never = new Promise<string>(() => undefined);
    const started = Date.now();
    expect(await settledWithin(never, 50, 'late')).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    await expect(settledWithin(Promise.reject(new Error('down')), 1_000, 'late')).rejects.toThrow('down');
  });
});
